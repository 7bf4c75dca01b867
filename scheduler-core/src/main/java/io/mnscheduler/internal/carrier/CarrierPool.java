package io.mnscheduler.internal.carrier;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What a scheduler's virtual threads are built with (the JDK's {@code VirtualThreadBuilder(Executor)}):
 * it hands every continuation task to the scheduler, and sets the timers of their timed parks and
 * sleeps on the scheduler's own timers.
 *
 * <h2>Why a ForkJoinPool</h2>
 * JDK 25's {@code VirtualThread} sets the timer of a timed park ({@code Thread.sleep},
 * {@code LockSupport.parkNanos}, a timed wait) by calling {@code ForkJoinPool.schedule} when its
 * scheduler is a {@code ForkJoinPool}, and otherwise on one of a few {@code ScheduledThreadPoolExecutor}s
 * it keeps for every other scheduler: one lock and one binary heap per executor (one on a 2-core
 * machine), and a timer thread that unparks each sleeper from outside. 100,000 sleeping virtual
 * threads spent a fifth of their CPU samples in that heap's {@code siftDown} and the lock's
 * signals, and every wake-up came back to the scheduler as an outside submission. Being a
 * {@code ForkJoinPool} is the only way in: so this is one, overriding the two methods the JDK calls
 * on it. {@link #execute} submits a continuation to the scheduler; {@link #schedule} sets the
 * timer on the scheduler's own timers (a heap per processor, run by its workers between tasks), so
 * the wake-up is a local push by the worker that finds it due. The JDK's other uses of a
 * {@code ForkJoinPool} scheduler (lazy and external submission) apply only to its own
 * {@code CarrierThread}s or to its default scheduler, never here, and this pool never starts a
 * thread of its own: nothing else of it is called.
 *
 * <p>Where the scheduler's timers no longer take timers (its heaps closed by {@code shutdownNow()}
 * while virtual threads still run), a timer goes where the JDK would have put it: a shared
 * daemon {@code ScheduledThreadPoolExecutor}, started on first use.
 */
public final class CarrierPool extends ForkJoinPool {
    /** The scheduler's side of {@link #schedule}. */
    @FunctionalInterface
    public interface Timers {
        /**
         * Sets a timer that runs {@code wake} after {@code delayNanos}; null when the scheduler's
         * timers take no more (the caller then uses the fallback).
         */
        ScheduledFuture<?> schedule(Runnable wake, long delayNanos);
    }

    private final Executor continuations; // final
    private final Timers timers;          // final

    /**
     * @param continuations where continuation tasks go
     * @param timers        where the timers of timed parks go
     */
    public CarrierPool(Executor continuations, Timers timers) {
        super(1); // no thread starts: only the two methods below are ever called
        this.continuations = continuations;
        this.timers = timers;
    }

    /** Submits a continuation task of one of the scheduler's virtual threads. */
    @Override
    public void execute(Runnable task) {
        continuations.execute(task);
    }

    /** Sets the timer of a virtual thread's timed park on the scheduler's timers (see the class comment). */
    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        long nanos = unit.toNanos(delay);
        ScheduledFuture<?> f = timers.schedule(command, nanos);
        return f != null ? f : Fallback.TIMER.schedule(command, nanos, TimeUnit.NANOSECONDS);
    }

    /** Sets a wake-up timer on the fallback timer thread: for timers drained by {@code shutdownNow()}. */
    public static ScheduledFuture<?> scheduleOnFallback(Runnable wake, long delayNanos) {
        return Fallback.TIMER.schedule(wake, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The JDK's arrangement for other schedulers, started only when first needed. */
    private static final class Fallback {
        static final ScheduledExecutorService TIMER = newTimer();

        private static ScheduledExecutorService newTimer() {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                    r -> Thread.ofPlatform().daemon().name("mn-virtual-thread-timer").unstarted(r));
            timer.setRemoveOnCancelPolicy(true); // a park ended early cancels its timer: out of the heap at once
            return timer;
        }
    }
}
