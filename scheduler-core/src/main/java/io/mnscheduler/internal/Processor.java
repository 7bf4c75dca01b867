package io.mnscheduler.internal;

import io.mnscheduler.internal.queue.RunQueue;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import io.mnscheduler.internal.stats.LatencyRecorder;
import io.mnscheduler.internal.stats.ProcessorCounters;

abstract class ProcessorPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

abstract class ProcessorHot extends ProcessorPad0 {
    volatile int state;            // (epoch << 3) | status (Processor.SCHEDULING..STEALING): owner stores from SCHEDULING/SUBMITTING; CAS by owner, monitor, shutdownNow
    volatile Runnable runnext;     // read and written by whoever holds the state word (owner: SCHEDULING/SUBMITTING; thief: STEALING), release stores; racy reads by others; swapped by shutdownNow once STOPPED
    int schedTick;                 // tasks started; owner writes opaque, the monitor reads opaque
    volatile boolean preempt;      // set by the monitor, cleared by the owner when its next task starts
}

abstract class ProcessorPad1 extends ProcessorHot {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The holder's fields: written by the worker holding the processor, most of them on every task, so
 * padded on both sides (ProcessorPad1 before, ProcessorPad2 behind). Without the padding behind, the
 * collector may move another worker's read-mostly data onto their last line, and fork_join_fib had
 * a slow mode in most JVMs (see "The engine is split by concern" in src/docs/decisions.md).
 */
abstract class ProcessorOwned extends ProcessorPad1 {
    final int id;                          // final
    final RunQueue queue;                  // final; see RunQueue for who may call what
    final ProcessorCounters counters;      // final; single writer: the holding worker
    Runnable[] scratch;                    // owner only (TaskOrder): batches moved to or from the global queue; grown for an overflow
    int fairnessCountdown;                 // owner only (TaskOrder): ticks until the global queue is polled first
    int runnextStreak;                     // owner only (TaskOrder): consecutive tasks taken from runnext
    long oldestTakenNanos;                 // owner only (TaskOrder): when a fairness tick last took the oldest local task
    boolean overflowed;                    // owner only (TaskOrder): the queue overflowed at overflowNanos, less than a tick ago when last looked
    long overflowNanos;                    // owner only (TaskOrder): when the queue last overflowed into the global queue
    long globalPollNanos;                  // owner only (TaskOrder): when a fairness tick last took a global task while overflowed
    final ArrayDeque<Runnable> yielded;    // owner only: continuations that yielded here, oldest first
    int yieldedCount;                      // yielded's size: the owner writes opaque; the monitor and stats read opaque
    volatile Worker owner;                 // the worker holding it; written by that worker when it takes it (HandOff.claim); read by shutdownNow
    final TimerHeap timers;                // final; its own lock (see TimerHeap)
    final java.util.ArrayList<DelayedTask<?>> dueTimers; // owner only (Timers): due timers between heap and queue
    final LatencyRecorder latency;         // final; single writer: the holding worker, at the start of a sampled task
    volatile long busySince;               // nanoTime of its worker's last wake-up; the owner writes at each wake-up, stats read

    ProcessorOwned(int id, int capacity, int fairnessInterval) {
        this.id = id;
        this.queue = new RunQueue(Math.min(Processor.INITIAL_QUEUE_SLOTS, capacity), capacity);
        this.counters = new ProcessorCounters();
        this.scratch = new Runnable[Math.min(Processor.INITIAL_QUEUE_SLOTS, capacity) / 2 + 1];
        this.fairnessCountdown = fairnessInterval;
        this.yielded = new ArrayDeque<>();
        this.timers = new TimerHeap();
        this.dueTimers = new java.util.ArrayList<>();
        this.latency = new LatencyRecorder();
        this.busySince = System.nanoTime();
    }
}

abstract class ProcessorPad2 extends ProcessorOwned {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;

    ProcessorPad2(int id, int capacity, int fairnessInterval) {
        super(id, capacity, fairnessInterval);
    }
}

/**
 * A processor (Go's P): the right to run tasks, with its run queue, its {@code runnext} slot, its
 * yield list and its counters, and the state word that says who holds it and what that holder is
 * doing. Exactly one worker holds it at a time.
 *
 * <p>Owns: the state word's encoding and its accesses, and the {@code runnext} slot's protocol
 * (section "Processor states" of the overview in {@code package-info.java}). Writes nothing of its
 * own accord: every method here is one access, made by whoever the overview allows. The fields
 * without a comment of their own are touched only by the holding worker; the comment says which
 * part of the engine uses them.
 */
final class Processor extends ProcessorPad2 {
    /** Between tasks: popping, stealing, polling; only the owner moves the word out of it. */
    static final int SCHEDULING = 0;
    /** Inside a task. */
    static final int RUNNING = 1;
    /** Inside a task, pushing onto its own queue; entered by the owner's CAS from RUNNING. */
    static final int SUBMITTING = 2;
    /** The worker parked with nothing to do. */
    static final int PARKED = 3;
    /** Taken by shutdownNow, or left by an exiting worker; final. */
    static final int STOPPED = 4;
    /** Taken from its worker; a spare is on its way to claim it. */
    static final int HANDOFF = 5;
    /** Its task is inside blocking(); the worker reclaims it after, unless handed off. */
    static final int BLOCKING = 6;
    /** Its task runs; a thief holds the word for a few steps to take runnext. */
    static final int STEALING = 7;
    private static final int STATUS_BITS = 3;
    private static final int STATUS_MASK = (1 << STATUS_BITS) - 1;

