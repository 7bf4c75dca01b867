package io.mnscheduler.examples;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.numa.Affinity;
import io.mnscheduler.numa.NumaPlacement;
import io.mnscheduler.numa.NumaTopology;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Prints the detected NUMA topology, then where each worker of a NUMA-placed scheduler runs.
 * Needs {@code --enable-native-access=ALL-UNNAMED} (the exec configuration passes it).
 */
public final class NumaWorkers {
    private NumaWorkers() {
    }

    public static void main(String[] args) throws Exception {
        NumaTopology topology = NumaTopology.detect();
        System.out.print("Detected topology (CPUs this process may use):\n" + topology);
        NumaPlacement placement = NumaPlacement.pinToCpu();
        int parallelism = topology.allCpus().cardinality();
        Map<String, String> where = new TreeMap<>();
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(parallelism)
                .threadNamePrefix("numa-worker-").placement(placement).build()) {
            for (int round = 0; round < 100 && where.size() < parallelism; round++) {
                CountDownLatch done = new CountDownLatch(parallelism * 8);
                for (int i = 0; i < parallelism * 8; i++) {
                    s.execute(() -> {
                        synchronized (where) {
                            where.put(Thread.currentThread().getName(), "runs on CPU " + Affinity.currentCpu()
                                    + ", pinned to " + Affinity.currentThreadAffinity());
                        }
                        long until = System.nanoTime() + 200_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        done.countDown();
                    });
                }
                done.await(30, TimeUnit.SECONDS);
            }
        }
        System.out.println("Placement " + placement + ":");
        for (int p = 0; p < parallelism; p++) {
            System.out.printf("  processor %d: node %d, planned CPUs %s; numa-worker-%d %s%n", p, placement.nodeOf(p),
                    placement.cpusOf(p), p, where.getOrDefault("numa-worker-" + p, "(ran no task)"));
        }
    }
}
