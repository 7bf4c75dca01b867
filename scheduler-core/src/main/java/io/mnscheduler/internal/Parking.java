package io.mnscheduler.internal;

import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.monitor.Monitor;
import io.mnscheduler.internal.queue.InjectionQueue;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;

import static io.mnscheduler.internal.Processor.PARKED;
import static io.mnscheduler.internal.Processor.SCHEDULING;
import static io.mnscheduler.internal.Processor.word;

/**
 * Parking and waking workers: a worker with nothing to do parks here, and whoever makes work
 * visible asks here whether to wake one (section "Idling and wake-up" of the overview in
 * {@code package-info.java}). The counting of searching and parked workers, and the argument that
 * no wake-up is lost, are {@link Idle}'s; this class is the engine's side of that protocol: the
 * final look at every queue before a park, and the wake-up that follows a submission.
 *
 * <p>Writes: a parking processor's state word (its owner's PARKED and back), its PARK and UNPARK
 * counters, and the parking worker's {@code searching} flag. Used through {@link #notifyWork},
 * {@link #park}, {@link #mayBlock}, {@link #hasVisibleWork} and {@link #wakeAll}.
 */
final class Parking {
    private final Processor[] processors;   // final contents
    private final InjectionQueue global;    // final
    private final Idle<Worker> idle;        // final
    private final Monitor monitor;          // final
    private final RunState runState;        // final

    Parking(Processor[] processors, InjectionQueue global, Idle<Worker> idle, Monitor monitor, RunState runState) {
        this.processors = processors;
        this.global = global;
        this.idle = idle;
        this.monitor = monitor;
        this.runState = runState;
    }

    /**
     * Called after work was made visible: wakes a parked worker unless a searcher will find the
     * work. Idle's RMW or fence orders this after the publication (pairs with the fence before the
     * parking worker's final look in {@link #mayBlock}).
     */
    void notifyWork() {
        for (;;) {
            Worker w = idle.workerToNotify();
            if (w == null) {
                return;
            }
            if (w.wake()) {
                monitor.workerWoke(); // after the worker's unpark, off its path to the task; see Monitor.deepSleep
                return;
            }
            // Its thread could not start, and it was retired: the work still needs a worker. Each turn retires one.
        }
    }

    /**
     * Wakes every parked worker, and the monitor; only once shut down (shutdown, or the last
     * virtual thread gone after it). A worker whose thread never started is retired instead: an
     * unused scheduler closes without starting a thread.
     */
    void wakeAll() {
        for (Worker sleeper : idle.notifyAllWorkers()) {
            if (!sleeper.retireUnstarted()) {
                sleeper.wake();
            }
        }
        monitor.workerWoke();
    }

    /**
     * Owner of {@code p}: parks until woken, or until its earliest timer is due; false when the
     * processor was stopped meanwhile. While draining after shutdown(), only a worker whose
     * processor still holds timers parks here, and it does not park once that heap is empty.
     */
    boolean park(Worker w, Processor p) {
        p.releaseWord(word(w.epoch, PARKED));
        boolean blocks = runState.draining()
                ? idle.prepareToPark(w, w.searching, () -> runState.hardStopped() || hasStealableWork() || p.timers.count == 0)
                : mayBlock(w);
        if (blocks) {
            p.counters.increment(Event.PARK);
            p.counters.add(Event.BUSY_NANOS, System.nanoTime() - p.busySince);
            awaitWork(w, p);
            p.busySince = System.nanoTime();
            p.counters.increment(Event.UNPARK);
        } else {
            monitor.workerWoke(); // counted unparked again without a waker: the monitor may have seen us parked
        }
        w.searching = true; // a waker, a cancelled park and a timer's wake-up all count us as searching
        return p.casWord(word(w.epoch, PARKED), word(w.epoch, SCHEDULING));
    }

