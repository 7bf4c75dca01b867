package io.mnscheduler;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The documented range holds: {@code parallelism(32767)} builds, runs and closes. Building starts
 * two threads (processor 0's worker and the monitor) whatever the parallelism; the others start
 * when first needed, so the OS's limit on threads (about 32,400 on the development machine) is
 * never reached by {@code build()}. The victim orders' properties at large and odd sizes are
 * {@code VictimOrderTest}'s. No timing is asserted: the figures are in the README.
 */
class LargeParallelismTest {
    private static final long WAIT_S = 120;
    private static final int P = WorkStealingScheduler.Builder.MAX_PARALLELISM;

    private static List<Thread> liveThreadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    }

    private static void awaitAllGone(String prefix) throws InterruptedException {
        for (Thread t : liveThreadsNamed(prefix)) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertFalse(t.isAlive(), t + " still runs after termination");
        }
    }

    @Test
    void theLargestParallelismBuildsWithTwoThreadsRunsEveryTaskOnceAndCloses() throws Exception {
        WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(P).threadNamePrefix("large-").build();
        try {
            assertEquals(P, s.parallelism());
            assertEquals(2, liveThreadsNamed("large-").size(), "build() starts processor 0's worker and the monitor only");
            int tasks = 20_000;
            AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
            CountDownLatch done = new CountDownLatch(tasks);
            s.execute(() -> { // a fan-out from a worker, then from outside: both paths at full size
                for (int i = 0; i < tasks / 2; i++) {
                    int id = i;
                    s.execute(() -> {
                        runs.incrementAndGet(id);
                        done.countDown();
                    });
                }
            });
            for (int i = tasks / 2; i < tasks; i++) {
                int id = i;
                s.execute(() -> {
                    runs.incrementAndGet(id);
                    done.countDown();
                });
            }
            assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "all tasks ran");
            for (int i = 0; i < tasks; i++) {
                assertEquals(1, runs.get(i), "task " + i);
            }
            assertEquals(P, s.stats().processors().size());
        } finally {
            s.shutdown();
        }
        assertTrue(s.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        awaitAllGone("large-");
    }

    @Test
    void anUnusedLargeSchedulerShutsDownAtOnceWithoutStartingItsWorkers() throws Exception {
        WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(P).threadNamePrefix("unused-").build();
        s.shutdown();
        assertTrue(s.isTerminated(), "nothing was ever queued: terminated when shutdown() returns");
        awaitAllGone("unused-");
        assertEquals(0, s.stats().tasksExecuted());
    }
}
