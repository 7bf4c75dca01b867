package io.mnscheduler.internal;

import io.mnscheduler.internal.queue.RunQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import io.mnscheduler.internal.stats.ProcessorCounters;

abstract class ProcessorPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

abstract class ProcessorHot extends ProcessorPad0 {
    volatile int state;            // (epoch << 3) | Scheduler.P_*: owner stores from SCHEDULING/SUBMITTING; CAS by owner, monitor, shutdownNow
    volatile Runnable runnext;     // set by the owner (getAndSet); taken by the owner (getAndSet), thieves and shutdownNow (CAS/getAndSet)
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

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ProcessorHot.class, "state", int.class);
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

    Processor(int id, int capacity, int fairnessInterval) {
        this.id = id;
        this.queue = new RunQueue(capacity);
        this.counters = new ProcessorCounters();
        this.scratch = new Runnable[capacity / 2 + 1];
        this.fairnessCountdown = fairnessInterval;
    }
}
