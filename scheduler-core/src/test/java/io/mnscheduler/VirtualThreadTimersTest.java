package io.mnscheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timers of virtual threads' timed parks ({@code Thread.sleep}, {@code LockSupport.parkNanos}):
 * set on the scheduler's own timers (CarrierPool), not on the JDK's timer threads, kept by
 * {@code shutdown()} even with cancelDelayedTasksOnShutdown, and never handed back by
 * {@code shutdownNow()}, whose sleeping threads still wake. Runs in the virtual-threads execution.
 */
@Tag("virtual-threads")
class VirtualThreadTimersTest {
    private static final long WAIT_S = 120;

    private WorkStealingScheduler scheduler;

    @AfterEach
    void stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS), "terminated");
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting until " + what);
            Thread.sleep(1);
        }
    }

    @Test
    void aSleepWaitsOnOurTimersAndACancelledParkLeavesThem() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).build();
        AtomicLong slept = new AtomicLong();
        Thread sleeper = scheduler.virtualThreadBuilder().start(() -> {
            long t0 = System.nanoTime();
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            slept.set(System.nanoTime() - t0);
        });
        await(() -> scheduler.stats().delayedTasks() == 1, "the sleep's timer is in our heaps");
        assertTrue(sleeper.join(Duration.ofSeconds(WAIT_S)), "the sleeper woke");
        assertTrue(slept.get() >= TimeUnit.MILLISECONDS.toNanos(300), "slept at least 300 ms: " + slept.get());
        assertTrue(scheduler.stats().timersFired() >= 1, "its timer fired: " + scheduler.stats());

        long cancelledBefore = scheduler.stats().timersCancelled();
        Thread parker = scheduler.virtualThreadBuilder().start(() -> LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(600)));
        await(() -> scheduler.stats().delayedTasks() == 1, "the park's timer is in our heaps");
        LockSupport.unpark(parker);
        assertTrue(parker.join(Duration.ofSeconds(WAIT_S)), "the parker woke when unparked");
        await(() -> scheduler.stats().delayedTasks() == 0, "the park's timer left the heap");
        assertEquals(cancelledBefore + 1, scheduler.stats().timersCancelled(), "cancelled once");
    }

    @Test
    void shutdownKeepsASleepersWakeUpEvenWhenItCancelsDelayedTasks() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).cancelDelayedTasksOnShutdown(true).build();
        AtomicBoolean woke = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sleeper = scheduler.virtualThreadBuilder().start(() -> {
            try {
                Thread.sleep(300);
                woke.set(true);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        await(() -> scheduler.stats().delayedTasks() == 1, "the sleep's timer is in our heaps");
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS), "terminated once the sleeper ended");
        assertTrue(sleeper.join(Duration.ofSeconds(WAIT_S)));
        assertNull(failure.get(), "the sleep ended normally");
        assertTrue(woke.get(), "the sleeper woke");
    }

    @Test
    void shutdownNowHandsBackNoWakeUpAndASleeperThatIgnoresInterruptsStillWakes() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).build();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long napNanos = TimeUnit.MILLISECONDS.toNanos(400);
        Thread sleeper = scheduler.virtualThreadBuilder().start(() -> {
            try {
                long deadline = System.nanoTime() + napNanos;
                for (long left; (left = deadline - System.nanoTime()) > 0; ) {
                    Thread.interrupted(); // ignores shutdownNow's interrupt, so it parks again: on the fallback timer
                    LockSupport.parkNanos(left);
                }
                done.set(true);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        await(() -> scheduler.stats().delayedTasks() == 1, "the park's timer is in our heaps");
        List<Runnable> handedBack = scheduler.shutdownNow();
        assertEquals(List.of(), handedBack, "a virtual thread's wake-up is no task of the caller's");
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS), "terminated once the sleeper ended");
        assertTrue(sleeper.join(Duration.ofSeconds(WAIT_S)));
        assertNull(failure.get(), "no timer was refused");
        assertTrue(done.get(), "the sleeper reached its deadline");
    }
}
