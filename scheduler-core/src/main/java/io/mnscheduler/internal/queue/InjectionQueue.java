package io.mnscheduler.internal.queue;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The global queue (Go's {@code sched.runq}, Tokio's inject queue): submissions from threads that
 * are not workers, and batches that overflow from full local queues.
 *
 * <p>It is a set of shards, each a ring buffer under a lock of its own; a thread always uses the
 * shard its thread id hashes to (ForkJoinPool's submission queues, chosen by a fixed hash rather
 * than a probe that moves, since a moving submitter would lose its FIFO order). So outside threads
 * submitting at once mostly take different locks, and one submitter descheduled while it holds a
 * lock stalls only the threads of its shard, where one lock made every submission wait for it.
 * What one lock gave is kept:
 * <ul>
 *   <li>FIFO order per submitter: its tasks go to one shard, which is FIFO, and a batch poll takes
 *       a shard's oldest tasks in order.</li>
 *   <li>Batches move under one acquisition per shard: an overflow's half-queue goes to the
 *       overflowing worker's shard in one batch, and a worker's refill takes up to {@code max}
 *       tasks shard by shard.</li>
 *   <li>Closing is atomic with respect to every push: {@link #close(Runnable)} holds every shard's
 *       lock at once (taken in index order, so two closers cannot deadlock), sets {@code closed},
 *       and runs its action; an offer reads {@code closed} under its shard's lock. Every
 *       {@link #offerExternal} is therefore either before the close (its task is in the queue, and
 *       seen by the action) or after it (refused).</li>
 * </ul>
 * Polls start at a shard that moves on with every poll, so no shard's tasks wait behind another's
 * for long: each poll that finds work starts one shard further than the last.
 *
 * <p>Which shards hold tasks is one word, {@code nonEmpty}, a bit per shard: set by the add that
 * makes a shard non-empty, cleared by the poll or drain that empties it, each under that shard's
 * lock and by an atomic read-modify-write (so bits of different shards never overwrite each other).
 * A shard's bit therefore matches its emptiness at every release of its lock. {@link #isEmpty()}
 * is one volatile read, as it was with one lock: workers ask it on hot paths (their final check
 * before parking, and after every task once their runnext streak is spent), where reading 16 shard
 * sizes cost a third of a 1,000-task chain's throughput. The add's RMW comes before the
 * submitter's wake-up check (a fence, then a read of the idle word), and a parking worker's final
 * check reads this word after announcing itself: the Dekker pair of the no-lost-wake-up argument,
 * as with the single lock's size. The size is the sum of the shards' sizes, each a volatile written
 * under its lock: a racy hint, exact when nothing changes during the read. Workers poll first on
 * every 61st tick and otherwise only when their own queue is empty, so the locks are off the hot
 * path of worker-local scheduling.
 */
public final class InjectionQueue {
    /** Shards at most: 16 outside submitters on 2 cores spread over 16 locks. */
    static final int MAX_SHARDS = 64;

    private static final class Shard {
        final long bit;                                          // this shard's bit in nonEmpty
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>(64); // guarded by this
        boolean everAdded;                                       // guarded by this: some task was ever added
        volatile int size;                                       // written under this; read racily as a hint
        // No padding: each shard is allocated right before its deque and the deque's array (about
        // 300 bytes), so neighbouring shards' sizes and lock words do not share a cache line.

        Shard(int index) {
            bit = 1L << index;
        }
    }

    private final Shard[] shards; // final contents; a power of two, at most 64
    private final int mask;
    private final AtomicLong nonEmpty = new AtomicLong(); // bit i: shard i holds a task (see the class comment)
    private volatile boolean closed; // written holding every shard's lock, read under any one of them
    private int pollStart;           // racy rotation hint: a lost update only repeats a starting shard

    /** A queue with enough shards for {@code parallelism} workers and many more outside threads. */
    public InjectionQueue(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism = " + parallelism + "; allowed: at least 1");
        }
        int n = Integer.highestOneBit(Math.min(MAX_SHARDS, Math.max(16, 2 * parallelism)) * 2 - 1);
        shards = new Shard[n];
        for (int i = 0; i < n; i++) {
            shards[i] = new Shard(i);
        }
        mask = n - 1;
    }

    /** The number of shards (a power of two). */
    public int shards() {
        return shards.length;
    }

    /** Under {@code s}'s lock, after adding {@code count} tasks: its size, and its bit if it was empty. */
    private void added(Shard s, int count) {
        int size = s.tasks.size();
        s.size = size;
        s.everAdded = true;
        if (size == count && count > 0) {
            nonEmpty.getAndUpdate(w -> w | s.bit);
        }
    }

    /** Under {@code s}'s lock, after taking tasks: its size, and its bit cleared if it is empty. */
    private void taken(Shard s) {
        int size = s.tasks.size();
        s.size = size;
        if (size == 0) {
            nonEmpty.getAndUpdate(w -> w & ~s.bit);
        }
    }

    /** The calling thread's shard. */
    private Shard mine() {
        return shards[shardOf(Thread.currentThread().threadId())];
    }

    /** The shard of the thread with id {@code threadId}: the id Fibonacci-hashed, so consecutive ids spread. */
    int shardOf(long threadId) {
        long h = threadId * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }

    /**
     * Adds a task from outside the workers.
     *
     * @return false when the queue was closed by shutdown; the task was not added
     */
    public boolean offerExternal(Runnable task) {
        Shard s = mine();
        synchronized (s) {
            if (closed) {
                return false;
            }
            s.tasks.addLast(task);
            added(s, 1);
            return true;
        }
    }

    /**
     * Adds tasks from a worker, in order, under one lock acquisition. Workers may still add after
     * {@link #close(Runnable)}: they only move work they already accepted.
     */
    public void addBatch(Runnable[] batch, int count) {
        Shard s = mine();
        synchronized (s) {
            for (int i = 0; i < count; i++) {
                s.tasks.addLast(batch[i]);
            }
            added(s, count);
        }
    }

    /** Adds one task from a worker; like {@link #addBatch}, allowed after {@link #close(Runnable)}. */
    public void add(Runnable task) {
        addTo(mine(), task);
    }

    /** A worker's add of one task to shard {@code s}, under its lock; no closed check (see {@link #add}). */
    private void addTo(Shard s, Runnable task) {
        synchronized (s) {
            s.tasks.addLast(task);
            added(s, 1);
        }
    }

    /**
     * Adds one task from a worker behind the largest backlog: at the tail of the shard that holds
     * the most tasks (sizes read racily), or the worker's own shard when none holds any. For a task
     * sent behind waiting outside work (TaskOrder: a runnext streak spent while the global queue
     * holds tasks), which one queue put behind all of it: in a shard of its own it would come back
     * at the next poll's turn of the shards, a few tasks later, and a task that keeps resubmitting
     * itself would run between every batch of the outside work instead of after it. With one outside
     * submitter it goes behind all that submitter's waiting tasks; with several, behind the longest
     * queue of them. Allowed after {@link #close(Runnable)}, like {@link #add}.
     */
    public void addBehindMost(Runnable task) {
        Shard s = null;
        int most = 0;
        for (long w = nonEmpty.get(); w != 0; w &= w - 1) {
            Shard c = shards[Long.numberOfTrailingZeros(w)];
            int size = c.size;
            if (size > most) {
                most = size;
                s = c;
            }
        }
        addTo(s != null ? s : mine(), task);
    }

    /** Takes the oldest task of the first non-empty shard from the rotating start, or null. */
    public Runnable poll() {
        if (nonEmpty.get() == 0) {
            return null;
        }
        int start = pollStart;
        for (int i = 0; i <= mask; i++) {
            Shard s = shards[(start + i) & mask];
            if (s.size == 0) {
                continue;
            }
            synchronized (s) {
                Runnable task = s.tasks.pollFirst();
                if (task != null) {
                    taken(s);
                    pollStart = start + i + 1;
                    return task;
                }
            }
        }
        return null;
    }

    /**
     * Takes up to {@code max} tasks into {@code into}: the oldest of each shard in turn, from the
     * rotating start, one lock acquisition per shard.
     *
     * @return the number of tasks taken
     */
    public int pollBatch(Runnable[] into, int max) {
        if (nonEmpty.get() == 0) {
            return 0;
        }
        int n = 0;
        int start = pollStart;
        for (int i = 0; i <= mask && n < max; i++) {
            Shard s = shards[(start + i) & mask];
            if (s.size == 0) {
                continue;
            }
            synchronized (s) {
                int take = Math.min(max - n, s.tasks.size());
                for (int k = 0; k < take; k++) {
                    into[n++] = s.tasks.pollFirst();
                }
                taken(s);
            }
            if (n > 0) {
                pollStart = start + i + 1;
            }
        }
        return n;
    }

    /**
     * Refuses further {@link #offerExternal} calls; runs {@code whileLocked} holding every shard's
     * lock, where it may call {@link #everAddedWhileClosing()}.
     */
    public void close(Runnable whileLocked) {
        closeFrom(0, whileLocked);
    }

    private void closeFrom(int i, Runnable whileLocked) {
        synchronized (shards[i]) {
            if (i < mask) {
                closeFrom(i + 1, whileLocked);
            } else {
                closed = true;
                whileLocked.run();
            }
        }
    }

    /** Moves every task to {@code sink}, shard by shard. */
    public int drainTo(Collection<? super Runnable> sink) {
        int n = 0;
        for (Shard s : shards) {
            synchronized (s) {
                n += s.tasks.size();
                sink.addAll(s.tasks);
                s.tasks.clear();
                taken(s);
            }
        }
        return n;
    }

    /** Only inside {@link #close(Runnable)}'s action, which holds every lock: whether any task was ever added. */
    public boolean everAddedWhileClosing() {
        for (Shard s : shards) {
            if (s.everAdded) {
                return true;
            }
        }
        return false;
    }

    /** The number of tasks, summed over the shards whose bit is set: a racy hint. */
    public int size() {
        int n = 0;
        for (long w = nonEmpty.get(); w != 0; w &= w - 1) { // the non-empty shards only
            n += shards[Long.numberOfTrailingZeros(w)].size;
        }
        return n;
    }

    /** Whether no shard holds a task: one volatile read of the shards' bits, a racy hint. */
    public boolean isEmpty() {
        return nonEmpty.get() == 0;
    }
}
