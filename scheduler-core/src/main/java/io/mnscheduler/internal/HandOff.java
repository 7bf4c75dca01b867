package io.mnscheduler.internal;

import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.jfr.HandOffDelayedEvent;
import io.mnscheduler.internal.jfr.HandOffEvent;
import io.mnscheduler.internal.jfr.HandOffEvent.Reason;
import io.mnscheduler.internal.jfr.SpareWorkerStartEvent;
import io.mnscheduler.internal.queue.InjectionQueue;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static io.mnscheduler.internal.Processor.BLOCKING;
import static io.mnscheduler.internal.Processor.HANDOFF;
import static io.mnscheduler.internal.Processor.RUNNING;
import static io.mnscheduler.internal.Processor.SCHEDULING;
import static io.mnscheduler.internal.Processor.epochOf;
import static io.mnscheduler.internal.Processor.status;
import static io.mnscheduler.internal.Processor.word;

/**
 * Hand-off, the M in M:N: a processor whose task blocks or hogs it goes to a spare worker, and the
 * old worker finishes its task without one, then becomes a spare itself (Go's {@code handoffp},
 * {@code entersyscall}/{@code exitsyscall}). Sections "The monitor and hand-off" and "Why a hand-off
 * neither loses nor duplicates a task" of the overview in {@code package-info.java}. The monitor
 * decides when ({@code Monitor}, through {@link MonitorView}); {@code checkpoint()} and
 * {@code blocking()} decide from the worker itself; this class does it.
 *
 * <p>Writes: a processor's state word by CAS out of RUNNING or BLOCKING into HANDOFF (a new
 * epoch), and out of HANDOFF by a claim; a claiming worker's {@code processor} and {@code epoch},
 * and the processor's {@code owner}; {@link Spares}; the counts of hand-offs. Used through
 * {@link #handOff}, {@link #claim}, {@link #takeHandedOff}, {@link #awaitProcessor},
 * {@link #workWaiting} and the three task-side entry points {@link #checkpoint},
 * {@link #blocking} and {@link #preemptionRequested}.
 */
final class HandOff {
    private final Processor[] processors;        // final contents
    private final InjectionQueue global;         // final
    private final Idle<Worker> idle;             // final
    private final Spares spares;                 // final: worker threads and the parked spares among them
    private final RunState runState;             // final
    private final long keepAliveNanos;           // final: how long a spare waits for a processor
    private final IntFunction<Worker> newSpare;  // final: makes spare number n, unstarted
    private final AtomicInteger spareNumbers = new AtomicInteger(); // names of spare threads
    private final AtomicLong handOffs = new AtomicLong();           // RMW by whoever hands off
    private final AtomicLong handOffsDelayed = new AtomicLong();    // hand-offs put off: the worker cap, or no thread
    private final AtomicBoolean threadFailureLogged = new AtomicBoolean();
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    HandOff(Processor[] processors, InjectionQueue global, Idle<Worker> idle, Spares spares, RunState runState,
            long keepAliveNanos, IntFunction<Worker> newSpare) {
        this.processors = processors;
        this.global = global;
        this.idle = idle;
        this.spares = spares;
        this.runState = runState;
        this.keepAliveNanos = keepAliveNanos;
        this.newSpare = newSpare;
    }

    /**
     * Gives processor {@code p}, whose state word is {@code expected} (RUNNING or BLOCKING), to a
     * spare worker, started if none is parked. False when the worker cap stops it or no thread can
     * be made (both counted as delayed; the second logged once), or the word changed. The epoch in
     * the word moves on, so the old worker's CASes on {@code p} fail from now on: it can no longer
     * push onto {@code p}, and its task goes on without a processor. A fresh spare whose thread
     * then cannot start leaves {@code p} HANDOFF, and the old worker takes it back after its task
     * ({@link #takeHandedOff}): the scheduler goes on with the threads it has.
     */
    boolean handOff(Processor p, int expected, Reason reason, long ranNanos) {
        int from = status(expected);
        if (from != RUNNING && from != BLOCKING) {
            return false; // never mid-push (SUBMITTING): the pusher ends its push with a plain store
        }
        Worker old = p.owner; // the worker of expected's epoch: the owner changes only with a claim, in a later epoch
        Spares.Reservation r = spares.reserve();
        if (r == null) {
            handOffsDelayed.incrementAndGet();
            HandOffDelayedEvent.emit(runState.name, p.id, "maxWorkers reached", spares.cap(), spares.threads());
            return false;
        }
        Worker spare;
        if (r instanceof Spares.Parked(Worker parked)) {
            spare = parked;
        } else {
            runState.workerComing(); // before the CAS: the count never reaches 0 while a spare is coming
            try {
                spare = newSpare.apply(spareNumbers.incrementAndGet()); // before the CAS: a factory failure changes nothing
            } catch (IllegalStateException e) {
                spares.unreserve(r);
                runState.workerGone();
                threadFailure(e);
                return false;
            }
        }
        int next = word(epochOf(expected) + 1, HANDOFF);
        if (!p.casWord(expected, next)) {
            spares.unreserve(r);
            if (r instanceof Spares.Fresh) {
                runState.workerGone(); // the thread made for it is dropped unstarted
            }
            return false;
        }
        handOffs.incrementAndGet();
        if (HandOffEvent.enabled()) { // read while the old worker still waits, before the spare can run
            HandOffEvent.emit(runState.name, p.id, reason, ranNanos, old.thread, old.tid);
        }
        spare.processor = p;             // published by wake()'s volatile write, or by Thread.start
        spare.epoch = epochOf(next);
        if (r instanceof Spares.Parked) {
            spare.wake();
            return true;
        }
        spare.markStarted();
        try {
            spare.thread.start();
            SpareWorkerStartEvent.emit(runState.name, p.id, spare.thread, spares.threads());
        } catch (Throwable e) { // the OS refuses a thread, or the factory's thread refuses to start
            spares.exited();
            runState.workerGone();
            threadFailure(new IllegalStateException("Could not start spare worker thread " + spare.thread.getName()
                    + ": " + e, e));
        }
        return true; // p is HANDOFF either way: a spare or the old worker claims it
    }

