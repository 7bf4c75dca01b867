package io.mnscheduler.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A task set to run after a delay, once or periodically: the {@code ScheduledFuture} that
 * {@code WorkStealingScheduler.schedule} and its periodic forms return, and the timer that sits in
 * one processor's {@link TimerHeap} until it is due. When due it is pushed onto a processor's run
 * queue like any task; cancelling it removes it from its heap at once (O(log n)), or, once it was
 * pushed, makes its run do nothing.
 *
 * @param <V> the result type
 */
public final class DelayedTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final Timers timers;      // final
    final boolean wake;               // final: the timer of a virtual thread's timed park (Timers.scheduleWake)
    long sequence;                    // the order among equal deadlines in its heap; set by each add, under the heap's lock
    private final long period;        // final: 0 once; positive: fixed rate; negative: fixed delay (nanoseconds)
    long deadline;                    // System.nanoTime() when due; written before each add, read under the heap's lock
    int heapIndex = -1;               // guarded by the lock of the heap it is in
    volatile TimerHeap heap;          // the heap it is in, or null; written under that heap's lock, read racily by cancel

    DelayedTask(Timers timers, Callable<V> task, long deadline, long period) {
        super(task);
        this.timers = timers;
        this.deadline = deadline;
        this.period = period;
        this.wake = false;
    }

    DelayedTask(Timers timers, Runnable task, V result, long deadline, long period) {
        this(timers, task, result, deadline, period, false);
    }

    DelayedTask(Timers timers, Runnable task, V result, long deadline, long period, boolean wake) {
        super(task, result);
        this.timers = timers;
        this.deadline = deadline;
        this.period = period;
        this.wake = wake;
    }

    @Override
    public boolean isPeriodic() {
        return period != 0;
    }

    /** Runs the task; a periodic one that completes normally is set again for its next time. */
    @Override
    public void run() {
        if (!isPeriodic()) {
            super.run();
        } else if (runAndReset()) { // false when cancelled or when it threw: it stops, and get() reports why
            deadline = period > 0 ? deadline + period : System.nanoTime() - period;
            timers.rearm(this);
        }
    }

    /** Cancels the task, and takes its timer out of its processor's heap if it is still there. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            timers.cancelled(this);
        }
        return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        if (other == this) {
            return 0;
        }
        if (other instanceof DelayedTask<?> t) {
            long d = deadline - t.deadline;
            return d < 0 ? -1 : d > 0 ? 1 : Long.compare(sequence, t.sequence);
        }
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }
}
