package io.mnscheduler.internal;

import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.jfr.StealEvent;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.mnscheduler.internal.Processor.RUNNING;
import static io.mnscheduler.internal.Processor.status;

/**
 * Searching: a worker whose processor ran dry steals from the others, nearest first (Go's
 * {@code findRunnable} steal loop with {@code runqsteal}, Tokio's {@code steal_work}). Section
 * "Stealing" of the overview in {@code package-info.java}; the queue's side of a steal, and its
 * memory-ordering argument, are {@code RunQueue}'s, and the runnext side is
 * {@link Processor#stealRunnext}'s.
 *
 * <p>Writes: the searching worker's own processor (its queue, through {@code stealInto}, and its
 * STOLEN and STEAL_OPERATION counters), its {@code searching} flag and Idle's searcher count.
 * Used through {@link #search} and {@link #stopSearching}.
 */
final class Stealing {
    /** Rounds over all victims before a searcher gives up (Go's stealTries). */
    static final int STEAL_ROUNDS = 4;
    /** How long a searcher backs off through a configured IdleStrategy before it parks. */
    static final long LOW_LATENCY_SEARCH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Without an IdleStrategy, how long one searcher at a time keeps searching before it parks. */
    static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    /** After this many failed spins in a row, at most one spin opportunity in this many is taken. */
    static final int MAX_SPIN_BACKOFF = 1024;
    /**
     * A running victim whose steal would take fewer tasks than this (its queue holds fewer than
     * twice as many) is left for last in a round and waited for (see {@link #stealRound}).
     */
    static final int SMALL_STEAL = 32;
    /** How often a searcher waiting on a running victim with a small queue, or only a runnext task, looks at it again. */
    static final long PATIENCE_SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(2);
    /** The longest a searcher waits on such a victim before it steals what is there. */
    static final long MAX_PATIENCE_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private final AtomicBoolean spinner = new AtomicBoolean(); // one spinner at a time: set by CAS, cleared by its holder
    private int spinBackoff; // spin opportunities to skip after the last failed spin (0: spin); spinner holder only, published by its release
    private int spinsToSkip; // left of spinBackoff; spinner holder only

    private final Processor[] processors;   // final contents
    private final VictimOrder[] victims;    // final contents: each processor's steal order
    private final Idle<Worker> idle;        // final
    private final RunState runState;        // final
    private final TaskOrder order;          // final: a round's last resort is a global batch
    private final Parking parking;          // final: the last searcher to find work wakes another
    private final Timers timers;            // final: a busy victim's due timers are stolen too

    Stealing(Processor[] processors, VictimOrder[] victims, Idle<Worker> idle, RunState runState,
             TaskOrder order, Parking parking, Timers timers) {
        this.processors = processors;
        this.victims = victims;
        this.idle = idle;
        this.runState = runState;
        this.order = order;
        this.parking = parking;
        this.timers = timers;
    }

    /** Steals, as a searcher; null when the worker should park (or, in shutdown, exit). */
    Runnable search(Worker w, Processor p) {
        if (!w.searching) {
            if (runState.draining()) {
                return stealRound(w, p, true); // one full scan before exiting, whatever the searcher limit
            }
            w.searching = idle.tryStartSearching();
            if (!w.searching) {
                return null;
            }
        }
        IdleStrategy idleStrategy = w.idleStrategy;
        if (idleStrategy == null) {
            return searchThenSpin(w, p);
        }
        long deadline = 0L;
        for (int round = 0; ; round++) {
            Runnable t = stealRound(w, p, round % STEAL_ROUNDS == STEAL_ROUNDS - 1);
            if (t != null) {
                idleStrategy.reset();
                return t;
            }
            if (runState.draining() || runState.hardStopped()) {
                return null;
            }
            if (round + 1 >= STEAL_ROUNDS) {
                long now = System.nanoTime();
                if (deadline == 0L) {
                    deadline = now + LOW_LATENCY_SEARCH_NANOS;
                } else if (now - deadline > 0) {
                    idleStrategy.reset();
                    return null;
                }
                idleStrategy.idle();
            }
        }
    }

