package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.internal.queue.InjectionQueue;

import java.util.concurrent.RejectedExecutionException;

import static io.mnscheduler.internal.Processor.RUNNING;
import static io.mnscheduler.internal.Processor.SUBMITTING;
import static io.mnscheduler.internal.Processor.word;

/**
 * Every way a task enters the scheduler: a plain task from outside (into the global queue) or from
 * one of its own workers (into that processor's runnext, Go's {@code runqput} with {@code next}),
 * and the continuation task of one of its virtual threads on its start, after an unpark and after
 * a yield (Go's {@code ready()}). Sections "Local queues", "Injection", "Idling and wake-up" (the
 * rule for skipping the wake-up check) and "Virtual threads" of the overview in
 * {@code package-info.java}.
 *
 * <p>Writes: the submitting worker's processor, as its owner inside its task (state word RUNNING to
 * SUBMITTING by CAS and back by a releasing store, runnext, queue and yield list), the global queue,
 * and the live virtual-thread registry on a start. Used through {@link #execute},
 * {@link #executeContinuation} and {@link #submitLocal}.
 */
final class Submission {
    private final Scheduler scheduler;               // final: tells our workers from another scheduler's
    private final InjectionQueue global;             // final
    private final TaskOrder order;                   // final: a push onto a full queue overflows through it
    private final Parking parking;                   // final
    private final RunState runState;                 // final
    private final VirtualThreadRegistry liveVirtual; // final
    private final int sampleOneIn;                   // final: one submission in this many is timed (SampledTask); 0: none

    Submission(Scheduler scheduler, InjectionQueue global, TaskOrder order, Parking parking, RunState runState,
               VirtualThreadRegistry liveVirtual, int sampleOneIn) {
        this.sampleOneIn = sampleOneIn;
        this.scheduler = scheduler;
        this.global = global;
        this.order = order;
        this.parking = parking;
        this.runState = runState;
        this.liveVirtual = liveVirtual;
    }

    /** Accepts a task or throws {@link RejectedExecutionException}; the caller checked for null. */
    void execute(Runnable task) {
        Worker w = Worker.current(); // a virtual thread mounted on one of our workers submits locally too
        if (w != null && w.scheduler == scheduler) {
            submitLocal(w, task, false);
        } else {
            if (!global.offerExternal(SampledTask.sample(task, sampleOneIn))) {
                throw runState.rejected(task);
            }
            parking.notifyWork();
        }
    }

    /**
     * Accepts the continuation task of one of our virtual threads: on its start, after an unpark, or
     * after a yield. Refused only when it starts a new virtual thread after shutdown.
     */
    void executeContinuation(Runnable task) {
        int kind = VirtualThreadSupport.startState(task); // no map lookup on the hot path of unparks and yields
        Thread carrier = VirtualThreadSupport.currentCarrier();
        if (kind != VirtualThreadSupport.RESUME) { // UNKNOWN: the thread cannot be read, so it is refused after shutdown
            startVirtual(task, carrier);
        }
        Worker w = Worker.of(carrier);
        if (w != null && w.scheduler == scheduler && submitLocal(w, task, true)) {
            return;
        }
        global.add(SampledTask.sample(task, sampleOneIn)); // allowed after close(): a started virtual thread must run on
        parking.notifyWork();
    }

    private void startVirtual(Runnable task, Thread carrier) {
        Thread vt = VirtualThreadSupport.threadOf(task);
        if (vt == null) {
            if (!runState.accepting()) {
                throw runState.rejected(task);
            }
            return; // cannot be told apart: runs, but shutdown cannot wait for it (logged once)
        }
        // Counted, then the run state read: pairs with shutdownNow's write, then read of the counts.
        if (!liveVirtual.start(processorOf(carrier), vt, runState.acceptingSupplier())) {
            throw new RejectedExecutionException("Virtual thread " + vt + " rejected: the scheduler is shut down");
        }
    }

    /**
     * Registry stripes for threads started off the processors (by outside threads, or by workers
     * that lost their processor), chosen by the started thread's id: an outside thread's starts
     * spread over all of them, so the workers ending its threads rarely meet it at a lock.
     */
    static final int OFF_PROCESSOR_STRIPES = 16;

    /** The processor whose registry stripe takes threads started on {@code carrier}, or -1: an off-processor stripe. */
    private int processorOf(Thread carrier) {
        Worker w = Worker.of(carrier);
        if (w != null && w.scheduler == scheduler) {
            Processor p = w.processor; // read on the worker's own thread (a virtual thread mounted on it included)
            if (p != null) {
                return p.id;
            }
        }
        return -1;
    }

    /**
     * Pushes onto the worker's own processor. Returns false (continuations only) when the processor
     * is not this worker's to push to; throws for a plain task that may not be accepted.
     */
    boolean submitLocal(Worker w, Runnable task, boolean continuation) {
        Processor p = w.processor;
        int running = word(w.epoch, RUNNING);
        if (p == null || !p.leaveRunning(w.epoch, word(w.epoch, SUBMITTING))) {
            // Not ours to push to: handed off, inside blocking(), or stopped. Submit as an outsider.
            if (continuation) {
                return false;
            }
            if (!global.offerExternal(SampledTask.sample(w, task, sampleOneIn))) {
                throw runState.rejected(task);
            }
            parking.notifyWork();
            return true;
        }
        if (!continuation && !runState.accepting()) { // read after the CAS: see "Shutdown" in the overview
            p.releaseWord(running);
            throw runState.rejected(task);
        }
        if (continuation && task == w.current) {
            p.addYielded(task); // Thread.yield() from the task now running: behind all the work here
            p.releaseWord(running);
            return true;
        }
        Runnable displaced = p.runnext(); // no atomic: SUBMITTING keeps thieves out (see Processor)
        boolean queueWasEmpty = p.queue.isEmpty();
        p.setRunnext(SampledTask.sample(w, task, sampleOneIn)); // after the yield check, which compares the task itself
        if (displaced != null) {
            order.push(p, displaced);
        }
        p.releaseWord(running); // pairs with the CAS in Shutdown.stopProcessor: the pushes above are visible to its drain
        // A push onto a processor whose queue held work wakes nobody: the submission that filled the
        // queue announced it (see "Idling and wake-up"). Into an empty queue, or into runnext with
        // the queue empty, it asks for a worker: a task that forks one child and then waits for it
        // needs another worker to take that child, and a spinning searcher makes the ask free.
        if (queueWasEmpty) {
            parking.notifyWork();
        }
        return true;
    }
}
