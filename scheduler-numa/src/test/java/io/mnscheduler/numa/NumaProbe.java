package io.mnscheduler.numa;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.numa.internal.CpuLists;

import java.util.concurrent.TimeUnit;

/** Run in forked JVMs by {@code FallbackTest}: prints what the NUMA module saw and did. */
public final class NumaProbe {
    private NumaProbe() {
    }

    public static void main(String[] args) throws Exception {
        NumaTopology topology = NumaTopology.detect();
        System.out.println("supported=" + Affinity.isSupported());
        System.out.println("allowed=" + CpuLists.format(topology.allCpus()));
        NumaPlacement placement = NumaPlacement.pinToCpu();
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).placement(placement).build()) {
            String where = s.submit(() -> CpuLists.format(Affinity.currentThreadAffinity())).get(30, TimeUnit.SECONDS);
            System.out.println("worker affinity=" + where);
            System.out.println("planned=" + CpuLists.format(placement.cpusOf(0)) + "|" + CpuLists.format(placement.cpusOf(1)));
            System.out.println("ran=" + s.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        }
    }
}