    /**
     * The default search: {@link #STEAL_ROUNDS} rounds, then, for one searcher at a time, more
     * rounds for up to {@link #SPIN_NANOS} before it parks (Go's spinning M; ForkJoinPool's workers
     * spin too before they park). The spinner still counts as searching, so a submission meanwhile
     * wakes nobody and the spinner takes the task: a worker that ran dry a moment before work comes
     * (the next link of a chain submitted from outside, a burst's follow-up) is not parked and
     * woken, which costs the submitter an unpark and the task a wake-up of tens of microseconds.
     * Spinning rounds leave runnext alone: a spinner that took the runnext task of a processor
     * running a chain would move the chain to its own core on every link.
     *
     * <p>Spinning backs off when it does not pay: after a spin that found nothing, the next spin
     * opportunity is skipped, after two such spins in a row the next two, and so on up to
     * {@link #MAX_SPIN_BACKOFF}; a spin that finds work resets it. A worker that spins burns CPU
     * time the kernel's scheduler holds against it (Linux's EEVDF gives less lag, so less right to
     * preempt, to a thread that ran more): woken onto a busy core, it waited out the running
     * thread's 3 ms slice. Unconditional spinning made 1% of wake-ups after 1 ms of idleness take
     * about 2.9 ms (wakeup_latency p99), against 0.1-0.8 ms without it; work that comes within
     * microseconds (the next chain from a waiting submitter) keeps its spinner.
     */
    private Runnable searchThenSpin(Worker w, Processor p) {
        for (int round = 0; round < STEAL_ROUNDS; round++) {
            Runnable t = stealRound(w, p, round == STEAL_ROUNDS - 1);
            if (t != null) {
                return t;
            }
            if (runState.draining() || runState.hardStopped()) {
                return null;
            }
        }
        if (Interleavings.ENABLED || !spinner.compareAndSet(false, true)) {
            // Another worker spins already. Under the interleaving explorer nobody spins: the rounds
            // are stealRound's, explored already, and a loop bounded by the clock would multiply the
            // schedules past counting; what follows the spin (the final check) is the same either way.
            return null;
        }
        try {
            if (spinsToSkip > 0) {
                spinsToSkip--; // recent spins found nothing: work comes too late for a spin to catch it
                return null;
            }
            long deadline = System.nanoTime() + SPIN_NANOS;
            do {
                for (int i = 0; i < 32; i++) {
                    Thread.onSpinWait();
                }
                Runnable t = stealRound(w, p, false);
                if (t != null) {
                    spinBackoff = 0;
                    return t;
                }
            } while (System.nanoTime() - deadline < 0 && !runState.draining() && !runState.hardStopped());
            spinBackoff = Math.min(MAX_SPIN_BACKOFF, Math.max(1, 2 * spinBackoff));
            spinsToSkip = spinBackoff;
            return null;
        } finally {
            spinner.set(false); // releases spinBackoff and spinsToSkip to the next holder, whose CAS acquires them
        }
    }

    /**
     * A searcher found a task. The last searcher to do so wakes another (Go's resetspinning), but
     * only when more work is visible: its RMW on Idle's state orders this check after any
     * submission that saw it searching, and later submissions wake someone themselves.
     */
    void stopSearching(Worker w) {
        w.searching = false;
        if (idle.stopSearching() && parking.hasStealableWork()) {
            parking.notifyWork();
        }
    }

    /** Whether a processor's worker is inside a task, or gone from it: its own timers wait until it is back. */
    private static boolean busy(int word) {
        int st = status(word);
        return st != Processor.SCHEDULING && st != Processor.PARKED;
    }

