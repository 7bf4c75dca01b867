package io.mnscheduler.internal;

import java.util.ArrayList;

/**
 * The worker threads: how many there are (never more than the cap) and the spares among them,
 * parked and waiting to be given a processor, under one lock taken only on hand-offs and when a
 * worker starts or leaves, never on the per-task path; and the workers whose threads run, a
 * concurrent set written at a thread's start and end, read by shutdownNow.
 */
final class Spares {
    private final Object lock = new Object();
    private final ArrayList<Worker> parked = new ArrayList<>(); // guarded by lock; a stack
    private final java.util.Set<Worker> running = java.util.concurrent.ConcurrentHashMap.newKeySet(); // workers whose thread runs
    private final int cap;                                       // final
    private int threads;                                         // guarded by lock
    private int peak;                                            // guarded by lock

    Spares(int initialThreads, int cap) {
        this.threads = initialThreads;
        this.peak = initialThreads;
        this.cap = cap;
    }

    /** What {@link #reserve} found. */
    sealed interface Reservation permits Parked, Fresh {
    }

    /** A parked spare, taken off the stack. */
    record Parked(Worker worker) implements Reservation {
    }

    /** Room for one more thread, already counted; the caller creates and starts it, or calls {@link #unreserve}. */
    record Fresh() implements Reservation {
    }

    /** A parked spare, or room for a new thread; null when the cap is reached and no spare waits. */
    Reservation reserve() {
        synchronized (lock) {
            if (!parked.isEmpty()) {
                return new Parked(parked.removeLast());
            }
            if (threads >= cap) {
                return null;
            }
            threads++;
            peak = Math.max(peak, threads);
            return new Fresh();
        }
    }

    /** Gives back a reservation that was not used. */
    void unreserve(Reservation r) {
        synchronized (lock) {
            if (r instanceof Parked(Worker w)) {
                parked.add(w);
            } else {
                threads--;
            }
        }
    }

    /** A spare parks; it stays on the stack until reserved or until {@link #leave}. */
    void park(Worker w) {
        synchronized (lock) {
            parked.add(w);
        }
    }

    /** A parked spare whose keep-alive ran out leaves; false when a reserver took it first. */
    boolean leave(Worker w) {
        synchronized (lock) {
            return parked.remove(w);
        }
    }

    /** Worker {@code w}'s thread began to run; it stays in {@link #running} until {@link #exited(Worker)}. */
    void started(Worker w) {
        running.add(w);
    }

    /** Worker {@code w}'s thread ended. */
    void exited(Worker w) {
        running.remove(w);
        exited();
    }

    /** The workers whose threads run now; for shutdownNow, which interrupts those running a task without a processor. */
    java.util.Set<Worker> running() {
        return running;
    }

    /** A worker thread ended, or a thread counted for a spare was never started. */
    void exited() {
        synchronized (lock) {
            threads--;
        }
    }

    /** Takes every parked spare off the stack; for shutdown. */
    ArrayList<Worker> takeAllParked() {
        synchronized (lock) {
            ArrayList<Worker> all = new ArrayList<>(parked);
            parked.clear();
            return all;
        }
    }

    /** Spares parked now, waiting for a processor. */
    int parked() {
        synchronized (lock) {
            return parked.size();
        }
    }

    /** The cap on worker threads (maxWorkers). */
    int cap() {
        return cap;
    }

    int threads() {
        synchronized (lock) {
            return threads;
        }
    }

    int peak() {
        synchronized (lock) {
            return peak;
        }
    }
}
