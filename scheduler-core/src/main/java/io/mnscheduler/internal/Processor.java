package io.mnscheduler.internal;

import io.mnscheduler.internal.queue.RunQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import io.mnscheduler.internal.stats.ProcessorCounters;

abstract class ProcessorPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

abstract class ProcessorHot extends ProcessorPad0 {
    volatile int state;            // (epoch << 3) | Scheduler.P_*: owner stores from SCHEDULING/SUBMITTING; CAS by owner, monitor, shutdownNow
    volatile Runnable runnext;     // set by the owner (a release store when empty, since others only ever null it; else getAndSet); taken by the owner (getAndSet), thieves and shutdownNow (CAS/getAndSet)
    int schedTick;                 // tasks started; owner writes opaque, the monitor reads opaque
    volatile boolean preempt;      // set by the monitor, cleared by the owner when its next task starts
}

abstract class ProcessorPad1 extends ProcessorHot {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/**
 * A processor (Go's P): the right to run tasks, with its run queue, its {@code runnext} slot and
 * its counters. Exactly one worker holds it at a time; the fields without a comment of their own
 * are touched only by that worker.
 */
final class Processor extends ProcessorPad1 {
    private static final VarHandle STATE;
    private static final VarHandle RUNNEXT;
    private static final VarHandle YIELDED_COUNT;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ProcessorHot.class, "state", int.class);
            RUNNEXT = MethodHandles.lookup().findVarHandle(ProcessorHot.class, "runnext", Runnable.class);
            YIELDED_COUNT = MethodHandles.lookup().findVarHandle(Processor.class, "yieldedCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int id;                          // final
    final RunQueue queue;                  // final; see RunQueue for who may call what
    final ProcessorCounters counters;      // final; single writer: the holding worker
    final Runnable[] scratch;              // owner only: batches moved to or from the global queue
    int fairnessCountdown;                 // owner only: ticks until the global queue is polled first
    int runnextStreak;                     // owner only: consecutive tasks taken from runnext
    long oldestTakenNanos;                 // owner only: when a fairness tick last took the oldest local task
    final ArrayDeque<Runnable> yielded;    // owner only: continuations that yielded here, oldest first
    int yieldedCount;                      // yielded's size: the owner writes opaque; the monitor and stats read opaque
    volatile Worker owner;                 // the worker holding it; written by that worker when it takes it; read by shutdownNow

    /*
     * The state word's accesses, each after a schedule point (see Interleavings), so that the
     * hand-off protocol can be explored; Scheduler's overview says who may make which transition.
     */

    /** A volatile read of the state word. */
    int word() {
        Interleavings.point();
        return state;
    }

    /** A CAS of the state word (volatile semantics). */
    boolean casWord(int expected, int next) {
        Interleavings.point();
        return STATE.compareAndSet(this, expected, next);
    }

    /** A releasing store, for transitions only the owner may make. */
    void releaseWord(int next) {
        Interleavings.point();
        STATE.setRelease(this, next);
    }

    /** A volatile store, for the owner's last transition (to STOPPED). */
    void volatileWord(int next) {
        Interleavings.point();
        STATE.setVolatile(this, next);
    }

    /*
     * The runnext slot's accesses, likewise each after a schedule point. Only the owner ever makes
     * the slot non-null; the owner, thieves and shutdownNow make it null, each by an atomic swap or
     * CAS, so each task put there is taken exactly once.
     */

    /** Any thread: a volatile read of runnext. */
    Runnable runnext() {
        Interleavings.point();
        return runnext;
    }

    /**
     * Owner only, having read the slot empty: a releasing store suffices, since nobody else can
     * have filled it meanwhile. The release publishes the task's fields to the thief whose
     * acquiring read (in {@link #casRunnext}) sees it.
     */
    void fillEmptyRunnext(Runnable task) {
        Interleavings.point();
        RUNNEXT.setRelease(this, task);
    }

    /** Any thread: swaps the slot's content (volatile semantics); the previous task, or null. */
    Runnable swapRunnext(Runnable task) {
        Interleavings.point();
        return (Runnable) RUNNEXT.getAndSet(this, task);
    }

    /** A thief: takes {@code seen} from the slot if it is still there (volatile semantics). */
    boolean casRunnext(Runnable seen) {
        Interleavings.point();
        return RUNNEXT.compareAndSet(this, seen, null);
    }

    Processor(int id, int capacity, int fairnessInterval) {
        this.id = id;
        this.queue = new RunQueue(capacity);
        this.counters = new ProcessorCounters();
        this.scratch = new Runnable[capacity / 2 + 1];
        this.fairnessCountdown = fairnessInterval;
        this.yielded = new ArrayDeque<>();
    }

    /** Owner only: puts a continuation that yielded behind everything else here. */
    void addYielded(Runnable task) {
        yielded.addLast(task);
        YIELDED_COUNT.setOpaque(this, yielded.size());
    }

    /** Owner only: the oldest yielded continuation, or null. */
    Runnable pollYielded() {
        Runnable t = yielded.pollFirst();
        if (t != null) {
            YIELDED_COUNT.setOpaque(this, yielded.size());
        }
        return t;
    }

    /** Owner only: the newest yielded continuation, or null. */
    Runnable pollNewestYielded() {
        Runnable t = yielded.pollLast();
        if (t != null) {
            YIELDED_COUNT.setOpaque(this, yielded.size());
        }
        return t;
    }

    /** Any thread: the yielded continuations waiting here; racy, as a hint. */
    int yieldedCount() {
        return (int) YIELDED_COUNT.getOpaque(this);
    }
}
