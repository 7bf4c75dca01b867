package io.mnscheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code ScheduledExecutorService} contract, written once and run against
 * {@code ScheduledThreadPoolExecutor} (which proves the suite) and {@code WorkStealingScheduler}.
 * Waits are on conditions with generous timeouts; "never early" is checked against the clock,
 * which cannot fail by load, and nothing asserts how late.
 */
abstract class ScheduledExecutorContract {
    static final long WAIT_S = 60;

    ScheduledExecutorService executor;

    /** A new executor with {@code parallelism} threads; {@code cancelDelayedOnShutdown} is the shutdown policy for one-shot tasks. */
    abstract ScheduledExecutorService create(int parallelism, boolean cancelDelayedOnShutdown);

    @AfterEach
    void tearDown() throws InterruptedException {
        if (executor != null) {
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        }
    }

    private ScheduledExecutorService start() {
        executor = create(2, false);
        return executor;
    }

    @Test
    void aOneShotTaskRunsOnceAndNeverEarly() throws Exception {
        ScheduledExecutorService e = start();
        long before = System.nanoTime();
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<Long> f = e.schedule(() -> {
            runs.incrementAndGet();
            return System.nanoTime();
        }, 30, TimeUnit.MILLISECONDS);
        long ranAt = f.get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(ranAt - before >= TimeUnit.MILLISECONDS.toNanos(30), "ran " + (ranAt - before) + " ns after, before its delay");
        assertEquals(1, runs.get());
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
    }

