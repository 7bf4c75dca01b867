package io.mnscheduler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future of a task given to {@code submit}, {@code invokeAll} or {@code invokeAny}: a
 * {@link FutureTask} whose {@code get()}, called on one of the scheduler's own workers, helps
 * (ForkJoinPool's {@code tryRemoveAndExec}) before it waits.
 *
 * <p><b>Exactly once.</b> Whoever runs the task first claims it, by a CAS of {@code claimed} from
 * FREE to RUN: the worker that takes its queue entry ({@link #run}) or a waiter that runs it inline
 * ({@link Joining}). The loser does nothing: a queue entry whose task a waiter ran is an empty run
 * when its turn comes (or when a thief takes it). {@code shutdownNow()}'s drain competes by a CAS
 * from FREE to HANDED_BACK ({@link #handBack}): a task claimed first ran or runs and is left out of
 * what it hands back; one it wins is run by nobody in the scheduler, but by its new owner if they
 * call {@link #run}. So no queue is searched or changed by
 * a waiter, wherever the entry sits (runnext, a local queue, another processor's, the global
 * queue), and a thief, a hand-off or a drain racing the waiter meet only this one CAS, which
 * FutureTask's own {@code runner} CAS backs up.
 */
public final class JoinableTask<V> extends FutureTask<V> {
    private static final VarHandle CLAIMED;

    static {
        try {
            CLAIMED = MethodHandles.lookup().findVarHandle(JoinableTask.class, "claimed", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Joining joining;  // final: the engine's side of a join
    private volatile int claimed;   // FREE, then CAS to RUN by whoever runs it, or to HANDED_BACK by shutdownNow's drain
    private static final int FREE = 0;
    private static final int RUN = 1;
    private static final int HANDED_BACK = 2;

    JoinableTask(Joining joining, Callable<V> callable) {
        super(callable);
        this.joining = joining;
    }

    JoinableTask(Joining joining, Runnable runnable, V result) {
        super(runnable, result);
        this.joining = joining;
    }

    /** Takes the right to run the task; true for exactly one caller. */
    boolean claim() {
        Interleavings.point();
        return CLAIMED.compareAndSet(this, FREE, RUN);
    }

    /**
     * shutdownNow's drain: takes the task out of the scheduler's hands, so that no queue entry or
     * waiter runs it; false when it was claimed first (it ran or runs, and is not handed back).
     * Whoever receives it from shutdownNow() may still run it ({@link #run}).
     */
    boolean handBack() {
        Interleavings.point();
        return CLAIMED.compareAndSet(this, FREE, HANDED_BACK);
    }

    /** Runs the task once claimed: the helper's inline run. */
    void runClaimed() {
        super.run();
    }

    /** The queue entry's run: the task, unless a waiter ran it inline first; or the run of a task handed back. */
    @Override
    public void run() {
        if (claim() || CLAIMED.compareAndSet(this, HANDED_BACK, RUN)) {
            super.run();
        }
    }

    /**
     * Waits for the task, first running it inline when the caller is one of the scheduler's
     * workers and nobody has started it; otherwise waits as {@code blocking()} does, so its
     * processor serves the queued work meanwhile.
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            joining.awaitDone(this, 0L);
        }
        return super.get();
    }

    /** As {@link #get()}, within {@code timeout}. */
    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long nanos = unit.toNanos(timeout);
        if (!isDone() && nanos > 0) {
            long deadline = System.nanoTime() + nanos;
            joining.awaitDone(this, deadline == 0L ? 1L : deadline);
            nanos = deadline - System.nanoTime();
        }
        return super.get(Math.max(0L, nanos), TimeUnit.NANOSECONDS);
    }

    /** FutureTask's own wait, with or without a deadline (0: none); for Joining. */
    void awaitPlain(long deadline) throws InterruptedException {
        try {
            if (deadline == 0L) {
                super.get();
            } else {
                super.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException | TimeoutException | java.util.concurrent.CancellationException e) {
            // done (or out of time): get() reports it
        }
    }
}
