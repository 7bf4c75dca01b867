package io.mnscheduler;

import java.util.concurrent.Callable;
import java.util.concurrent.Future;
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

    TimeoutTask(Callable<V> task, long timeoutNanos) {
        super(task);
        this.timeoutNanos = timeoutNanos;
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
        setException(new TimeoutException("the task did not finish within " + java.time.Duration.ofNanos(timeoutNanos)));
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
