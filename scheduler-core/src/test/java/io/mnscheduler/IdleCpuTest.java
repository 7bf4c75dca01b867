package io.mnscheduler;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idle scheduler must cost almost nothing: the CPU time of its worker threads and its monitor
 * over 5 idle seconds after a burst, read with {@link ThreadMXBean}, must stay under 1% of one core (50 ms).
 * The process-wide figure is printed too; it includes the JIT, the GC and the test harness.
 */
class IdleCpuTest {
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    @Test
    void idleWorkersUseLessThanOnePercentOfACore() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadCpuTimeSupported());
        mx.setThreadCpuTimeEnabled(true);
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(4).threadNamePrefix("idle-test-").build()) {
            int n = 100_000;
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                s.execute(done::countDown);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            long[] workers = Arrays.stream(mx.getAllThreadIds())
                    .filter(id -> {
                        var info = mx.getThreadInfo(id);
                        return info != null && info.getThreadName().startsWith("idle-test-");
                    }).toArray();
            // Processor 0's worker and the monitor start with the scheduler; the others when the burst first needed them.
            assertTrue(workers.length >= 2 && workers.length <= 5, "found the started workers and the monitor: " + workers.length);
            // Let the searchers finish their rounds and park: every thread found waits (the monitor with a timeout).
            long parkedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!allWaiting(mx, workers) && System.nanoTime() < parkedBy) {
                Thread.sleep(10); // polling a condition, not guessing a duration
            }
            assertTrue(allWaiting(mx, workers), "the workers parked");
            long before = cpu(mx, workers);
            long processBefore = processCpu();
            long start = System.nanoTime();
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(IDLE_NANOS));
            long elapsed = System.nanoTime() - start;
            long used = cpu(mx, workers) - before;
            long processUsed = processCpu() - processBefore;
            double share = 100.0 * used / elapsed;
            System.out.printf("idle %.2f s: workers and monitor used %.3f ms CPU (%.4f%% of one core); whole process %.1f ms%n",
                    elapsed / 1e9, used / 1e6, share, processUsed / 1e6);
            assertTrue(share < 1.0, "idle workers used " + share + "% of a core");
        }
    }

    private static boolean allWaiting(ThreadMXBean mx, long[] ids) {
        for (long id : ids) {
            var info = mx.getThreadInfo(id);
            if (info != null && info.getThreadState() != Thread.State.WAITING
                    && info.getThreadState() != Thread.State.TIMED_WAITING) {
                return false;
            }
        }
        return true;
    }

    private static long cpu(ThreadMXBean mx, long[] ids) {
        long sum = 0;
        for (long id : ids) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    private static long processCpu() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }
}
