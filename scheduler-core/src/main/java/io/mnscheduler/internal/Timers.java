package io.mnscheduler.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import static io.mnscheduler.internal.Processor.STOPPED;
import static io.mnscheduler.internal.Processor.status;

/**
 * Timers, Go-style: each processor keeps its own ({@link TimerHeap}); there is no timer thread.
 * Section "Timers" of the overview in {@code package-info.java}.
 *
 * <p>A timer set on a worker goes into that worker's processor's heap; one set from outside goes to
 * a processor picked at random among those whose worker runs, and a parked one is poked if the new
 * timer is its earliest. The holder runs due timers between tasks ({@link #runDue}, Go's
 * {@code checkTimers}): each goes onto its run queue as a task. A searching worker runs the due
 * timers of a processor whose worker is busy ({@link #stealDue}), and the monitor counts due timers
 * as work waiting, so a processor whose task holds it is handed off. A parked worker sleeps until
 * its processor's earliest deadline ({@link Parking}).
 *
 * <p>Writes: the heaps (under their locks), the counts, and a parked worker's poke flag. Used
 * through {@link #schedule}, {@link #rearm}, {@link #cancelled}, {@link #runDue},
 * {@link #stealDue}, {@link #close}, {@link #onShutdown} and {@link #drainAll}.
 */
final class Timers {
    private final Scheduler scheduler;      // final: tells our workers from another scheduler's
    private final Processor[] processors;   // final contents
    private final RunState runState;        // final
    private final TaskOrder order;          // final: a due timer is pushed through it
    private final Parking parking;          // final
    private final boolean cancelOnShutdown; // final: the builder's cancelDelayedTasksOnShutdown
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder pending = new LongAdder();   // timers in heaps (and adds in flight)
    private final LongAdder fired = new LongAdder();     // timers taken from heaps when due
    private final LongAdder cancelled = new LongAdder(); // successful cancel() calls

    Timers(Scheduler scheduler, Processor[] processors, RunState runState, TaskOrder order, Parking parking,
           boolean cancelOnShutdown) {
        this.scheduler = scheduler;
        this.processors = processors;
        this.runState = runState;
        this.order = order;
        this.parking = parking;
        this.cancelOnShutdown = cancelOnShutdown;
    }

    <V> DelayedTask<V> task(Callable<V> task, long delayNanos, long period) {
        return new DelayedTask<>(this, task, deadline(delayNanos), period, sequence.getAndIncrement());
    }

    <V> DelayedTask<V> task(Runnable task, V result, long delayNanos, long period) {
        return new DelayedTask<>(this, task, result, deadline(delayNanos), period, sequence.getAndIncrement());
    }

    private static long deadline(long delayNanos) {
        long now = System.nanoTime();
        return now + Math.max(0L, delayNanos); // the caller checked that this does not overflow
    }

    /**
     * Sets timer {@code t}, or throws {@link RejectedExecutionException} after shutdown. Counted
     * first, then the run state read: pairs with shutdown's write of SHUTDOWN, then read of the
     * count (Shutdown.quiescent), so a timer set is either seen there or rejected here.
     */
    void schedule(DelayedTask<?> t) {
        pending.increment();
        if (!runState.accepting()) {
            pending.decrement();
            throw new RejectedExecutionException("Task " + t + " rejected: the scheduler is shut down");
        }
        if (!addSomewhere(t)) {
            pending.decrement();
            throw new RejectedExecutionException("Task " + t + " rejected: the scheduler has terminated");
        }
    }

    /** Counts a timer set without {@link #schedule} (the interleaving tests add it with {@link #add}). */
    void countSet() {
        pending.increment();
    }

    /** A periodic task ran and is due again: back on the heap of the processor it ran on, unless shut down. */
    void rearm(DelayedTask<?> t) {
        if (runState.isShutdown()) {
            t.cancel(false); // as ScheduledThreadPoolExecutor: periodic tasks stop at shutdown
            return;
        }
        pending.increment();
        if (!addSomewhere(t)) {
            pending.decrement();
            t.cancel(false);
            return;
        }
        if (t.isCancelled()) {
            remove(t); // cancelled while being set again: its cancel may have looked before the add
        }
    }

