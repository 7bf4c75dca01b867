package io.mnscheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the contract suite cannot say about mn-scheduler's timers: the stats, the argument checks,
 * {@code submitWithTimeout}, timers on a processor whose worker blocks, cancellations that leave
 * nothing behind, and exactly-once under a stress with {@code shutdownNow()} in the middle.
 */
class TimerTest {
    private static final long WAIT_S = 60;

    private WorkStealingScheduler scheduler;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        }
    }

    @Test
    void theStatsCountPendingFiredAndCancelledTimers() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).build();
        ScheduledFuture<?> later = scheduler.schedule(() -> { }, 1, TimeUnit.HOURS);
        ScheduledFuture<?> alsoLater = scheduler.schedule(() -> { }, 2, TimeUnit.HOURS);
        assertEquals(2, scheduler.stats().delayedTasks());
        scheduler.schedule(() -> 1, 1, TimeUnit.MILLISECONDS).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(later.cancel(false));
        SchedulerStats s = scheduler.stats();
        assertEquals(1, s.delayedTasks(), s.toString());
        assertEquals(1, s.timersFired(), s.toString());
        assertEquals(1, s.timersCancelled(), s.toString());
        assertFalse(alsoLater.isDone());
    }

    @Test
    void badDelaysArePutInWordsNamingTheArgument() {
        scheduler = WorkStealingScheduler.builder().parallelism(1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.schedule(() -> { }, Long.MAX_VALUE, TimeUnit.DAYS));
        assertEquals("delay = 9223372036854775807 DAYS; allowed: at most " + WorkStealingScheduler.MAX_DELAY
                + " (0 or less runs at once)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.scheduleAtFixedRate(() -> { }, 0, 0, TimeUnit.SECONDS));
        assertTrue(e.getMessage().startsWith("period = 0 SECONDS; allowed: positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.scheduleWithFixedDelay(() -> { }, 0, -2, TimeUnit.SECONDS));
        assertTrue(e.getMessage().startsWith("delay = -2 SECONDS; allowed: positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> scheduler.scheduleAtFixedRate(() -> { }, Long.MAX_VALUE, 1, TimeUnit.HOURS));
        assertTrue(e.getMessage().startsWith("initialDelay = " + Long.MAX_VALUE + " HOURS"), e.getMessage());
        NullPointerException n = assertThrows(NullPointerException.class, () -> scheduler.schedule(() -> { }, 1, null));
        assertEquals("unit = null; allowed: any TimeUnit", n.getMessage());
        n = assertThrows(NullPointerException.class, () -> scheduler.schedule((Runnable) null, 1, TimeUnit.SECONDS));
        assertEquals("command = null; allowed: any non-null Runnable", n.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scheduler.submitWithTimeout(() -> 1, Duration.ZERO));
        assertTrue(e.getMessage().startsWith("timeout = PT0S; allowed: a positive Duration"), e.getMessage());
    }

    @Test
    void submitWithTimeoutInterruptsATaskThatRunsTooLongAndLeavesOneThatFinishes() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).build();
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch ended = new CountDownLatch(1);
        Future<String> slow = scheduler.submitWithTimeout(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(WAIT_S));
                return "too late";
            } catch (InterruptedException e) {
                interrupted.set(true);
                throw e;
            } finally {
                ended.countDown();
            }
        }, Duration.ofMillis(50));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> slow.get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(TimeoutException.class, failure.getCause());
        assertTrue(ended.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(interrupted.get(), "the running task was interrupted");

        Future<String> quick = scheduler.submitWithTimeout(() -> "in time", Duration.ofHours(1));
        assertEquals("in time", quick.get(WAIT_S, TimeUnit.SECONDS));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (scheduler.stats().delayedTasks() != 0 && System.nanoTime() < until) {
            Thread.sleep(1); // the timer is cancelled as the task completes: polling that condition
        }
        assertEquals(0, scheduler.stats().delayedTasks(), "the timer of a task that finished in time is gone");
        scheduler.shutdown();
        assertThrows(RejectedExecutionException.class, () -> scheduler.submitWithTimeout(() -> 1, Duration.ofSeconds(1)));
    }

    @Test
    void aMillionTimeoutsSetAndCancelledLeaveNothingBehind() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).build();
        int n = 1_000_000;
        CountDownLatch done = new CountDownLatch(2);
        Runnable churn = () -> { // from a worker (its own processor's heap) and from outside
            for (int i = 0; i < n / 2; i++) {
                assertTrue(scheduler.schedule(() -> { }, 30, TimeUnit.SECONDS).cancel(false));
            }
            done.countDown();
        };
        scheduler.execute(churn);
        churn.run();
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
        SchedulerStats s = scheduler.stats();
        assertEquals(0, s.delayedTasks(), "every cancelled timer left its heap");
        assertEquals(n, s.timersCancelled());
        assertEquals(0, s.timersFired());
    }

    @Test
    void timersOnAProcessorWhoseWorkerBlocksStillFire() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fired = new CountDownLatch(3);
        Future<?> blocker = scheduler.submit(() -> {
            // Timers set from the worker go into its own processor's heap; then its task blocks.
            for (int i = 0; i < 3; i++) {
                scheduler.schedule(fired::countDown, 5, TimeUnit.MILLISECONDS);
            }
            return release.await(WAIT_S, TimeUnit.SECONDS);
        });
        assertTrue(fired.await(WAIT_S, TimeUnit.SECONDS), "the timers fired while their processor's worker blocked");
        assertFalse(blocker.isDone(), "the blocker still holds its thread");
        assertTrue(scheduler.stats().handOffs() >= 1, "the monitor handed the processor off: " + scheduler.stats());
        release.countDown();
        blocker.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void aSearchingWorkerRunsTheDueTimersOfABusyProcessor() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).handOffTicks(1000) // no hand-off: only a thief can
                .preemptionTick(Duration.ofSeconds(1)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fired = new CountDownLatch(1);
        AtomicInteger keepSecondBusy = new AtomicInteger();
        CountDownLatch busy = new CountDownLatch(1);
        Future<?> blocker = scheduler.submit(() -> {
            scheduler.schedule(fired::countDown, 5, TimeUnit.MILLISECONDS); // into this processor's heap
            busy.countDown();
            while (release.getCount() > 0) {
                Thread.onSpinWait(); // busy: its own timers wait until it is back
            }
            return null;
        });
        // Keep the other worker cycling through tasks, so that it searches and finds the due timer.
        Runnable[] again = new Runnable[1];
        again[0] = () -> {
            if (fired.getCount() > 0 && keepSecondBusy.incrementAndGet() < 10_000_000) {
                scheduler.schedule(again[0], 1, TimeUnit.MILLISECONDS);
            }
        };
        assertTrue(busy.await(WAIT_S, TimeUnit.SECONDS));
        scheduler.execute(again[0]); // worker 0 runs a task, so this wakes (starts) worker 1, whose timers then keep it coming back
        assertTrue(fired.await(WAIT_S, TimeUnit.SECONDS), "the busy processor's due timer fired");
        release.countDown();
        blocker.get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(0, scheduler.stats().handOffs(), "no hand-off: another worker took the timer");
    }

    @Test
    void exactlyOnceUnderStressWithShutdownNowInTheMiddle() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).threadNamePrefix("stress-").build();
        int threads = 4;
        int perThread = 250_000; // 1,000,000 timers in all
        int total = threads * perThread;
        AtomicIntegerArray ran = new AtomicIntegerArray(total);
        AtomicIntegerArray cancelled = new AtomicIntegerArray(total);
        List<List<ScheduledFuture<?>>> futures = new ArrayList<>();
        AtomicIntegerArray accepted = new AtomicIntegerArray(total);
        CountDownLatch halfway = new CountDownLatch(threads);
        List<Thread> setters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int base = t * perThread;
            List<ScheduledFuture<?>> mine = Collections.synchronizedList(new ArrayList<>());
            futures.add(mine);
            Thread setter = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(base);
                for (int i = 0; i < perThread; i++) {
                    int id = base + i;
                    if (i == perThread / 2) {
                        halfway.countDown();
                    }
                    ScheduledFuture<?> f;
                    try {
                        f = scheduler.schedule(() -> ran.incrementAndGet(id), random.nextInt(50), TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException rejected) {
                        continue; // after shutdownNow(): never accepted
                    }
                    accepted.set(id, 1);
                    mine.add(f);
                    if (random.nextBoolean() && f.cancel(false)) {
                        cancelled.set(id, 1);
                    }
                }
            });
            setters.add(setter);
            setter.start();
        }
        assertTrue(halfway.await(WAIT_S, TimeUnit.SECONDS));
        List<Runnable> returned = scheduler.shutdownNow();
        for (Thread setter : setters) {
            setter.join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertFalse(setter.isAlive());
        }
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        Set<Runnable> back = Collections.newSetFromMap(new IdentityHashMap<>());
        back.addAll(returned);
        int acceptedCount = 0;
        int ranCount = 0;
        int returnedCount = 0;
        int cancelledCount = 0;
        for (int t = 0; t < threads; t++) {
            List<ScheduledFuture<?>> mine = futures.get(t);
            int k = 0;
            for (int i = 0; i < perThread; i++) {
                int id = t * perThread + i;
                if (accepted.get(id) == 0) {
                    assertEquals(0, ran.get(id), "task " + id + " was refused, yet it ran");
                    continue;
                }
                ScheduledFuture<?> f = mine.get(k++);
                acceptedCount++;
                int r = ran.get(id);
                boolean c = cancelled.get(id) == 1;
                boolean b = back.contains((Runnable) f);
                // A FutureTask's cancel() succeeds while the task runs (cancel(false) does not stop it), so
                // "ran and cancelled" is one outcome: the future says cancelled. A returned task never runs.
                assertTrue(r <= 1, "task " + id + " ran " + r + " times");
                assertTrue(!b || r == 0, "task " + id + " was handed back by shutdownNow(), yet it ran");
                assertTrue(b || c || r == 1, "task " + id + " was lost: not run, not cancelled, not returned");
                ranCount += c ? 0 : r;
                cancelledCount += c ? 1 : 0;
                returnedCount += b && !c ? 1 : 0;
            }
        }
        System.out.printf("timer stress: %,d accepted = %,d fired + %,d returned + %,d cancelled%n",
                acceptedCount, ranCount, returnedCount, cancelledCount);
        assertEquals(acceptedCount, ranCount + returnedCount + cancelledCount);
        assertTrue(acceptedCount > total / 2, "at least the first half was accepted");
    }
}
