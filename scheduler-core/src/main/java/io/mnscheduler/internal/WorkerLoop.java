package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.jfr.SpareWorkerExitEvent;
import io.mnscheduler.internal.jfr.ThreadStates;
import io.mnscheduler.spi.WorkerPlacement;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import static io.mnscheduler.internal.Processor.PARKED;
import static io.mnscheduler.internal.Processor.RUNNING;
import static io.mnscheduler.internal.Processor.SCHEDULING;
import static io.mnscheduler.internal.Processor.STOPPED;
import static io.mnscheduler.internal.Processor.epochOf;
import static io.mnscheduler.internal.Processor.status;
import static io.mnscheduler.internal.Processor.word;

/**
 * The life of a worker thread (Go's {@code schedule()}/{@code execute()} loop, Tokio's
 * {@code worker.rs} {@code run}): take up a processor, then round after round take its next task
 * ({@link TaskOrder}), search when it ran dry ({@link Stealing}), park when the search failed
 * ({@link Parking}), and run the task; lose the processor to a hand-off and wait as a spare
 * ({@link HandOff}); exit. Sections "The monitor and hand-off" (a task's end) and "Shutdown" (a
 * worker's exit) of the overview in {@code package-info.java}.
 *
 * <p>Writes: the running processor's state word (SCHEDULING to RUNNING by a releasing store, back
 * by CAS; STOPPED on exit), its schedTick, preempt and EXECUTED counter; the worker's
 * {@code current}, {@code processor} and {@code searching}; the live virtual-thread registry when a
 * virtual thread ends. Used through {@link #run} and, by the interleaving tests, {@link #runTask}.
 */
final class WorkerLoop {
    static final int KEEP = 0;     // runTask: the worker still holds its processor
    static final int LOST = 1;     // runTask: the processor was handed off; the worker becomes a spare
    static final int PROCESSOR_STOPPED = 2; // runTask: the processor was stopped; the worker leaves

