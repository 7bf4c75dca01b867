package io.mnscheduler.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
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
    /** What {@link #add} did. */
    static final int ADDED = 0;
    static final int CLOSED = 1;    // the heap's worker left: try another processor
    static final int REJECTED = 2;  // shut down: refuse the timer

    private final Scheduler scheduler;      // final: tells our workers from another scheduler's
    private final Processor[] processors;   // final contents
    private final RunState runState;        // final
    private final TaskOrder order;          // final: a due timer is pushed through it
    private final Parking parking;          // final
    private final boolean cancelOnShutdown; // final: the builder's cancelDelayedTasksOnShutdown
    private final LongAdder cancelledOffHeap = new LongAdder(); // cancels of timers no longer in a heap (fired, or stopped by shutdown)

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
        return new DelayedTask<>(this, task, deadline(delayNanos), period);
    }

    <V> DelayedTask<V> task(Runnable task, V result, long delayNanos, long period) {
        return new DelayedTask<>(this, task, result, deadline(delayNanos), period);
    }

    private static long deadline(long delayNanos) {
        long now = System.nanoTime();
        return now + Math.max(0L, delayNanos); // the caller checked that this does not overflow
    }

    /**
     * Sets timer {@code t}, or throws {@link RejectedExecutionException} after shutdown. The run
     * state is read under the heap's lock: shutdown() writes SHUTDOWN, then looks at every heap under
     * its lock (Shutdown.quiescent), so a timer is either in a heap it looks at or refused here.
     */
    void schedule(DelayedTask<?> t) {
        if (addSomewhere(t) != ADDED) {
            throw new RejectedExecutionException("Task " + t + " rejected: the scheduler is shut down");
        }
    }

    /**
     * Sets the timer of a virtual thread's timed park (CarrierPool.schedule): like any timer, except
     * that shutdown neither refuses nor cancels it, since its thread runs on after shutdown() and
     * would never wake; null only when no heap takes timers any more (shutdownNow closed them).
     * Set on the worker the thread parks on (the JDK sets it there, after the thread unmounted), so
     * it goes into that processor's heap and its wake-up is a local push.
     */
    DelayedTask<Void> scheduleWake(Runnable wake, long delayNanos) {
        long now = System.nanoTime();
        long deadline = delayNanos >= Long.MAX_VALUE - now ? Long.MAX_VALUE : now + Math.max(0L, delayNanos);
        DelayedTask<Void> t = new DelayedTask<>(this, wake, null, deadline, 0, true);
        return addSomewhere(t) == ADDED ? t : null;
    }

    /** A periodic task ran and is due again: back on the heap of the processor it ran on, unless shut down. */
    void rearm(DelayedTask<?> t) {
        if (runState.isShutdown() || addSomewhere(t) != ADDED) {
            t.cancel(false); // as ScheduledThreadPoolExecutor: periodic tasks stop at shutdown
            return;
        }
        if (t.isCancelled()) {
            remove(t, false); // cancelled while being set again: its cancel may have looked before the add (and counted it)
        }
    }

    private int addSomewhere(DelayedTask<?> t) {
        Worker w = Worker.current();
        Processor own = w != null && w.scheduler == scheduler ? w.processor : null;
        if (own != null) {
            int r = add(own, t, true);
            if (r != CLOSED) {
                return r;
            }
        }
        int n = processors.length;
        int start = ThreadLocalRandom.current().nextInt(n);
        for (int k = 0; k < n; k++) {
            Processor p = processors[(start + k) % n];
            if (p.owner.life != Worker.STARTED || status(p.state) == STOPPED) {
                continue; // a worker not started yet would not wake for it; processor 0's starts with the scheduler
            }
            int r = add(p, t, false);
            if (r != CLOSED) {
                return r;
            }
        }
        int r = add(processors[0], t, false);
        return r == CLOSED ? REJECTED : r;
    }

    /**
     * Adds {@code t} to {@code p}'s heap unless it is closed or the scheduler no longer accepts
     * timers; pokes p's parked worker if it sleeps past t's deadline. Decided under the heap's lock,
     * under which the parking worker also reads its deadline (Parking.awaitWork): either it sees t,
     * or this sees it asleep.
     */
    int add(Processor p, DelayedTask<?> t, boolean byHolder) {
        TimerHeap h = p.timers;
        boolean poke;
        h.lock();
        try {
            if (h.closed) {
                return CLOSED;
            }
            if (!t.wake && !runState.accepting()) {
                return REJECTED; // read under the lock: see schedule
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
        return ADDED;
    }

    /** {@code t} was cancelled: out of its heap if still there (O(log n)), and counted once. */
    void cancelled(DelayedTask<?> t) {
        remove(t, true);
    }

    private void remove(DelayedTask<?> t, boolean count) {
        for (TimerHeap h; (h = t.heap) != null; ) {
            h.lock();
            boolean removed;
            try {
                removed = h.remove(t, count);
            } finally {
                h.unlock();
            }
            if (removed) {
                return;
            }
            // fired or moved meanwhile: look again
        }
        if (count) {
            cancelledOffHeap.increment();
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
        int room = Math.max(1, p.queue.capacity() - p.queue.size()); // no overflow into the global queue: the rest stay due
        h.lock();
        try {
            h.takeDue(now, due, room);
        } finally {
            h.unlock();
        }
        int n = due.size();
        if (n == 0) {
            return;
        }
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
            h.takeDue(now, due, Math.max(1, thief.batchLimit())); // one batch: the thief's own queue was empty
        } finally {
            h.unlock();
        }
        int n = due.size();
        if (n == 0) {
            return null;
        }
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

    /**
     * shutdown(): periodic timers stop, and with cancelDelayedTasksOnShutdown the one-shot ones too;
     * a virtual thread's wake-up stays, as its thread runs on.
     */
    void onShutdown() {
        List<DelayedTask<?>> stopped = new ArrayList<>();
        for (Processor p : processors) {
            TimerHeap h = p.timers;
            h.lock();
            try {
                h.removeIf(t -> !t.wake && (cancelOnShutdown || t.isPeriodic()), stopped);
            } finally {
                h.unlock();
            }
        }
        for (DelayedTask<?> t : stopped) {
            t.cancel(false); // out of every heap already: counted off-heap
        }
    }

    /**
     * shutdownNow(): every timer, out of every heap, each heap closed; virtual threads' wake-ups go
     * to {@code wakes}, the rest to {@code sink}.
     */
    void drainAll(List<Runnable> sink, List<DelayedTask<?>> wakes) {
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
        for (DelayedTask<?> t : all) {
            if (t.wake) {
                wakes.add(t);
            } else {
                sink.add(t);
            }
        }
    }

    /**
     * Shutdown only, with SHUTDOWN written: the timers in every heap, each read under its lock, so
     * that a timer added before is counted and one added after was refused (see schedule).
     */
    long pendingExactly() {
        long n = 0;
        for (Processor p : processors) {
            TimerHeap h = p.timers;
            h.lock();
            n += h.count;
            h.unlock();
        }
        return n;
    }

    /** Timers in heaps now; racy. */
    long pending() {
        long n = 0;
        for (Processor p : processors) {
            n += p.timers.count;
        }
        return n;
    }

    /** Timers that came due; racy. */
    long fired() {
        long n = 0;
        for (Processor p : processors) {
            n += p.timers.firedCount();
        }
        return n;
    }

    /** Successful cancellations; racy. */
    long cancelledCount() {
        long n = cancelledOffHeap.sum();
        for (Processor p : processors) {
            n += p.timers.cancelledCount();
        }
        return n;
    }
}
