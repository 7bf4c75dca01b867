package io.mnscheduler;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Millions of numbered tasks, from outside threads and from tasks on the workers, each counting
 * itself in its own slot: every slot must end at exactly one. Small local queues force overflow to
 * the global queue and steals; several parallelisms force both oversubscription and idle workers.
 */
class ExactlyOnceStressTest {
    private static final long WAIT_S = 120;

    @ParameterizedTest(name = "parallelism {0}, queue {1}")
    @CsvSource({"1, 4", "2, 4", "4, 16", "8, 256"})
    void everyTaskRunsExactlyOnce(int parallelism, int capacity) throws Exception {
        int outsideThreads = 3;
        int perOutsideThread = 200_000;
        int spawners = 40;             // outside tasks that each spawn children from a worker
        int childrenPerSpawner = 20_000;
        int total = outsideThreads * perOutsideThread + spawners * (1 + childrenPerSpawner);
        AtomicIntegerArray runs = new AtomicIntegerArray(total);
        CountDownLatch done = new CountDownLatch(total);
        AtomicInteger nextId = new AtomicInteger();

        try (WorkStealingScheduler s = WorkStealingScheduler.builder()
                .parallelism(parallelism).localQueueCapacity(capacity).build()) {
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < outsideThreads; t++) {
                producers.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perOutsideThread; i++) {
                        int id = nextId.getAndIncrement();
                        s.execute(() -> {
                            runs.incrementAndGet(id);
                            done.countDown();
                        });
                    }
                }));
            }
            for (int k = 0; k < spawners; k++) {
                int spawnerId = nextId.getAndIncrement();
                s.execute(() -> {
                    for (int c = 0; c < childrenPerSpawner; c++) {
                        int id = nextId.getAndIncrement();
                        s.execute(() -> {
                            runs.incrementAndGet(id);
                            done.countDown();
                        });
                    }
                    runs.incrementAndGet(spawnerId);
                    done.countDown();
                });
            }
            for (Thread p : producers) {
                p.join();
            }
            assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "all tasks ran; missing " + done.getCount());
            SchedulerStats stats = s.stats();
            assertEquals(total, nextId.get());
            for (int i = 0; i < total; i++) {
                if (runs.get(i) != 1) {
                    throw new AssertionError("task " + i + " ran " + runs.get(i) + " times");
                }
            }
            // The counters agree with what ran (a task's count is taken right after it returns).
            long executed = s.stats().tasksExecuted();
            assertTrue(executed >= total - parallelism && executed <= total, "executed " + executed);
            if (capacity <= 16) {
                assertTrue(stats.overflows() > 0, "small queues overflowed: " + stats);
            }
        }
    }

    @ParameterizedTest(name = "parallelism {0}")
    @CsvSource({"1", "2", "4"})
    void shutdownNowInTheMiddleLosesNothing(int parallelism) throws Exception {
        for (int round = 0; round < 20; round++) {
            int perProducer = 20_000;
            int producers = 3;
            int slots = producers * perProducer * 3;
            AtomicIntegerArray runs = new AtomicIntegerArray(slots);
            AtomicIntegerArray accepted = new AtomicIntegerArray(slots);
            AtomicInteger nextId = new AtomicInteger();
            WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(parallelism).localQueueCapacity(8).build();
            CountDownLatch halfway = new CountDownLatch(producers);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        if (i == perProducer / 2) {
                            halfway.countDown();
                        }
                        int id = nextId.getAndIncrement();
                        Runnable task = new Numbered(id, () -> {
                            runs.incrementAndGet(id);
                            // Tasks submit children from the worker too, so the local path races shutdownNow.
                            int child = nextId.getAndIncrement();
                            if (child < slots) {
                                try {
                                    s.execute(new Numbered(child, () -> runs.incrementAndGet(child)));
                                    accepted.incrementAndGet(child);
                                } catch (RejectedExecutionException expected) {
                                    // refused: must never run
                                }
                            }
                        });
                        try {
                            s.execute(task);
                            accepted.incrementAndGet(id);
                        } catch (RejectedExecutionException expected) {
                            // refused: must never run
                        }
                    }
                }));
            }
            assertTrue(halfway.await(WAIT_S, TimeUnit.SECONDS));
            List<Runnable> returned = s.shutdownNow();
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(s.awaitTermination(WAIT_S, TimeUnit.SECONDS));
            AtomicIntegerArray back = new AtomicIntegerArray(slots);
            for (Runnable r : returned) {
                back.incrementAndGet(((Numbered) r).id());
            }
            for (int id = 0; id < Math.min(nextId.get(), slots); id++) {
                int a = accepted.get(id);
                int ran = runs.get(id);
                int b = back.get(id);
                if (ran + b != a) {
                    throw new AssertionError("round " + round + ": task " + id + " accepted " + a + ", ran " + ran + ", returned " + b);
                }
            }
        }
    }

    /**
     * shutdown() at random moments of small bursts, so that it often meets a scheduler that just went
     * idle, or is about to: every accepted task runs exactly once, and when the scheduler reports
     * itself terminated as shutdown() returns, every accepted task has already run and none runs
     * later. Seeded, so a failing round can be replayed.
     */
    @ParameterizedTest(name = "parallelism {0}")
    @CsvSource({"1", "2", "4"})
    void shutdownAtAnyMomentRunsEveryAcceptedTaskAndTerminatesOnlyWhenNothingIsLeft(int parallelism) throws Exception {
        java.util.Random random = new java.util.Random(42L + parallelism);
        int early = 0;
        for (int round = 0; round < 300; round++) {
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger ran = new AtomicInteger();
            AtomicInteger finished = new AtomicInteger(); // counted as each task's last step
            WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(parallelism).localQueueCapacity(4).build();
            int burst = random.nextInt(40);
            int spins = random.nextInt(3) == 0 ? 0 : random.nextInt(200_000);
            for (int i = 0; i < burst; i++) {
                boolean withChild = random.nextBoolean();
                int work = random.nextInt(4) == 0 ? random.nextInt(100_000) : 0; // some tasks are still running at shutdown
                s.execute(() -> {
                    ran.incrementAndGet();
                    for (int w = 0; w < work; w++) {
                        Thread.onSpinWait();
                    }
                    if (withChild) {
                        try {
                            s.execute(() -> {
                                ran.incrementAndGet();
                                finished.incrementAndGet();
                            });
                            accepted.incrementAndGet();
                        } catch (RejectedExecutionException expected) {
                            // refused: must never run
                        }
                    }
                    finished.incrementAndGet();
                });
                accepted.incrementAndGet();
            }
            for (int i = 0; i < spins; i++) {
                Thread.onSpinWait(); // lets the burst run partly, wholly, or not at all
            }
            s.shutdown();
            if (s.isTerminated()) {
                early++;
                int ranThen = ran.get();
                assertEquals(accepted.get(), finished.get(), "round " + round + ": terminated with tasks left or running");
                s.close();
                assertEquals(ranThen, ran.get(), "round " + round + ": a task ran after termination");
            }
            assertTrue(s.awaitTermination(WAIT_S, TimeUnit.SECONDS));
            assertEquals(accepted.get(), ran.get(), "round " + round);
            assertEquals(accepted.get(), finished.get(), "round " + round);
        }
        System.out.println("parallelism " + parallelism + ": terminated as shutdown() returned in " + early + " of 300 rounds");
    }

    /** A task with a number, so that returned tasks can be told apart. */
    private record Numbered(int id, Runnable body) implements Runnable {
        @Override
        public void run() {
            body.run();
        }
    }
}