    private boolean addSomewhere(DelayedTask<?> t) {
        Worker w = Worker.current();
        Processor own = w != null && w.scheduler == scheduler ? w.processor : null;
        if (own != null && add(own, t, true)) {
            return true;
        }
        int n = processors.length;
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            Processor p = processors[(start + k) % n];
            if (p.owner.life != Worker.STARTED || status(p.state) == STOPPED) {
                continue; // a worker not started yet would not wake for it; processor 0's starts with the scheduler
            }
            if (add(p, t, false)) {
                return true;
            }
        }
        return add(processors[0], t, false);
    }

    /**
     * Adds {@code t} to {@code p}'s heap unless it is closed; pokes p's parked worker if it sleeps
     * past t's deadline. Decided under the heap's lock, under which the parking worker also reads
     * its deadline (Parking.awaitWork): either it sees t, or this sees it asleep.
     */
    boolean add(Processor p, DelayedTask<?> t, boolean byHolder) {
        TimerHeap h = p.timers;
        h.lock();
        boolean poke;
        try {
            if (h.closed) {
                return false;
            }
            poke = h.add(t);
        } finally {
            h.unlock();
        }
        if (poke && !byHolder) {
            Worker o = p.owner;
            o.poked = true;
            LockSupport.unpark(o.thread);
        }
        return true;
    }

    /** {@code t} was cancelled: out of its heap if still there (O(log n)), and counted. */
    void cancelled(DelayedTask<?> t) {
        cancelled.increment();
        remove(t);
    }

    private void remove(DelayedTask<?> t) {
        for (TimerHeap h; (h = t.heap) != null; ) {
            h.lock();
            boolean removed;
            try {
                removed = h.remove(t);
            } finally {
                h.unlock();
            }
            if (removed) {
                pending.decrement();
                return;
            }
            // fired or moved meanwhile: look again
        }
    }

    /** The holder of {@code p}, between tasks: pushes its due timers onto its queue. */
    void runDue(Processor p) {
        TimerHeap h = p.timers;
        long now = System.nanoTime();
        if (!h.dueHint(now)) {
            return;
        }
        List<DelayedTask<?>> due = p.dueTimers;
        h.lock();
        try {
            h.takeDue(now, due);
        } finally {
            h.unlock();
        }
        int n = due.size();
        if (n == 0) {
            return;
        }
        fired.add(n);
        pending.add(-n);
        for (int i = n - 1; i >= 0; i--) {
            order.push(p, due.get(i)); // latest first: the holder pops its queue LIFO, so they run in deadline order
        }
        due.clear();
        if (n > 1) {
            parking.notifyWork(); // more than this worker's next task: share them
        }
    }

    /**
     * A searcher holding processor {@code thief}: runs the due timers of {@code victim}, whose
     * worker is busy, if its heap's lock is free; returns the first to run now, the rest on the
     * thief's queue; null when none.
     */
    Runnable stealDue(Processor victim, Processor thief, long now) {
        TimerHeap h = victim.timers;
        if (!h.dueHint(now) || !h.tryLock()) {
            return null;
        }
        List<DelayedTask<?>> due = thief.dueTimers;
        try {
            h.takeDue(now, due);
        } finally {
            h.unlock();
        }
        int n = due.size();
        if (n == 0) {
            return null;
        }
        fired.add(n);
        pending.add(-n);
        Runnable first = due.get(0);
        for (int i = n - 1; i >= 1; i--) {
            order.push(thief, due.get(i)); // latest first, as in runDue
        }
        due.clear();
        return first;
    }

    /** A worker leaves: closes its processor's heap if it is empty; false when it holds timers (the worker stays). */
    boolean close(Processor p) {
        TimerHeap h = p.timers;
        h.lock();
        try {
            if (!h.isEmptyLocked()) {
                return false;
            }
            h.closed = true;
            return true;
        } finally {
            h.unlock();
        }
    }

    /** shutdown(): periodic timers stop, and with cancelDelayedTasksOnShutdown the one-shot ones too. */
    void onShutdown() {
        List<DelayedTask<?>> stopped = new ArrayList<>();
        for (Processor p : processors) {
            TimerHeap h = p.timers;
            h.lock();
            try {
                h.removeIf(t -> cancelOnShutdown || t.isPeriodic(), stopped);
            } finally {
                h.unlock();
            }
        }
        pending.add(-stopped.size());
        for (DelayedTask<?> t : stopped) {
            t.cancel(false); // out of every heap already: only counted
        }
    }

    /** shutdownNow(): every timer, out of every heap, each heap closed. */
    void drainAll(List<Runnable> sink) {
        List<DelayedTask<?>> all = new ArrayList<>();
        for (Processor p : processors) {
            TimerHeap h = p.timers;
            h.lock();
            try {
                h.removeIf(t -> true, all);
                h.closed = true;
            } finally {
                h.unlock();
            }
        }
        pending.add(-all.size());
        sink.addAll(all);
    }

    /** Timers set and not yet fired, cancelled or returned; exact when nothing is being set. */
    long pending() {
        return pending.sum();
    }

    long fired() {
        return fired.sum();
    }

    long cancelledCount() {
        return cancelled.sum();
    }
}