    /**
     * Counted parked: waits for a waker, or until {@code p}'s earliest timer is due. The deadline is
     * read under the heap's lock after the PARKED store; Timers.add adds under that lock and then
     * reads the word, so either this read sees the new timer, or that add sees PARKED and pokes us
     * (and then the deadline is read again).
     */
    private void awaitWork(Worker w, Processor p) {
        TimerHeap h = p.timers;
        boolean[] hasDeadline = new boolean[1];
        try {
            for (;;) {
                h.lock();
                long deadline = h.sleep(hasDeadline);
                h.unlock();
                int why = w.awaitWork(hasDeadline[0], deadline);
                if (why == Worker.NOTIFIED) {
                    return; // whoever woke us has woken the monitor too
                }
                if (why == Worker.TIMED_OUT) {
                    if (idle.cancelPark(w)) {
                        monitor.workerWoke();
                    } else {
                        w.awaitNotified(); // a waker took us off the stack just now; its wake-up is on its way
                    }
                    return;
                }
            }
        } finally {
            h.lock();
            h.awake();
            h.unlock();
        }
    }

    /**
     * Before the threads start: worker {@code w}, owner of {@code p}, begins parked, with no final
     * look (nothing can have been submitted yet), so a new scheduler costs O(parallelism) to start
     * instead of a search and a look at every queue by every worker. Pushed last to first, so the
     * first submission wakes processor 0's worker.
     */
    void startParked(Processor[] all) {
        for (int i = all.length - 1; i >= 0; i--) {
            Processor p = all[i];
            p.volatileWord(word(p.owner.epoch, PARKED));
            p.owner.startsParked = true;
            idle.startParked(p.owner);
        }
    }

    /**
     * The first thing a worker that started parked does: wait for its first wake-up, then leave
     * PARKED as {@link #park} does; false when the processor was stopped meanwhile.
     */
    boolean awaitFirstWakeUp(Worker w, Processor p) {
        awaitWork(w, p); // a wake-up, or a timer set on its processor coming due
        p.busySince = System.nanoTime();
        p.counters.increment(Event.UNPARK);
        w.searching = true;
        return p.casWord(word(w.epoch, PARKED), word(w.epoch, SCHEDULING));
    }

    /** Counts the worker parked unless Idle's final check sees work (or a shutdown); true: it may block. */
    boolean mayBlock(Worker w) {
        return idle.prepareToPark(w, w.searching, () -> runState.draining() || runState.hardStopped() || hasStealableWork());
    }

    /**
     * Any thread: whether some queue or runnext slot holds a task right now. Yield lists are left
     * out: only their owners may take from them, and an owner moves its own into its queue before
     * it ever searches or parks (TaskOrder's refill).
     */
    boolean hasVisibleWork() {
        if (hasStealableWork()) {
            return true;
        }
        for (Processor p : processors) {
            if (p.runnext() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Any thread: whether the global queue or some run queue holds a task right now: the work a
     * submission announces, and so what a worker's final check before parking looks for. A runnext
     * slot is left out: its task is its own worker's next one, which that worker takes when its task
     * ends (or a spare does, if the monitor hands the processor off); a searcher takes it only by
     * the way, on its last steal round. Counting it here would keep an idle worker from parking
     * beside every task chain, each link of which sits in runnext for a moment.
     *
     * <p>A processor whose owner is SUBMITTING counts as holding work: its submission may be about
     * to push a displaced task into its queue without notifying, having seen the queue non-empty
     * before a thief (perhaps the caller) emptied it. The word is read first: once the owner has
     * left SUBMITTING, its releasing store makes that push visible to the queue read that follows
     * (the explorer found the schedule where reading only the queue parks the last searcher beside
     * a pushed task).
     */
    boolean hasStealableWork() {
        if (!global.isEmpty()) {
            return true;
        }
        for (Processor p : processors) {
            if (Processor.status(p.word()) == Processor.SUBMITTING || !p.queue.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
