package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.CarrierPool;
import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.internal.queue.InjectionQueue;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.mnscheduler.internal.Processor.BLOCKING;
import static io.mnscheduler.internal.Processor.HANDOFF;
import static io.mnscheduler.internal.Processor.PARKED;
import static io.mnscheduler.internal.Processor.RUNNING;
import static io.mnscheduler.internal.Processor.STOPPED;
import static io.mnscheduler.internal.Processor.epochOf;
import static io.mnscheduler.internal.Processor.status;
import static io.mnscheduler.internal.Processor.word;

/**
 * {@code shutdown()} and {@code shutdownNow()}: closing the global queue, stopping processors,
 * draining every task that never started, and the soft stop that keeps carrying live virtual
 * threads. Sections "Shutdown" and "Virtual threads" of the overview in {@code package-info.java}.
 * How workers then leave is {@link WorkerLoop}'s; the run state is {@link RunState}'s.
 *
 * <p>{@code shutdown()} of a scheduler with nothing queued, running or alive terminates it at once
 * ({@link #quiescent}), as the JDK's pools do; otherwise the last worker to leave does.
 *
 * <p>Writes: the run state (through RunState, under the global queue's lock), a processor's state
 * word by CAS into STOPPED, the runnext slots, queues and (of stopped processors) yield lists it
 * drains, and the global queue. Used through {@link #shutdown} and {@link #shutdownNow}.
 */
final class Shutdown {
    private final Processor[] processors;            // final contents
    private final InjectionQueue global;             // final
    private final RunState runState;                 // final
    private final VirtualThreadRegistry liveVirtual; // final
    private final Parking parking;                   // final
    private final Spares spares;                     // final
    private final Timers timers;                     // final

    Shutdown(Processor[] processors, InjectionQueue global, RunState runState, VirtualThreadRegistry liveVirtual,
             Parking parking, Spares spares, Timers timers) {
        this.processors = processors;
        this.global = global;
        this.runState = runState;
        this.liveVirtual = liveVirtual;
        this.parking = parking;
        this.spares = spares;
        this.timers = timers;
    }

    void shutdown() {
        global.close(() -> {
            runState.toShutdown();
            if (quiescent()) {
                runState.terminateNow();
            }
        });
        timers.onShutdown(); // periodic timers stop; one-shot ones too with cancelDelayedTasksOnShutdown
        wakeEveryone();
    }

    /**
     * Under the global queue's lock, with SHUTDOWN set, so that no outside task can arrive: whether
     * no task is queued, in hand or running, and no virtual thread is alive, so that the scheduler
     * may count as terminated at once. Either no task was ever accepted (nothing ever entered the
     * global queue: a task submitted on a worker comes from a task that did, and code on a worker
     * outside any task submits through the global queue), or the scheduler is idle: every processor
     * PARKED with the same word and tick count in two looks around a look at every queue, no spare
     * running a task without a processor, and no hand-off in flight. A task not in a queue is in the
     * hands of a worker that is not PARKED: popped, stolen or being pushed, all between a worker's
     * SCHEDULING and its RUNNING. So a processor PARKED in both looks, whose tick did not move, ran
     * nothing and held nothing in between, and anything queued at the first look would have been seen
     * by the middle one or started by a worker that then moved its tick. Each look reads a word
     * (volatile) before its tick (opaque): the owner moves the tick before its releasing store of
     * PARKED, so a worker that ran a task and parked again in between shows its new tick. False is
     * always safe: the workers then terminate the scheduler as they leave.
     */
    private boolean quiescent() {
        if (liveVirtual.count() != 0 || !global.isEmpty() || timers.pendingExactly() != 0) {
            return false; // a timer added before SHUTDOWN was written is seen here (Timers.schedule)
        }
        if (!global.everAddedWhileClosing()) {
            return true; // every task enters through the global queue or from a running task, which did
        }
        if (spares.threads() != processors.length + spares.parked()) {
            return false; // a worker that lost its processor still runs its task, or a spare is on its way
        }
        int[] words = new int[processors.length];
        int[] ticks = new int[processors.length];
        for (int i = 0; i < processors.length; i++) {
            words[i] = processors[i].word();
            ticks[i] = processors[i].schedTickOpaque();
            if (status(words[i]) != PARKED || processors[i].yieldedCount() != 0) {
                return false;
            }
        }
        if (parking.hasVisibleWork()) {
            return false;
        }
        for (int i = 0; i < processors.length; i++) {
            if (processors[i].word() != words[i] || processors[i].schedTickOpaque() != ticks[i]) {
                return false;
            }
        }
        return true;
    }

    List<Runnable> shutdownNow() {
        global.close(runState::toStop);
        List<Runnable> delayed = new ArrayList<>();
        List<DelayedTask<?>> wakes = new ArrayList<>();
        timers.drainAll(delayed, wakes); // every timer not yet due is handed back, and no heap takes another
        for (DelayedTask<?> wake : wakes) { // a sleeping virtual thread's wake-up: where the JDK would keep it
            CarrierPool.scheduleOnFallback(wake, wake.getDelay(TimeUnit.NANOSECONDS));
        }
        if (liveVirtual.count() > 0) { // read after the STOP write: pairs with Submission.startVirtual
            List<Runnable> unstarted = softStop();
            unstarted.addAll(delayed);
            return unstarted;
        }
        for (Processor p : processors) {
            stopProcessor(p);
        }
        interruptWithoutProcessor();
        wakeEveryone();
        List<Runnable> unstarted = new ArrayList<>();
        for (Processor p : processors) {
            drainProcessor(p, unstarted, true);
        }
        global.drainTo(unstarted);
        keepUnclaimed(unstarted);
        unstarted.addAll(delayed);
        return unstarted;
    }