    @Test
    void aRunnableOneShotCompletesWithNull() throws Exception {
        ScheduledExecutorService e = start();
        CountDownLatch ran = new CountDownLatch(1);
        ScheduledFuture<?> f = e.schedule(ran::countDown, 1, TimeUnit.MILLISECONDS);
        assertEquals(null, f.get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(0, ran.getCount());
    }

    @Test
    void zeroAndNegativeDelaysRunAtOnce() throws Exception {
        ScheduledExecutorService e = start();
        assertEquals(1, e.schedule(() -> 1, 0, TimeUnit.SECONDS).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(2, e.schedule(() -> 2, -5, TimeUnit.SECONDS).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(3, e.schedule(() -> 3, Long.MIN_VALUE, TimeUnit.NANOSECONDS).get(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void timersFireInDeadlineOrder() throws Exception {
        ScheduledExecutorService e = create(1, false);
        executor = e;
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch gate = new CountDownLatch(1);
        e.execute(() -> { // holds the only thread while the timers are set, so that they all come due together
            try {
                gate.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        List<ScheduledFuture<?>> fs = new ArrayList<>();
        for (int i = 4; i >= 0; i--) {
            int id = i;
            fs.add(e.schedule(() -> order.add(id), 1 + i, TimeUnit.MILLISECONDS));
        }
        long allDue = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(6);
        while (System.nanoTime() < allDue) {
            Thread.sleep(1); // polling the clock until every deadline has passed: then they all come due together
        }
        gate.countDown();
        for (ScheduledFuture<?> f : fs) {
            f.get(WAIT_S, TimeUnit.SECONDS);
        }
        assertEquals(List.of(0, 1, 2, 3, 4), order);
    }

    @Test
    void fixedRateAndFixedDelayRepeatUntilCancelled() throws Exception {
        ScheduledExecutorService e = start();
        for (boolean fixedRate : new boolean[] {true, false}) {
            AtomicInteger runs = new AtomicInteger();
            CountDownLatch five = new CountDownLatch(5);
            Runnable r = () -> {
                runs.incrementAndGet();
                five.countDown();
            };
            ScheduledFuture<?> f = fixedRate ? e.scheduleAtFixedRate(r, 0, 2, TimeUnit.MILLISECONDS)
                    : e.scheduleWithFixedDelay(r, 0, 2, TimeUnit.MILLISECONDS);
            assertTrue(five.await(WAIT_S, TimeUnit.SECONDS));
            assertFalse(f.isDone(), "a periodic task is never done by itself");
            assertTrue(f.cancel(false));
            assertTrue(f.isCancelled());
            assertThrows(CancellationException.class, f::get);
            int afterCancel = runs.get();
            e.schedule(() -> null, 20, TimeUnit.MILLISECONDS).get(WAIT_S, TimeUnit.SECONDS); // ten periods later
            assertTrue(runs.get() <= afterCancel + 1, "stopped after cancel (a run in progress may end): " + runs.get());
        }
    }

    @Test
    void fixedDelayWaitsAfterEachRunEnds() throws Exception {
        ScheduledExecutorService e = start();
        List<Long> starts = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Long> ends = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch three = new CountDownLatch(3);
        ScheduledFuture<?> f = e.scheduleWithFixedDelay(() -> {
            starts.add(System.nanoTime());
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            ends.add(System.nanoTime());
            three.countDown();
        }, 0, 10, TimeUnit.MILLISECONDS);
        assertTrue(three.await(WAIT_S, TimeUnit.SECONDS));
        f.cancel(false);
        for (int i = 1; i < 3; i++) {
            assertTrue(starts.get(i) - ends.get(i - 1) >= TimeUnit.MILLISECONDS.toNanos(10), "the delay counts from the end of a run");
        }
    }

    @Test
    void cancelBeforeFiringPreventsTheRunAndAfterFiringFails() throws Exception {
        ScheduledExecutorService e = start();
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> later = e.schedule(runs::incrementAndGet, 1, TimeUnit.HOURS);
        assertTrue(later.cancel(false));
        assertTrue(later.isCancelled());
        assertTrue(later.isDone());
        assertThrows(CancellationException.class, () -> later.get(1, TimeUnit.SECONDS));
        assertFalse(later.cancel(false), "a second cancel does nothing");
        ScheduledFuture<Integer> soon = e.schedule(() -> 7, 1, TimeUnit.MILLISECONDS);
        assertEquals(7, soon.get(WAIT_S, TimeUnit.SECONDS));
        assertFalse(soon.cancel(false), "too late: it ran");
        assertEquals(0, runs.get());
    }

    @Test
    void aPeriodicTaskThatThrowsStopsAndItsFutureReportsIt() throws Exception {
        ScheduledExecutorService e = start();
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> f = e.scheduleAtFixedRate(() -> {
            if (runs.incrementAndGet() == 3) {
                throw new IllegalStateException("third run fails");
            }
        }, 0, 1, TimeUnit.MILLISECONDS);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> f.get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, failure.getCause());
        e.schedule(() -> null, 20, TimeUnit.MILLISECONDS).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(3, runs.get(), "no run after the failure");
    }

    @Test
    void afterShutdownDelayedOneShotsStillRunAndPeriodicTasksStop() throws Exception {
        ScheduledExecutorService e = start();
        AtomicInteger periodicRuns = new AtomicInteger();
        CountDownLatch periodicStarted = new CountDownLatch(1);
        ScheduledFuture<?> periodic = e.scheduleAtFixedRate(() -> {
            periodicRuns.incrementAndGet();
            periodicStarted.countDown();
        }, 0, 1, TimeUnit.MILLISECONDS);
        assertTrue(periodicStarted.await(WAIT_S, TimeUnit.SECONDS));
        ScheduledFuture<String> delayed = e.schedule(() -> "still ran", 50, TimeUnit.MILLISECONDS);
        e.shutdown();
        assertThrows(RejectedExecutionException.class, () -> e.schedule(() -> 1, 1, TimeUnit.MILLISECONDS));
        assertThrows(RejectedExecutionException.class, () -> e.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.MILLISECONDS));
        assertEquals("still ran", delayed.get(WAIT_S, TimeUnit.SECONDS));
        assertTrue(e.awaitTermination(WAIT_S, TimeUnit.SECONDS), "terminates after the delayed task");
        assertTrue(periodic.isDone(), "the periodic task stopped");
        int runs = periodicRuns.get();
        assertEquals(runs, periodicRuns.get());
    }

    @Test
    void withTheCancelPolicyShutdownCancelsDelayedOneShots() throws Exception {
        executor = create(2, true);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> delayed = executor.schedule(runs::incrementAndGet, 1, TimeUnit.HOURS);
        executor.shutdown();
        assertTrue(executor.awaitTermination(WAIT_S, TimeUnit.SECONDS), "nothing left to wait for");
        assertTrue(delayed.isCancelled());
        assertEquals(0, runs.get());
    }

    @Test
    void shutdownNowReturnsTheDelayedTasks() throws Exception {
        ScheduledExecutorService e = start();
        List<Future<?>> set = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            set.add(e.schedule(() -> { }, 1, TimeUnit.HOURS));
        }
        set.add(e.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.HOURS));
        List<Runnable> returned = e.shutdownNow();
        for (Future<?> f : set) {
            assertTrue(returned.stream().anyMatch(r -> r == f), "returned: " + f);
            assertFalse(f.isDone(), "returned, not run and not cancelled");
        }
        assertTrue(e.awaitTermination(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void invokeAllAndSubmitStillWork() throws Exception {
        ScheduledExecutorService e = start();
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int v = i;
            tasks.add(() -> v * v);
        }
        int sum = 0;
        for (Future<Integer> f : e.invokeAll(tasks)) {
            sum += f.get();
        }
        assertEquals(285, sum);
        assertEquals(4, e.submit(() -> 4).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals(Integer.valueOf(9), e.invokeAny(List.<Callable<Integer>>of(() -> 9)));
    }

    @Test
    void getDelayShrinksAndFuturesOrderByDeadline() {
        ScheduledExecutorService e = start();
        ScheduledFuture<?> near = e.schedule(() -> { }, 1, TimeUnit.HOURS);
        ScheduledFuture<?> far = e.schedule(() -> { }, 2, TimeUnit.HOURS);
        long d = near.getDelay(TimeUnit.MINUTES);
        assertTrue(d <= 60 && d >= 58, "delay " + d);
        assertTrue(near.compareTo(far) < 0);
        assertTrue(far.compareTo(near) > 0);
        assertEquals(0, near.compareTo(near));
    }

    @Test
    void badArgumentsAreRefused() {
        ScheduledExecutorService e = start();
        assertThrows(NullPointerException.class, () -> e.schedule((Runnable) null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.schedule((Callable<?>) null, 1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.schedule(() -> { }, 1, null));
        assertThrows(IllegalArgumentException.class, () -> e.scheduleAtFixedRate(() -> { }, 0, 0, TimeUnit.SECONDS));
        assertThrows(IllegalArgumentException.class, () -> e.scheduleWithFixedDelay(() -> { }, 0, -1, TimeUnit.SECONDS));
        assertThrows(NullPointerException.class, () -> e.scheduleAtFixedRate(null, 0, 1, TimeUnit.SECONDS));
    }

    @Test
    void everyScheduledTaskRunsOnceWhenMany() throws Exception {
        ScheduledExecutorService e = start();
        int n = 2_000;
        AtomicLong[] runs = new AtomicLong[n];
        CountDownLatch all = new CountDownLatch(n);
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            AtomicLong r = runs[i] = new AtomicLong();
            e.schedule(() -> {
                r.incrementAndGet();
                all.countDown();
            }, random.nextInt(20), TimeUnit.MILLISECONDS);
        }
        assertTrue(all.await(WAIT_S, TimeUnit.SECONDS));
        e.shutdown();
        assertTrue(e.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        for (AtomicLong r : runs) {
            assertEquals(1, r.get());
        }
    }
}
