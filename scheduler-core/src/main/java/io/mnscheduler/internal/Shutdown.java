package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.queue.InjectionQueue;

import java.util.ArrayList;
import java.util.List;

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

    Shutdown(Processor[] processors, InjectionQueue global, RunState runState, VirtualThreadRegistry liveVirtual,
             Parking parking, Spares spares) {
        this.processors = processors;
        this.global = global;
        this.runState = runState;
        this.liveVirtual = liveVirtual;
        this.parking = parking;
        this.spares = spares;
    }

    void shutdown() {
        global.close(runState::toShutdown);
        wakeEveryone();
    }

    List<Runnable> shutdownNow() {
        global.close(runState::toStop);
        if (liveVirtual.count() > 0) { // read after the STOP write: pairs with Submission.startVirtual
            return softStop();
        }
        for (Processor p : processors) {
            stopProcessor(p);
        }
        wakeEveryone();
        List<Runnable> unstarted = new ArrayList<>();
        for (Processor p : processors) {
            drainProcessor(p, unstarted, true);
        }
        global.drainTo(unstarted);
        return unstarted;
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
        liveVirtual.forEachThread(Thread::interrupt);
        for (Processor p : processors) {
            Worker w = p.owner;
            Runnable running = w.current;
            int st = status(p.state);
            if ((st == RUNNING || st == BLOCKING) && running != null && !liveVirtual.contains(running)) {
                w.interrupt();
            }
        }
        List<Runnable> drained = new ArrayList<>();
        for (Processor p : processors) {
            drainProcessor(p, drained, false); // the processors run on: their owners keep their yield lists
        }
        global.drainTo(drained);
        List<Runnable> unstarted = new ArrayList<>();
        for (Runnable r : drained) {
            if (liveVirtual.contains(r)) {
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
                        p.owner.interrupt();
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