    private static final int MORE = 0;          // runSome: go on running the processor
    private static final int BECOME_SPARE = 1;  // runSome: the processor was handed off
    private static final int LEAVE = 2;         // runSome: the worker must exit
    /** Rounds of the scheduling loop per call of runSome. */
    private static final int RUN_BATCH = 128;
    /** Calls of runSome per call of runProcessor. */
    private static final int PROCESSOR_BATCHES = 64;

    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName()); // the engine's logger name, as before the split
    private static final Predicate<Thread> ENDED = t -> t.getState() == Thread.State.TERMINATED; // no capture: no allocation per call

    private final TaskOrder order;                    // final
    private final Timers timers;                      // final
    private final Stealing stealing;                  // final
    private final Parking parking;                    // final
    private final HandOff handOff;                    // final
    private final RunState runState;                  // final
    private final VirtualThreadRegistry liveVirtual;  // final
    private final Idle<Worker> idle;                  // final: an exiting worker leaves its count
    private final Spares spares;                      // final: likewise
    private final WorkerPlacement placement;          // final
    private final AtomicBoolean placementFailed = new AtomicBoolean(); // one log line, not one per worker
    private final AtomicBoolean startFailed = new AtomicBoolean();     // likewise
    private final Thread.UncaughtExceptionHandler handler; // final; null: the worker thread's own
    private final LongAdder executedWithoutProcessor = new LongAdder(); // tasks that ended after their processor was handed off
    // runProcessor bound to this loop, for run(): not final on purpose, so that no compiler treats it as a
    // constant and binds the call (see runProcessorOnce). Written once in the constructor, before any worker starts.
    private MethodHandle runProcessorHandle;

    WorkerLoop(TaskOrder order, Timers timers, Stealing stealing, Parking parking, HandOff handOff, RunState runState,
               VirtualThreadRegistry liveVirtual, Idle<Worker> idle, Spares spares, WorkerPlacement placement,
               Thread.UncaughtExceptionHandler handler) {
        this.order = order;
        this.timers = timers;
        this.stealing = stealing;
        this.parking = parking;
        this.handOff = handOff;
        this.runState = runState;
        this.liveVirtual = liveVirtual;
        this.idle = idle;
        this.spares = spares;
        this.placement = placement;
        this.handler = handler;
        try {
            this.runProcessorHandle = MethodHandles.lookup()
                    .findVirtual(WorkerLoop.class, "runProcessor", MethodType.methodType(int.class, Worker.class)).bindTo(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("WorkerLoop.runProcessor cannot be looked up in its own class", e);
        }
    }

    /** The body of worker {@code w}'s thread. */
    void run(Worker w) {
        w.tid = ThreadStates.currentTid();
        spares.started(w);
        try {
            if (w.startsParked && !parking.awaitFirstWakeUp(w, w.processor)) {
                return; // stopped before it was ever needed
            }
            for (;;) {
                Processor p = w.processor;
                if (p == null) {
                    if (!handOff.awaitProcessor(w)) {
                        break;
                    }
                    continue;
                }
                if (!handOff.claim(w, p)) {
                    w.processor = null;
                    continue;
                }
                place(p);
                int outcome;
                do {
                    outcome = runProcessorOnce(w);
                } while (outcome == MORE);
                if (outcome == LEAVE) {
                    break;
                }
            }
        } finally {
            exit(w);
        }
    }

    private void place(Processor p) {
        try {
            placement.place(p.id); // a spare inherits the placement of the processor it takes
        } catch (Throwable e) {
            if (placementFailed.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "Worker placement failed (" + e + "); workers run unplaced");
            }
        }
    }

    /**
     * One call of {@link #runProcessor}, through {@link #runProcessorHandle}; MORE, BECOME_SPARE or
     * LEAVE. Every loop level below {@link #run} returns (see {@link #runProcessor}), so some loop
     * must run for the worker's whole life, and the JIT can compile that one only on stack. Such a
     * compilation can be made not entrant while this worker is inside it: another worker's uncommon
     * trap in the same code, or a compilation on stack at a higher tier ("OSR invalidation of lower
     * level"). The frame then keeps running the old code, and HotSpot never re-binds a direct call
     * made from code that is not entrant ({@code SharedRuntime::fixup_callers_callsite} returns when
     * the caller is not in use). If the callee had no compiled code at the moment that call was
     * last resolved, it was bound to the interpreter, and every later call from that frame ran the
     * callee interpreted: for the rest of the JVM's life, on one worker, while the other ran
     * compiled code. The same-JVM mode's evidence (its "Where the loop ran interpreted") showed it:
     * {@code runSome} interpreted in every sample of one worker across four workloads, although it
     * was compiled again at the start of most of them, and {@code run} compiled on stack at tier 3
     * then made not entrant by its tier-4 compilation. A call through a method handle that is not a constant is never bound
     * in the caller: each one enters the callee's current code. One such call per 8,192 rounds
     * costs nothing measurable.
     */
    private int runProcessorOnce(Worker w) {
        try {
            return (int) runProcessorHandle.invokeExact(w);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("runProcessor threw a checked exception, which it cannot", e);
        }
    }

    /**
     * Runs the worker's processor for up to {@link #PROCESSOR_BATCHES} calls of {@link #runSome}:
     * MORE while it holds it, BECOME_SPARE once it was handed off, LEAVE when the worker must exit.
     * Both levels return, and that is the point. {@link #runSome} returns after {@link #RUN_BATCH}
     * rounds: a loop that never returns is only ever compiled on stack (OSR), each such compilation
     * is thrown away at its first uncommon trap, and until the next one is built the worker runs its
     * scheduling loop in the interpreter. With two workers that left one worker three times slower
     * than the other for seconds at a time. This method returns too, for the same reason one level
     * up; and {@link #run} calls it through a handle, for the reason given at
     * {@link #runProcessorOnce}.
     */
    private int runProcessor(Worker w) {
        for (int batch = 0; batch < PROCESSOR_BATCHES; batch++) {
            int outcome = runSome(w);
            if (outcome != MORE) {
                return outcome;
            }
        }
        return MORE;
    }

    /** Up to RUN_BATCH rounds of the scheduling loop; the processor can change inside blocking(), so it is re-read. */
    private int runSome(Worker w) {
        for (int round = 0; round < RUN_BATCH; round++) {
            Processor p = w.processor;
            if (p == null) {
                return BECOME_SPARE;
            }
            if (runState.hardStopped()) {
                return LEAVE;
            }
            if (p.timers.count != 0) {
                timers.runDue(p); // Go's checkTimers: due timers join the queue as tasks
            }
            Runnable task = order.next(p);
            if (task == null) {
                task = stealing.search(w, p);
            }
            if (task == null) {
                if (runState.draining()) {
                    boolean nothingVisible = !parking.hasVisibleWork();
                    if (runState.hardStopped() || (nothingVisible && timers.close(p))) {
                        return LEAVE; // nothing left, its heap empty and now closed
                    }
                    if (nothingVisible && !parking.park(w, p)) { // its timers are not due yet
                        return LEAVE;
                    }
                    continue;
                }
                if (!parking.park(w, p)) {
                    return LEAVE;
                }
                continue;
            }
            if (w.searching) {
                stealing.stopSearching(w);
            }
            if (runTask(w, p, task) == PROCESSOR_STOPPED) {
                return LEAVE;
            }
        }
        return MORE;
    }

    /** Runs one task; says whether the worker still holds a processor after it (KEEP, LOST or PROCESSOR_STOPPED). */
    int runTask(Worker w, Processor p, Runnable task) {
        p.releaseWord(word(w.epoch, RUNNING));
        p.countTaskStart(); // the monitor's measure of progress
        if (p.preempt) {
            p.preempt = false;
        }
        if (task instanceof SampledTask sampled) { // one task in sampleOneIn; a class check for the others
            task = sampled.task;
            p.latency.record(System.nanoTime() - sampled.submittedNanos);
        }
        w.current = task;
        // A class check first: a plain task reads no field here. The thread is read once per run.
        Thread vt = VirtualThreadSupport.mayBeContinuation(task) ? VirtualThreadSupport.threadOf(task) : null;
        boolean firstRun = vt != null && firstRun(vt);
        try {
            task.run();
        } catch (Throwable failure) {
            reportFailure(w, failure);
        }
        w.current = null;
        Thread.interrupted(); // an interrupt meant for the task that ended must not reach the next one
        if (vt != null) {
            afterContinuation(vt, firstRun, p.id);
        }
        Processor now = w.processor; // blocking() may have given the worker another processor, or none
        int outcome;
        if (now == null) {
            outcome = LOST;
        } else if (now.leaveRunning(w.epoch, word(w.epoch, SCHEDULING))) {
            outcome = KEEP;
        } else {
            int s = now.word();
            outcome = status(s) == STOPPED && epochOf(s) == w.epoch ? PROCESSOR_STOPPED : LOST;
            w.processor = null;
        }
        if (outcome == KEEP) {
            now.counters.increment(Event.EXECUTED); // only the holder writes a processor's counters
        } else {
            executedWithoutProcessor.increment();
        }
        return outcome;
    }

    /**
     * Whether virtual thread {@code vt}'s continuation is about to run for the first time (its state
     * still STARTED). shutdownNow() interrupts running virtual threads by reading {@code w.current},
     * which this worker wrote just before; a thread not yet tracked has no other way to be found, so
     * a first run also reads the run state after a full fence: either shutdownNow (STOP written,
     * fence, then current read) sees it running, or this sees the stop.
     */
    private boolean firstRun(Thread vt) {
        if (!VirtualThreadSupport.notYetRun(vt)) {
            return false;
        }
        VarHandle.fullFence();
        if (runState.softStop) {
            vt.interrupt();
        }
        return true;
    }

    /**
     * After a run of virtual thread {@code vt}'s continuation on processor {@code stripe}: takes the
     * thread off the live count if the run was its last, or tracks it if its first run
     * ({@code firstRun}) ended in a park or a yield. Exactly once, though the thread may end on
     * another worker right after this run parked it: see VirtualThreadRegistry.afterFirstRun.
     */
    private void afterContinuation(Thread vt, boolean firstRun, int stripe) {
        boolean ended;
        if (firstRun) {
            ended = liveVirtual.afterFirstRun(stripe, vt, ENDED);
            if (!ended && runState.softStop) { // read after the track: shutdownNow's interrupts missed it, or hit it already
                vt.interrupt();
            }
        } else {
            ended = liveVirtual.afterLaterRun(stripe, vt, ENDED);
        }
        if (ended && runState.isShutdown() && liveVirtual.count() == 0) {
            parking.wakeAll(); // the last virtual thread is gone: let parked workers leave
        }
    }

    private void reportFailure(Worker w, Throwable failure) {
        try {
            Thread.UncaughtExceptionHandler h = handler != null ? handler : w.thread.getUncaughtExceptionHandler();
            h.uncaughtException(w.thread, failure);
        } catch (Throwable ignored) {
            // A failing handler must not take the worker down; the JDK's thread dispatch ignores it too.
        }
    }

    /**
     * The exit of a worker whose thread never ran, done by whoever retired it: shutdown's wake-all,
     * or the waker whose start failed. Idle counted it unparked and searching when it took it off
     * the sleeper stack, as for a worker it wakes.
     */
    void retire(Worker w) {
        w.searching = true;
        exit(w);
    }

    /** Processor {@code w}'s worker could not start at its first wake-up: one log line, then its exit. */
    void startFailed(Worker w, Throwable e) {
        if (startFailed.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "Could not start worker thread " + w.thread.getName() + " (" + e
                    + "); its processor is stopped and the scheduler goes on with the threads it has"
                    + " (the OS's limit on threads, or the thread factory's thread refused to start)");
        }
        retire(w);
    }

    private void exit(Worker w) {
        Processor p = w.processor;
        if (p != null) {
            int s = p.state;
            if (s == word(w.epoch, SCHEDULING) || s == word(w.epoch, PARKED)) {
                if (s == word(w.epoch, SCHEDULING)) { // only the worker's own thread exits from SCHEDULING
                    p.counters.add(Event.BUSY_NANOS, System.nanoTime() - p.busySince); // awake since its last wake-up
                }
                p.volatileWord(word(w.epoch, STOPPED)); // ours in these states; shutdownNow waits or CASes
            }
            timers.close(p); // empty unless shutdownNow drains it: no timer can be set on it any more
            idle.exit(w.searching); // the processor leaves with its worker
        }
        spares.exited(w);
        if (p == null) { // a spare, or a worker that lost its processor: its keep-alive ran out, or shutdown
            SpareWorkerExitEvent.emit(runState.name, w.thread.getName(), spares.threads());
        }
        runState.workerGone();
    }

    /** Tasks whose worker lost its processor while they ran; not in any processor's count. */
    long executedWithoutProcessor() {
        return executedWithoutProcessor.sum();
    }
}
