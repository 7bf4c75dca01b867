package io.mnscheduler;

import io.mnscheduler.internal.Scheduler;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeoutException;

/**
 * The future of {@link WorkStealingScheduler#submitWithTimeout(Callable, java.time.Duration)}: a task with a
 * timer. If the timer fires first, the future completes with a {@link TimeoutException} and the
 * task, if it is running, is interrupted; if it has not started, it never will. If the task ends
 * first, the timer is cancelled, which takes it out of its heap.
 */
final class TimeoutTask<V> extends FutureTask<V> {
    private final Object lock = new Object();
    private final long timeoutNanos;     // final; for the exception's message
    private Thread runner;               // guarded by lock: the thread running the task, while it runs
    volatile Future<?> timer;            // set before the task is submitted

    private TimeoutTask(Callable<V> task, long timeoutNanos) {
        super(task);
        this.timeoutNanos = timeoutNanos;
    }

    /** {@link WorkStealingScheduler#submitWithTimeout}: checks the arguments, sets the timer, then submits the task. */
    static <V> Future<V> submit(Scheduler engine, Executor executor, Callable<V> task, Duration timeout) {
        Objects.requireNonNull(task, "task = null; allowed: any non-null Callable");
        Duration max = WorkStealingScheduler.MAX_DELAY;
        Objects.requireNonNull(timeout, "timeout = null; allowed: a positive Duration up to " + max);
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(max) > 0) {
            throw new IllegalArgumentException("timeout = " + timeout + "; allowed: a positive Duration up to " + max);
        }
        long nanos = timeout.toNanos();
        TimeoutTask<V> f = new TimeoutTask<>(task, nanos);
        f.timer = engine.schedule(f::timeOut, nanos, 0L); // before the task: a task that ends at once cancels it
        try {
            executor.execute(f);
        } catch (RejectedExecutionException e) {
            f.timer.cancel(false);
            throw e;
        }
        return f;
    }

    @Override
    public void run() {
        synchronized (lock) {
            runner = Thread.currentThread();
        }
        try {
            super.run();
        } finally {
            synchronized (lock) {
                runner = null; // no interrupt reaches the thread after this: the worker clears any before its next task
            }
        }
    }

    /** The timer's action: the task has not finished in time. */
    void timeOut() {
        if (isDone()) {
            return;
        }
        setException(new TimeoutException("the task did not finish within " + Duration.ofNanos(timeoutNanos)));
        synchronized (lock) {
            if (runner != null) {
                runner.interrupt();
            }
        }
    }

    @Override
    protected void done() {
        Future<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