    /**
     * One round over the victims, nearest first, then the global queue. A victim whose task is
     * running and whose queue holds fewer than {@code 2 * SMALL_STEAL} tasks (or, on a round that
     * takes runnext, only a runnext task) is deferred: the first such victim is visited last, after
     * the global queue, once the searcher has waited for its queue to grow ({@link #awaitLargerSteal}:
     * while the same task runs there, up to {@link #MAX_PATIENCE_NANOS}, looking every
     * {@link #PATIENCE_SLICE_NANOS} and touching none of its memory in between). Such a victim is
     * usually pushing (a loop of spawns, a task that readies another); every steal from it costs its
     * owner misses on the lines the steal reads and writes (the queue's head and tail, the slots, the
     * state word), and a searcher that took each task as it came settled into stealing four to eight
     * at a time, which made the spawner's loop of {@code spawn_many_local} up to five times slower
     * (0.7 to 1.6 ms per 10,000 spawns, against 0.2 to 0.35 ms in phases of larger steals: the same
     * code, the JVMs falling into one mode or the other by timing). Go's {@code runqgrab} waits
     * 3 µs for the same reason before it takes a running P's runnext. The round still ends with a
     * steal attempt on the deferred victim, so every victim is tried in every round.
     */
    private Runnable stealRound(Worker w, Processor p, boolean takeRunnext) {
        VictimOrder nearestFirst = victims[p.id];
        Processor deferred = null;
        int deferredWord = 0;
        int deferredTick = 0;
        long now = 0L; // read once a victim has timers
        boolean haveNow = false;
        for (int t = 0; t < nearestFirst.tierCount(); t++) { // nearest tier first; within a tier, random order
            int n = nearestFirst.tierSize(t);
            int r = w.nextRandom() & Integer.MAX_VALUE;
            int index = r % n;
            int stride = nearestFirst.stride(t, r >>> 16);
            for (int i = 0; i < n; i++, index = (index + stride) % n) {
                Processor victim = processors[nearestFirst.victim(t, index)];
                int vs = victim.word();
                boolean defer = deferred == null && worthWaitingFor(victim, vs, takeRunnext);
                if (defer) {
                    deferred = victim;
                    deferredWord = vs;
                    deferredTick = victim.schedTickOpaque();
                } else {
                    Runnable stolen = stealQueue(p, victim, nearestFirst);
                    if (stolen != null) {
                        return stolen;
                    }
                }
                if (victim.timers.count != 0 && busy(vs)) { // Go steals timers from a P whose M is busy
                    if (!haveNow) {
                        now = System.nanoTime();
                        haveNow = true;
                    }
                    Runnable due = timers.stealDue(victim, p, now);
                    if (due != null) {
                        p.counters.increment(Event.STEAL_OPERATION);
                        StealEvent.emit(runState.name, p.id, victim.id, 1, nearestFirst.sameGroup(victim.id));
                        return due;
                    }
                }
                if (!defer && takeRunnext) {
                    Runnable task = stealRunnext(p, victim, nearestFirst);
                    if (task != null) {
                        return task;
                    }
                }
            }
        }
        Runnable global = order.pollGlobal(p);
        if (global != null || deferred == null) {
            return global;
        }
        if (!Interleavings.ENABLED) { // the explorer explores the deferral; a wait on the clock adds no schedule
            awaitLargerSteal(deferred, deferredWord, deferredTick);
        }
        Runnable stolen = stealQueue(p, deferred, nearestFirst);
        return stolen != null || !takeRunnext ? stolen : stealRunnext(p, deferred, nearestFirst);
    }

    /**
     * Waits, reading nothing of {@code victim}'s between looks, while the task it was seen running
     * (word {@code word}, tick {@code tick}) still runs and its queue is too short for a steal of
     * {@link #SMALL_STEAL}: one look per {@link #PATIENCE_SLICE_NANOS}, at most
     * {@link #MAX_PATIENCE_NANOS} in all. A new task there means short tasks, not a spawning loop:
     * the searcher then steals after one slice.
     */
    private static void awaitLargerSteal(Processor victim, int word, int tick) {
        long start = System.nanoTime();
        long sliceEnd = start + PATIENCE_SLICE_NANOS;
        for (;;) {
            for (int i = 0; i < 16; i++) {
                Thread.onSpinWait();
            }
            long now = System.nanoTime();
            if (now - sliceEnd < 0) {
                continue;
            }
            if (now - start - MAX_PATIENCE_NANOS >= 0 || victim.word() != word || victim.schedTickOpaque() != tick
                    || victim.queue.size() >= 2 * SMALL_STEAL) {
                return;
            }
            sliceEnd = now + PATIENCE_SLICE_NANOS;
        }
    }

    /** Whether a searcher should come back to {@code victim} (whose word it read as {@code vs}) last, after a wait. */
    private static boolean worthWaitingFor(Processor victim, int vs, boolean takeRunnext) {
        if (status(vs) != RUNNING) {
            return false;
        }
        int size = victim.queue.size();
        return size > 0 ? size < 2 * SMALL_STEAL : takeRunnext && victim.runnext() != null;
    }

    /** Half of {@code victim}'s queue into {@code p}'s; the first of them, or null. */
    private Runnable stealQueue(Processor p, Processor victim, VictimOrder nearestFirst) {
        int stolen = victim.queue.stealInto(p.queue);
        if (stolen == 0) {
            return null;
        }
        p.counters.add(Event.STOLEN, stolen);
        p.counters.increment(Event.STEAL_OPERATION);
        StealEvent.emit(runState.name, p.id, victim.id, stolen, nearestFirst.sameGroup(victim.id));
        return p.queue.pop();
    }

    /** {@code victim}'s runnext task, when its task is still running; or null. */
    private Runnable stealRunnext(Processor p, Processor victim, VictimOrder nearestFirst) {
        int vs = victim.word();
        if (status(vs) != RUNNING) {
            return null;
        }
        Runnable task = victim.stealRunnext(vs);
        if (task != null) {
            p.counters.increment(Event.STOLEN);
            p.counters.increment(Event.STEAL_OPERATION);
            StealEvent.emit(runState.name, p.id, victim.id, 1, nearestFirst.sameGroup(victim.id));
        }
        return task;
    }
}
