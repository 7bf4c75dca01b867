package io.mnscheduler.internal;

import io.mnscheduler.internal.queue.InjectionQueue;
import io.mnscheduler.internal.stats.ProcessorCounters;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;

import io.mnscheduler.internal.jfr.OverflowEvent;

import java.util.Arrays;

/**
 * The scheduling policy of one processor: which task its worker runs next, and where a task pushed
 * onto it goes when its queue is full. Go's {@code runqget}, {@code runqputslow} and
 * {@code globrunqget}; Tokio's {@code next_task}. Sections "Local queues" and "Injection" of the
 * overview in {@code package-info.java}, and the first record of {@code src/docs/decisions.md}.
 *
 * <p>Every method is called by the holder of the processor only, between tasks or inside its own
 * push (the state word in SCHEDULING or SUBMITTING), so it writes the processor's owner-only policy
 * fields ({@code fairnessCountdown}, {@code runnextStreak}, {@code oldestTakenNanos},
 * {@code overflowed}, {@code overflowNanos}, {@code globalPollNanos}, {@code scratch}) without any
 * atomic, and its queue, runnext and yield list through their owner operations. Used through
 * {@link #next}, {@link #push} and {@link #pollGlobal}.
 */
final class TaskOrder {
    /** Consecutive runnext tasks before the queue is served. */
    static final int RUNNEXT_LIMIT = 3;
    /** Every this many ticks the global queue is polled first (Go's 61). */
    static final int FAIRNESS_INTERVAL = 61;
    /** Queued tasks per tick of wait between two oldest-first pops (see pollOldestIfDue). */
    static final int OLDEST_PER_TICK_DEPTH = 32;

    private final InjectionQueue global;    // final
    private final Parking parking;          // final: wakes a worker when a refill leaves work to share
    private final int parallelism;          // final: the global batch is divided among this many
    private final long localFairnessNanos;  // final: at most one oldest-first local pop per this long (the tick)

    private final String name;             // final: the scheduler's, for the Overflow event

    TaskOrder(InjectionQueue global, Parking parking, int parallelism, long localFairnessNanos, String name) {
        this.name = name;
        this.global = global;
        this.parking = parking;
        this.parallelism = parallelism;
        this.localFairnessNanos = localFairnessNanos;
    }

    /** Owner only: the next task from this processor or, on fairness ticks and when empty, the global queue. */
    Runnable next(Processor p) {
        ProcessorCounters c = p.counters;
        if (--p.fairnessCountdown == 0) {
            p.fairnessCountdown = FAIRNESS_INTERVAL;
            Runnable t = overflowedRecently(p) && !globalPollDue(p) ? null : global.poll();
            if (t != null) {
                c.increment(Event.GLOBAL_POLL);
                return t;
            }
            t = p.pollYielded(); // a yielded task waits at most this many fairness ticks for a busy queue
            if (t == null) {
                t = pollOldestIfDue(p);
            }
            if (t != null) {
                p.runnextStreak = 0;
                return t;
            }
        }
        if (p.runnextStreak < RUNNEXT_LIMIT) {
            Runnable t = p.takeRunnext();
            if (t != null) {
                p.runnextStreak++;
                c.increment(Event.RUNNEXT_HIT);
                return t;
            }
        } else if (!global.isEmpty() && !overflowedRecently(p)) {
            // The streak is spent while outside work waits: the runnext task goes behind that work,
            // as Go puts a preempted goroutine on the global queue (a LIFO local queue has no back
            // to put it at). Without this, a task that keeps resubmitting itself lets the global
            // queue advance by one task per FAIRNESS_INTERVAL runs. Not while this processor's own
            // overflow may be what waits there: see overflowedRecently.
            Runnable t = p.takeRunnext();
            if (t != null) {
                global.addBehindMost(t); // behind the waiting work, not in a shard of its own (see there)
                p.runnextStreak = 0;
            }
        }
        Runnable t = p.queue.pop();
        if (t != null) {
            p.runnextStreak = 0;
            return t;
        }
        t = p.takeRunnext();
        if (t != null) {
            p.runnextStreak++;
            c.increment(Event.RUNNEXT_HIT);
            return t;
        }
        return refill(p);
    }

    /** Owner only: pushes onto the local queue, moving half of it to the global queue when full. */
    void push(Processor p, Runnable task) {
        if (p.queue.offer(task)) {
            return;
        }
        Runnable[] batch = p.scratch(p.queue.capacity() / 2 + 1); // the queue is full at its capacity here
        int n = p.queue.takeHalfForOverflow(batch);
        batch[n] = task;
        global.addBatch(batch, n + 1);
        Arrays.fill(batch, 0, n + 1, null);
        p.counters.increment(Event.OVERFLOW);
        OverflowEvent.emit(name, p.id, n + 1);
        p.overflowed = true;
        p.overflowNanos = System.nanoTime();
    }

