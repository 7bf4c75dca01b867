package io.mnscheduler;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tasks that wait for tasks: helping joins, their bounds, and the Future contract while helping. */
class JoinTest {

    private static long fib(WorkStealingScheduler s, int n) throws Exception {
        if (n < 2) {
            return n;
        }
        Future<Long> left = s.submit(() -> fib(s, n - 1));
        long right = fib(s, n - 2);
        return left.get() + right;
    }

    @Test
    void recursiveSubmitAndGetFinishesOnFewThreads() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build()) {
            assertEquals(17_711L, s.submit(() -> fib(s, 22)).get(120, TimeUnit.SECONDS));
            assertTrue(s.stats().peakWorkerThreads() <= 2 * 2 + 4 + s.stats().handOffs(),
                    "threads beyond the processors come only from hand-offs: " + s.stats());
        }
    }

    @Test
    void recursiveSubmitAndGetFinishesAtTheWorkerCap() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).maxWorkers(2).build()) {
            assertEquals(6_765L, s.submit(() -> fib(s, 20)).get(120, TimeUnit.SECONDS));
            assertEquals(2, s.stats().peakWorkerThreads());
        }
    }

    private static int chain(WorkStealingScheduler s, int depth) throws Exception {
        if (depth == 0) {
            return 0;
        }
        return s.submit(() -> chain(s, depth - 1)).get() + 1;
    }

    @Test
    void aTenThousandDeepJoinChainDoesNotOverflowTheStack() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            assertEquals(10_000, s.submit(() -> chain(s, 10_000)).get(120, TimeUnit.SECONDS));
            assertTrue(s.stats().peakWorkerThreads() <= 1 + 10_000 / 128 + 2,
                    "one spare per 128 nested inline runs at most: " + s.stats().peakWorkerThreads());
        }
    }

    @Test
    void invokeAllFromATaskHelps() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).maxWorkers(1).build()) {
            int sum = s.submit(() -> {
                List<java.util.concurrent.Callable<Integer>> tasks = new ArrayList<>();
                for (int i = 1; i <= 100; i++) {
                    int v = i;
                    tasks.add(() -> v);
                }
                int total = 0;
                for (Future<Integer> f : s.invokeAll(tasks)) {
                    total += f.get();
                }
                return total;
            }).get(60, TimeUnit.SECONDS);
            assertEquals(5050, sum);
        }
    }

    @Test
    void aTimedGetOfATaskBlockedElsewhereTimesOutAndAnInterruptedOneThrows() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build()) {
            CountDownLatch release = new CountDownLatch(1), started = new CountDownLatch(1);
            Future<?> blocked = s.submit(() -> {
                started.countDown();
                release.await();
                return null;
            });
            assertTrue(started.await(60, TimeUnit.SECONDS)); // running: nobody can help it
            Future<Class<?>> timed = s.submit(() -> {
                try {
                    blocked.get(20, TimeUnit.MILLISECONDS);
                    return null;
                } catch (TimeoutException e) {
                    return e.getClass();
                }
            });
            assertEquals(TimeoutException.class, timed.get(60, TimeUnit.SECONDS));
            AtomicReference<Thread> waiter = new AtomicReference<>();
            CountDownLatch waiting = new CountDownLatch(1);
            Future<Class<?>> interrupted = s.submit(() -> {
                waiter.set(Thread.currentThread());
                waiting.countDown();
                try {
                    blocked.get();
                    return null;
                } catch (InterruptedException e) {
                    return e.getClass();
                }
            });
            assertTrue(waiting.await(60, TimeUnit.SECONDS));
            ObservabilityTest.await(() -> waiter.get().getState() == Thread.State.WAITING, "the waiter parks");
            waiter.get().interrupt();
            assertEquals(InterruptedException.class, interrupted.get(60, TimeUnit.SECONDS));
            release.countDown();
            blocked.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void cancellingATaskRunInlineInterruptsTheHelperOnlyWhileItRunsIt() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).maxWorkers(1).build()) {
            AtomicReference<Future<?>> inner = new AtomicReference<>();
            CountDownLatch innerRunning = new CountDownLatch(1);
            AtomicBoolean innerInterrupted = new AtomicBoolean();
            Future<Boolean> outer = s.submit(() -> {
                Thread helper = Thread.currentThread();
                Future<?> f = s.submit(() -> {
                    assertEquals(helper, Thread.currentThread(), "run inline, on the waiter's thread");
                    innerRunning.countDown();
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        innerInterrupted.set(true);
                    }
                    return null;
                });
                inner.set(f);
                assertThrows(CancellationException.class, f::get);
                return Thread.currentThread().isInterrupted();
            });
            assertTrue(innerRunning.await(60, TimeUnit.SECONDS));
            assertTrue(inner.get().cancel(true));
            assertFalse(outer.get(60, TimeUnit.SECONDS), "the helper's interrupt status is clear after the task");
            assertTrue(innerInterrupted.get(), "the task itself saw the interrupt");
        }
    }

    @Test
    void getFromOutsideTheWorkersWaitsAsBefore() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            CountDownLatch release = new CountDownLatch(1);
            Future<Integer> f = s.submit(() -> {
                release.await();
                return 7;
            });
            assertThrows(TimeoutException.class, () -> f.get(20, TimeUnit.MILLISECONDS));
            release.countDown();
            assertEquals(7, f.get(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aLatchReleasedByATaskQueuedBehindStillFinishesOnOneProcessor() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            CountDownLatch latch = new CountDownLatch(1);
            Future<?> waiter = s.submit(() -> {
                latch.await();
                return null;
            });
            s.execute(latch::countDown);
            waiter.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyJoinedTaskRunsOnceOrIsHandedBackWithShutdownNowInTheMiddle() throws Exception {
        for (int round = 0; round < 20; round++) {
            int slots = 20_000;
            AtomicIntegerArray runs = new AtomicIntegerArray(slots);
            Map<Runnable, Integer> slotOf = java.util.Collections.synchronizedMap(new IdentityHashMap<>());
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build();
            class Node implements java.util.concurrent.Callable<Void> {
                final int slot;
                final int depth;

                Node(int slot, int depth) {
                    this.slot = slot;
                    this.depth = depth;
                }

                @Override
                public Void call() throws Exception {
                    runs.incrementAndGet(slot);
                    if (depth > 0) {
                        List<Future<Void>> children = new ArrayList<>();
                        for (int i = 0; i < 2; i++) {
                            int c = next.getAndIncrement();
                            if (c >= slots) {
                                break;
                            }
                            Node child = new Node(c, depth - 1);
                            try {
                                Future<Void> f = s.submit(child);
                                slotOf.put((Runnable) f, c);
                                accepted.incrementAndGet();
                                children.add(f);
                            } catch (RejectedExecutionException e) {
                                break;
                            }
                        }
                        for (Future<Void> f : children) {
                            try {
                                f.get();
                            } catch (ExecutionException | CancellationException e) {
                                // a child that failed after shutdownNow's interrupt
                            }
                        }
                    }
                    return null;
                }
            }
            List<Future<Void>> roots = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int c = next.getAndIncrement();
                Future<Void> f = s.submit(new Node(c, 10));
                slotOf.put((Runnable) f, c);
                accepted.incrementAndGet();
                roots.add(f);
            }
            ObservabilityTest.await(() -> next.get() > 2_000 * (1 + (int) (System.nanoTime() % 3)) || next.get() >= slots,
                    "the trees grow");
            List<Runnable> returned = s.shutdownNow();
            assertTrue(s.awaitTermination(60, TimeUnit.SECONDS));
            int[] handedBack = new int[slots];
            for (Runnable r : returned) {
                Integer slot = slotOf.get(r);
                assertTrue(slot != null, "only accepted tasks come back");
                handedBack[slot]++;
            }
            int total = 0;
            for (Map.Entry<Runnable, Integer> e : new ArrayList<>(slotOf.entrySet())) {
                int slot = e.getValue();
                assertEquals(1, runs.get(slot) + handedBack[slot], "slot " + slot + ": ran " + runs.get(slot)
                        + ", handed back " + handedBack[slot]);
                total++;
            }
            assertEquals(accepted.get(), total);
        }
    }
}