    /** The status (SCHEDULING..STEALING) in a state word. */
    static int status(int word) {
        return word & STATUS_MASK;
    }

    /** The epoch (the holder's tenure) in a state word. */
    static int epochOf(int word) {
        return word >>> STATUS_BITS;
    }

    /** The state word of {@code status} under {@code epoch}. */
    static int word(int epoch, int status) {
        return (epoch << STATUS_BITS) | status;
    }

    private static final VarHandle STATE;
    private static final VarHandle RUNNEXT;
    private static final VarHandle YIELDED_COUNT;
    private static final VarHandle SCHED_TICK;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(ProcessorHot.class, "state", int.class);
            RUNNEXT = lookup.findVarHandle(ProcessorHot.class, "runnext", Runnable.class);
            SCHED_TICK = lookup.findVarHandle(ProcessorHot.class, "schedTick", int.class);
            YIELDED_COUNT = lookup.findVarHandle(ProcessorOwned.class, "yieldedCount", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }


    /*
     * The state word's accesses, each after a schedule point (see Interleavings), so that the
     * hand-off protocol can be explored; the overview's "Processor states" says who may make which
     * transition.
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
     * The runnext slot's accesses, likewise each after a schedule point. The slot belongs to the
     * holder of the state word: the owner reads and writes it without an atomic while the word says
     * SCHEDULING or SUBMITTING (its own, so nobody else may change it), and a thief touches it only
     * while it holds the word in STEALING, which it enters by CAS from the owner's RUNNING and
     * leaves with a releasing store of that same word. Each side's writes reach the other through
     * the word: the thief's release pairs with the owner's next CAS out of RUNNING (at the end of
     * a push or of its task), and the owner's release of RUNNING pairs with the thief's CAS. So a
     * task put there is taken exactly once, and the owner's path pays no atomic for the slot.
     * shutdownNow swaps it only once the processor is STOPPED.
     */

    /** Any thread: a volatile read of runnext (racy unless the caller holds the word). */
    Runnable runnext() {
        Interleavings.point();
        return runnext;
    }

    /**
     * Holder of the word only: puts {@code task} there (null to empty it). The release publishes
     * the task's fields to racy readers; a thief reads it only after acquiring the word.
     */
    void setRunnext(Runnable task) {
        Interleavings.point();
        RUNNEXT.setRelease(this, task);
    }

    /** Holder of the word only: takes the task there, or null. */
    Runnable takeRunnext() {
        Runnable t = runnext();
        if (t != null) {
            setRunnext(null);
        }
        return t;
    }

    /**
     * A thief: takes the runnext task of this processor while its task runs, if {@code seen} (a
     * RUNNING word) is still its word; null when the slot is empty or the word moved on. The owner
     * waits out the few steps in between (see {@link #leaveRunning}).
     */
    Runnable stealRunnext(int seen) {
        if (runnext() == null || !casWord(seen, word(epochOf(seen), STEALING))) {
            return null;
        }
        Runnable t = takeRunnext();
        releaseWord(seen); // pairs with the owner's next CAS out of RUNNING: it sees the slot emptied
        return t;
    }

    /**
     * The owner: CASes its word from RUNNING under {@code epoch} to {@code next}, waiting while a
     * thief holds it in STEALING; false when it is no longer the owner's RUNNING word (handed off,
     * stopped).
     */
    boolean leaveRunning(int epoch, int next) {
        int running = word(epoch, RUNNING);
        int stealing = word(epoch, STEALING);
        for (int spins = 0; ; spins++) {
            if (casWord(running, next)) {
                return true;
            }
            int s = word();
            if (s == running) {
                continue; // the thief left between our CAS and this read
            }
            if (s != stealing) {
                return false;
            }
            Interleavings.spin(); // only the thief can move us on
            if (spins < 100) {
                Thread.onSpinWait(); // a thief's few steps
            } else {
                Thread.yield(); // a thief descheduled in the middle of them
            }
        }
    }

    /** Once STOPPED: swaps the slot's content atomically; the previous task, or null. */
    Runnable swapRunnext(Runnable task) {
        Interleavings.point();
        return (Runnable) RUNNEXT.getAndSet(this, task);
    }

    /** Owner only: a task starts; the monitor's measure of progress (an opaque write). */
    void countTaskStart() {
        SCHED_TICK.setOpaque(this, schedTick + 1);
    }

    /** The monitor: tasks started here so far (an opaque read). */
    int schedTickOpaque() {
        return (int) SCHED_TICK.getOpaque(this);
    }

    Processor(int id, int capacity, int fairnessInterval) {
        super(id, capacity, fairnessInterval);
    }

    /**
     * Slots a run queue starts with; it doubles when full up to the configured capacity. A burst
     * of spawns deeper than this stays where thieves take half of it in one claim, instead of
     * going round through the global queue (see "Local queues grow" in src/docs/decisions.md),
     * while an idle processor keeps the small array.
     */
    static final int INITIAL_QUEUE_SLOTS = 256;

    /**
     * The most tasks moved onto this processor's queue in one batch from the global queue or a
     * timer heap: half the initial array, so a grown queue does not make batches bigger.
     */
    int batchLimit() {
        return Math.min(queue.capacity(), INITIAL_QUEUE_SLOTS) / 2;
    }

    /** Owner only: the scratch array, grown to at least {@code length} slots. */
    Runnable[] scratch(int length) {
        if (scratch.length < length) {
            scratch = new Runnable[length];
        }
        return scratch;
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
