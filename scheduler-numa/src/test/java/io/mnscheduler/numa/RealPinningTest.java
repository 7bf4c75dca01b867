package io.mnscheduler.numa;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.numa.internal.CpuLists;
import io.mnscheduler.numa.internal.Libc;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pinning on this machine, checked against what the kernel reports for each thread. */
class RealPinningTest {
    private static final String PREFIX = "numa-test-";

    /** The kernel's Cpus_allowed_list of thread {@code tid} of this process. */
    static String allowedList(int tid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring("Cpus_allowed_list:".length()).strip();
            }
        }
        throw new AssertionError("no Cpus_allowed_list for " + tid);
    }

    @Test
    void pinningAThreadIsWhatTheKernelReports() throws Exception {
        assertTrue(Affinity.isSupported(), "this test machine is Linux with native access");
        BitSet allowed = Affinity.currentThreadAffinity();
        int last = allowed.length() - 1;
        String[] seen = new String[3];
        Thread t = Thread.ofPlatform().start(() -> {
            BitSet one = new BitSet();
            one.set(last);
            Affinity.pinCurrentThread(one);
            seen[0] = CpuLists.format(Affinity.currentThreadAffinity());
            try {
                seen[1] = allowedList(Libc.get().currentThreadId());
            } catch (Exception e) {
                seen[1] = e.toString();
            }
            seen[2] = String.valueOf(Affinity.currentCpu());
        });
        t.join();
        assertEquals(String.valueOf(last), seen[0]);
        assertEquals(String.valueOf(last), seen[1]);
        assertEquals(String.valueOf(last), seen[2]);
        assertEquals(CpuLists.format(allowed), CpuLists.format(Affinity.currentThreadAffinity()), "the caller is untouched");
    }

    @Test
    void badCpuSetsAreRefusedByName() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Affinity.pinCurrentThread(new BitSet()));
        assertTrue(empty.getMessage().startsWith("Empty CPU set"), empty.getMessage());
        BitSet outside = new BitSet();
        outside.set(4000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Affinity.pinCurrentThread(outside));
        assertTrue(e.getMessage().contains("CPUs 4000 are outside the allowed set"), e.getMessage());
    }

    @Test
    void aKernelRefusalIsReportedWithTheErrnoName() throws Exception {
        BitSet impossible = new BitSet();
        impossible.set(1000); // no such CPU here: the kernel answers EINVAL
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                Libc.get().pinCurrentThread(impossible);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.join();
        assertTrue(failure[0] instanceof IllegalStateException, String.valueOf(failure[0]));
        assertEquals("sched_setaffinity(1000) failed: EINVAL", failure[0].getMessage());
    }

    @Test
    void eachWorkerRunsWhereItsPlacementSays() throws Exception {
        NumaPlacement placement = NumaPlacement.pinToCpu();
        int parallelism = placement.topology().allCpus().cardinality();
        Map<Integer, String[]> report = new ConcurrentHashMap<>();
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(parallelism)
                .threadNamePrefix(PREFIX).placement(placement).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (report.size() < parallelism && System.nanoTime() < deadline) {
                CountDownLatch round = new CountDownLatch(parallelism * 4);
                for (int i = 0; i < parallelism * 4; i++) {
                    s.execute(() -> {
                        String name = Thread.currentThread().getName();
                        int processor = Integer.parseInt(name.substring(PREFIX.length()));
                        try {
                            report.putIfAbsent(processor, new String[] {
                                    allowedList(Libc.get().currentThreadId()), String.valueOf(Affinity.currentCpu())});
                        } catch (Exception e) {
                            report.putIfAbsent(processor, new String[] {e.toString(), "-1"});
                        }
                        long spin = System.nanoTime() + 1_000_000;
                        while (System.nanoTime() < spin) {
                            Thread.onSpinWait(); // keep this worker busy so the others get tasks too
                        }
                        round.countDown();
                    });
                }
                assertTrue(round.await(60, TimeUnit.SECONDS));
            }
        }
        assertEquals(parallelism, report.size(), "every worker reported");
        report.forEach((processor, seen) -> {
            String planned = CpuLists.format(placement.cpusOf(processor));
            assertEquals(planned, seen[0], "processor " + processor + ": Cpus_allowed_list");
            assertEquals(planned, seen[1], "processor " + processor + ": sched_getcpu");
        });
    }
}