    /**
     * Owner only, with the queue and runnext empty: the yielded tasks go into the queue, where
     * thieves can take them, and a global batch goes on top, so work that waits outside runs before
     * the tasks that yielded (as Go's Gosched puts a goroutine behind the global queue). When yielded
     * tasks were moved and some remain queued after the one returned, a parked worker is woken to
     * share them.
     */
    private Runnable refill(Processor p) {
        int moved = 0;
        for (Runnable t; (t = p.pollNewestYielded()) != null; moved++) {
            push(p, t); // newest first: the owner pops LIFO, so they run oldest first
        }
        Runnable t = pollGlobal(p);
        if (moved > 0) {
            if (t == null) {
                t = p.queue.pop();
            }
            if (!p.queue.isEmpty()) {
                parking.notifyWork();
            }
        }
        return t;
    }

    /**
     * Owner only: whether this processor's queue overflowed within the last tick, so that the
     * global queue holds its own older work. Pulling that work back in early (one task per
     * FAIRNESS_INTERVAL runs, plus every runnext task whose streak is spent, sent behind it) is what
     * kept a skynet tree overflowing for seconds: each task pulled back opened another subtree on
     * top of the current one, which overflowed again. For that tick the processor works through its
     * own queue; {@link #globalPollDue} still takes one global task per tick, so outside work keeps
     * moving, and processors that did not overflow serve the global queue as usual.
     */
    private boolean overflowedRecently(Processor p) {
        if (!p.overflowed) {
            return false;
        }
        if (System.nanoTime() - p.overflowNanos < localFairnessNanos) {
            return true;
        }
        p.overflowed = false;
        return false;
    }

    /** Owner only: whether a tick has passed since a fairness tick last took a global task here. */
    private boolean globalPollDue(Processor p) {
        long now = System.nanoTime();
        if (now - p.globalPollNanos < localFairnessNanos) {
            return false;
        }
        p.globalPollNanos = now;
        return true;
    }

    /**
     * Owner only: the oldest local task, if none was taken this way for a while. Under LIFO pops a
     * task at the bottom of a busy queue would wait forever; taking the oldest now and then bounds
     * that wait, while a divide-and-conquer task tree keeps its depth-first order. The while is a
     * tick per {@link #OLDEST_PER_TICK_DEPTH} tasks queued: taking the oldest starts the largest
     * pending subtree on top of the current one, and at one a tick, skynet's subtrees (four to five
     * ticks each on 2 cores) piled up until the queue overflowed and half of it went round through
     * the global queue, for seconds at a time. Scaled, the pile levels off well below the capacity,
     * and a task k places from the bottom still runs within k times capacity / 32 ticks.
     */
    private Runnable pollOldestIfDue(Processor p) {
        int depth = p.queue.size();
        if (depth == 0) {
            return null;
        }
        long now = System.nanoTime();
        int ticks = Math.max(1, depth / OLDEST_PER_TICK_DEPTH);
        long interval = localFairnessNanos > Long.MAX_VALUE / ticks ? Long.MAX_VALUE : localFairnessNanos * ticks; // a tick of centuries must not wrap
        if (now - p.oldestTakenNanos < interval) {
            return null;
        }
        p.oldestTakenNanos = now;
        return p.queue.pollOldest();
    }

    /**
     * Owner only: takes a batch from the global queue, runs the first, queues the rest locally in
     * FIFO pop order (Go's globrunqget); null when the global queue is empty. Also the last resort of
     * a searcher's steal round.
     */
    Runnable pollGlobal(Processor p) {
        int available = global.size();
        if (available == 0) {
            return null;
        }
        // Never more than the queue has room for: push's overflow path reuses p.scratch, which
        // holds this batch (refill may have filled the queue with yielded tasks first).
        int room = p.queue.capacity() - p.queue.size() + 1; // the first task is returned, not pushed
        int max = Math.min(available / parallelism + 1, Math.min(p.batchLimit(), room));
        Runnable[] batch = p.scratch(max);
        int n = global.pollBatch(batch, max);
        if (n == 0) {
            return null;
        }
        p.counters.increment(Event.GLOBAL_POLL);
        for (int i = n - 1; i >= 1; i--) {
            push(p, batch[i]); // newest first: the owner pops LIFO, so the batch still runs oldest first
        }
        Runnable first = batch[0];
        Arrays.fill(batch, 0, n, null);
        return first;
    }
}