    /**
     * Unwraps sampled entries, and leaves out the futures a waiter ran inline (or runs now): their
     * entries were left in the queues as empty runs. Every future handed back is marked so here,
     * and no waiter runs it afterwards (JoinableTask: one CAS decides between the queue entry, a
     * waiter and this drain).
     */
    private static void keepUnclaimed(List<Runnable> drained) {
        SampledTask.unwrapAll(drained);
        drained.removeIf(t -> t instanceof JoinableTask<?> j && !j.handBack());
    }

    /**
     * Interrupts the workers running a task without a processor (handed off while they blocked or
     * waited for another task): stopProcessor interrupts only each processor's holder, and a task
     * waiting for a future that this shutdownNow hands back would otherwise wait for ever.
     */
    private void interruptWithoutProcessor() {
        for (Worker w : spares.running()) {
            Runnable current = w.current; // racy reads: at worst a worker between tasks is interrupted, which its next task clears
            if (w.processor == null && current != null) {
                interruptRunner(w, current);
            }
        }
    }

    /** Interrupts what runs {@code task} on {@code w}: its virtual thread if it is a continuation, else the worker. */
    private static void interruptRunner(Worker w, Runnable task) {
        Thread vt = VirtualThreadSupport.threadOf(task);
        (vt != null ? vt : w.thread).interrupt();
    }

    private void wakeEveryone() {
        parking.wakeAll();
        for (Worker spare : spares.takeAllParked()) {
            spare.wake(); // with no processor assigned: it sees the shutdown and leaves
        }
    }

    /**
     * Takes every task waiting on {@code p}. Its yield list is owner-only, so it is taken only from
     * a stopped processor ({@code stopped}): the CAS to STOPPED, or the exiting owner's volatile
     * store of it, orders the owner's last use before this.
     */
    private static void drainProcessor(Processor p, List<Runnable> sink, boolean stopped) {
        Runnable t = p.swapRunnext(null);
        if (t != null) {
            sink.add(t);
        }
        p.queue.drainTo(sink);
        while (stopped && (t = p.pollYielded()) != null) {
            sink.add(t);
        }
    }

    /**
     * shutdownNow() while virtual threads live: interrupt them and the running plain tasks, return
     * the queued plain tasks, put the queued continuations back, and keep the workers running until
     * the last virtual thread ends. A plain task a drain misses (one being stolen, or pushed by a task
     * that read the run state just before STOP) is then run, not lost.
     */
    private List<Runnable> softStop() {
        runState.softStop();
        // Against a first run (WorkerLoop.firstRunOf: current written, fence, softStop read): either
        // the read of current below sees it, or that worker sees the stop and interrupts its thread.
        VarHandle.fullFence();
        liveVirtual.forEachThread(Thread::interrupt); // the tracked ones; a thread tracked after this sees softStop
        for (Processor p : processors) {
            Worker w = p.owner;
            Runnable running = w.current;
            int st = status(p.state);
            if ((st == RUNNING || st == BLOCKING) && running != null) {
                interruptRunner(w, running);
            }
        }
        interruptWithoutProcessor();
        List<Runnable> drained = new ArrayList<>();
        for (Processor p : processors) {
            drainProcessor(p, drained, false); // the processors run on: their owners keep their yield lists
        }
        global.drainTo(drained);
        keepUnclaimed(drained); // unwrapped: a continuation is known by its own class
        List<Runnable> unstarted = new ArrayList<>();
        for (Runnable r : drained) {
            Thread vt = VirtualThreadSupport.threadOf(r);
            if (vt != null) { // a started virtual thread, maybe not yet run (so not tracked): it runs on
                vt.interrupt();
                global.add(r);
            } else {
                unstarted.add(r);
            }
        }
        wakeEveryone();
        return unstarted;
    }

    /**
     * CASes {@code p} to STOPPED from RUNNING, PARKED, HANDOFF or BLOCKING (interrupting the task of
     * a busy one), waiting out SCHEDULING, SUBMITTING and STEALING, which last a few steps of
     * scheduler code. The CAS pairs with the releasing store that ends a push
     * (Submission.submitLocal): a task pushed before it is visible to the drain after it.
     */
    private static void stopProcessor(Processor p) {
        for (int spins = 0; ; spins++) {
            int s = p.word();
            int st = status(s);
            if (st == STOPPED) {
                return;
            }
            if (st == RUNNING || st == PARKED || st == HANDOFF || st == BLOCKING) {
                if (p.casWord(s, word(epochOf(s), STOPPED))) {
                    if (st == RUNNING || st == BLOCKING) {
                        p.owner.thread.interrupt();
                    }
                    return;
                }
            } else if (spins < 100) {
                Thread.onSpinWait(); // SCHEDULING, SUBMITTING or STEALING: a few steps of scheduler code
            } else {
                Thread.yield();
            }
        }
    }
}