    /** A hand-off found no thread: counted as delayed, and the first such failure logged with its cause. */
    private void threadFailure(IllegalStateException e) {
        handOffsDelayed.incrementAndGet();
        HandOffDelayedEvent.emit(runState.name, -1, "no thread: " + e.getMessage(), spares.cap(), spares.threads());
        if (threadFailureLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "A hand-off found no thread for a spare worker; the scheduler goes on"
                    + " with the threads it has, and later ones are counted in handOffsDelayed: " + e.getMessage(), e);
        }
    }

    /** Takes up a processor given to this worker; false when someone else took or stopped it first. */
    boolean claim(Worker w, Processor p) {
        int s = p.word();
        if (s == word(w.epoch, HANDOFF)) {
            if (!p.casWord(s, word(w.epoch, SCHEDULING))) {
                return false;
            }
        } else if (s != word(w.epoch, SCHEDULING)) {
            return false;
        }
        p.owner = w;
        return true;
    }

    /** Takes a processor that was handed off and still waits for its spare; the spare will find it gone. */
    boolean takeHandedOff(Worker w) {
        for (Processor p : processors) {
            int s = p.word();
            if (status(s) == HANDOFF) {
                int mine = word(epochOf(s) + 1, SCHEDULING);
                if (p.casWord(s, mine)) {
                    w.processor = p;
                    w.epoch = epochOf(mine);
                    p.owner = w;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A worker without a processor: takes one that waits for a worker, or parks as a spare until
     * given one. False when the worker should exit: shut down, or its keep-alive ran out.
     */
    boolean awaitProcessor(Worker w) {
        for (;;) {
            if (takeHandedOff(w)) {
                return true;
            }
            if (runState.isShutdown()) {
                return false;
            }
            spares.park(w);
            if (runState.isShutdown() && spares.leave(w)) {
                return false; // shutdown began as we parked; its wake-all may have missed us
            }
            boolean woken = w.awaitNotified(System.nanoTime() + keepAliveNanos);
            if (!woken) {
                if (spares.leave(w)) {
                    return false; // the keep-alive ran out
                }
                w.awaitNotified(0L); // a hand-off reserved us just now; its wake-up is on its way
            }
            if (w.processor != null) {
                return true;
            }
        }
    }

    /**
     * Whether work waits behind processor {@code p}'s task: in its runnext slot or queue, a due
     * timer, or in the global queue while no processor is parked to take it. Racy, as a hint.
     */
    boolean workWaiting(Processor p) {
        return p.runnext != null || !p.queue.isEmpty() || p.yieldedCount() > 0
                || (p.timers.count != 0 && p.timers.dueHint(System.nanoTime()))
                || (!global.isEmpty() && idle.unparkedCount() >= processors.length);
    }

    long handOffs() {
        return handOffs.get();
    }

    long handOffsDelayed() {
        return handOffsDelayed.get();
    }

    /** The cap on worker threads. */
    int maxWorkers() {
        return spares.cap();
    }

    /** See {@code WorkStealingScheduler.preemptionRequested()}. */
    static boolean preemptionRequested() {
        Worker w = Worker.current();
        Processor p = w == null ? null : w.processor;
        return p != null && p.preempt;
    }

    /** See {@code WorkStealingScheduler.checkpoint()}. */
    static void checkpoint() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            if (preemptionRequested()) {
                Thread.yield(); // behind the queued work; its carrier serves the others meanwhile
            }
            return;
        }
        Worker w = Worker.of(t);
        if (w != null) {
            Processor p = w.processor;
            if (p != null && p.preempt) {
                p.preempt = false;
                if (w.scheduler.handOff().handOff(p, word(w.epoch, RUNNING), Reason.CHECKPOINT, 0L)) {
                    w.processor = null; // this task goes on without a processor; a spare serves the queue
                }
            }
        }
    }

    /** See {@code WorkStealingScheduler.blocking(Callable)}. */
    static <T> T blocking(Callable<T> section) throws Exception {
        Worker w = Worker.of(Thread.currentThread());
        if (w != null && w.processor != null) {
            return w.scheduler.handOff().runBlocking(w, section);
        }
        return section.call(); // not a worker, or already without a processor
    }

    /**
     * Go's entersyscall/exitsyscall. With work waiting the processor goes to a spare at once;
     * otherwise it is marked BLOCKING, which the monitor hands off as soon as work waits, and which
     * this worker takes back by CAS if nobody did. A worker that lost its processor takes one that
     * waits for a worker, if any, and otherwise finishes its task without one.
     */
    private <T> T runBlocking(Worker w, Callable<T> section) throws Exception {
        Processor p = w.processor;
        int running = word(w.epoch, RUNNING);
        boolean handedOff = workWaiting(p) && handOff(p, running, Reason.BLOCKING, 0L);
        if (handedOff) {
            w.processor = null;
        }
        boolean marked = !handedOff && p.leaveRunning(w.epoch, word(w.epoch, BLOCKING));
        try {
            return section.call();
        } finally {
            if (handedOff || (marked && !p.casWord(word(w.epoch, BLOCKING), running))) {
                w.processor = null;
                if (takeHandedOff(w)) {
                    w.processor.releaseWord(word(w.epoch, RUNNING)); // the rest of the task runs on it
                }
            }
        }
    }
}
