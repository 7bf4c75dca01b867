package io.mnscheduler.internal.queue;

import io.mnscheduler.internal.Interleavings;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Collection;

abstract class RunQueueFields {
    Runnable[] buffer;             // slots, a power of two of them; only the owner writes slots and replaces the array (release), thieves read it by acquire after tail
    final int maxCapacity;         // final: the array doubles up to this many slots

    RunQueueFields(int initialCapacity, int maxCapacity) {
        buffer = new Runnable[initialCapacity];
        this.maxCapacity = maxCapacity;
    }
}

abstract class RunQueuePad0 extends RunQueueFields {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;

    RunQueuePad0(int initialCapacity, int maxCapacity) {
        super(initialCapacity, maxCapacity);
    }
}

abstract class RunQueueHead extends RunQueuePad0 {
    /*
     * Two 32-bit indices packed in one word so one CAS moves both: the high half is the steal
     * start (first slot not yet handed out), the low half the end of a thief's pending claim.
     * They are equal when no steal is in progress. Written by CAS from thieves and, in the
     * contended pop and in overflow, by the owner; read with volatile or acquire mode by both.
     */
    volatile long head;

    RunQueueHead(int initialCapacity, int maxCapacity) {
        super(initialCapacity, maxCapacity);
    }
}

abstract class RunQueuePad1 extends RunQueueHead {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;

    RunQueuePad1(int initialCapacity, int maxCapacity) {
        super(initialCapacity, maxCapacity);
    }
}

abstract class RunQueueTail extends RunQueuePad1 {
    int tail;                      // next slot the owner fills; written by the owner (release or volatile), read by thieves (acquire/volatile)

    RunQueueTail(int initialCapacity, int maxCapacity) {
        super(initialCapacity, maxCapacity);
    }
}

abstract class RunQueuePad2 extends RunQueueTail {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;

    RunQueuePad2(int initialCapacity, int maxCapacity) {
        super(initialCapacity, maxCapacity);
    }
}

/**
 * The bounded run queue of one processor: a growable Chase-Lev deque (Chase and Lev, SPAA 2005; memory
 * orderings after Lê et al., PPoPP 2013) whose thieves take the older half in one claim, as Go's
 * {@code runqsteal} and Tokio's {@code steal_into} do.
 *
 * <p>Who may call what: {@link #offer}, {@link #pop}, {@link #pollOldest} and
 * {@link #takeHalfForOverflow} belong to the owner, the one thread that currently holds the
 * processor; {@link #stealInto}, {@link #drainTo}, {@link #size}, {@link #isEmpty} and
 * {@link #slots} may be called by any thread. The owner pushes and pops at the tail with no CAS unless it reaches slots
 * a thief has claimed; thieves take from the head.
 *
 * <h2>The protocol</h2>
 * Slots {@code [steal, tail)} hold tasks. A thief first claims provisionally by a CAS of
 * {@code head} from {@code (steal, steal)} to {@code (steal, steal + capacity)}; only one claim may
 * be pending at a time (other thieves see {@code steal != end} and leave, as in Tokio). Only then
 * does it read {@code tail}, choose {@code n}, half of what it sees, and copy {@code [steal, steal + n)}
 * into its own queue speculatively. It commits with a second CAS to {@code (e, e)}, where
 * {@code e = min(end, steal + n)} and {@code end} is the claim end it reads at commit time. The
 * owner pops by storing {@code tail - 1} with a volatile write, then reading {@code head} with a
 * volatile read (the StoreLoad pair of Chase-Lev). If the slot lies at or past the claim end it is
 * the owner's without a CAS. If it lies inside a pending claim the owner shrinks the claim to
 * exclude it by a CAS; if it is the claim's first slot the owner revokes the claim by moving both
 * indices past it, because a claim shrunk to empty would look like "no steal in progress" and let a
 * second thief start (ABA). The thief's commit CAS fails when the owner changed the claim; it
 * retries with the new end, or gives up when the steal start moved.
 *
 * <h2>Growth</h2>
 * The slot array starts small and doubles, up to the queue's capacity, when the owner pushes onto
 * a full array: the owner copies the live slots {@code [steal, tail)} into the new array, publishes
 * it by a releasing store, and only then writes the new slot and releases the tail that covers it.
 * The array is never written again once replaced, nor ever shrunk. A thief reads the array by
 * acquire after its claim and its tail read, so the array it copies from holds every slot below
 * that tail: either the slot was copied into it when it was made (the copy starts at the steal
 * index then, which is at most the claim's start, since steal only advances), or it was pushed into
 * it while it was current, which it still was after the tail read. Slots copied into the new array
 * that a pending claim then commits stay there below {@code steal}, as stale references, until the
 * owner wraps round to them, as they do in a fixed array.
 *
 * <h2>Why no task is lost or taken twice</h2>
 * Every volatile access and CAS here is in the Java memory model's single synchronization order.
 * (1) A pop that did not see the claim stored its lowered tail before its head read, which came
 * before the claim CAS, which came before the thief's tail read: the thief's {@code n} already
 * excludes that slot. (2) A pop that saw the claim either takes a slot at or past the claim end or
 * shrinks or revokes the claim by CAS, and the thief commits only by a CAS from the exact word it
 * read, so it never commits a slot the owner took. (3) The slots a thief copies lie below the tail
 * it read; the owner writes a slot again only after popping it, which shrinks the claim below it
 * first. (4) The owner overwrites a slot only when {@code tail - steal} is below the current
 * array's length, with
 * {@code steal} read by acquire: pairs with the releasing commit CAS, so the thief finished copying
 * before the slot is reused.
 * Claiming before reading the tail is what makes (1) hold: a claim sized from a tail read before the
 * CAS can cover a slot that the owner popped and then refilled, and no later read of the tail can tell
 * (tail ABA); an earlier version did that, and the Lincheck stress test caught it.
 * What does <em>not</em> hold: {@link #size()} is only quiescently accurate, and while a claim is
 * pending {@code end} exceeds {@code tail}. Indices wrap at 2^32 and are compared by subtraction; a
 * thief stalled across 2^32 owner operations could be fooled by ABA, which is accepted as
 * unreachable in practice.
 */
public final class RunQueue extends RunQueuePad2 {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle BUFFER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            HEAD = lookup.findVarHandle(RunQueueHead.class, "head", long.class);
            TAIL = lookup.findVarHandle(RunQueueTail.class, "tail", int.class);
            BUFFER = lookup.findVarHandle(RunQueueFields.class, "buffer", Runnable[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A queue of fixed size: its array is made at full capacity and never grows.
     *
     * @param capacity a power of two, at least 2
     * @throws IllegalArgumentException if {@code capacity} is not a power of two of at least 2
     */
    public RunQueue(int capacity) {
        this(checkCapacity("capacity", capacity), capacity);
    }

    /**
     * A queue whose array starts at {@code initialCapacity} slots and doubles when full, up to
     * {@code capacity}.
     *
     * @param initialCapacity a power of two, at least 2, at most {@code capacity}
     * @param capacity        a power of two, at least 2
     * @throws IllegalArgumentException if either is not a power of two of at least 2, or the
     *                                  initial capacity exceeds the capacity
     */
    public RunQueue(int initialCapacity, int capacity) {
        super(checkCapacity("initialCapacity", initialCapacity), checkCapacity("capacity", capacity));
        if (initialCapacity > capacity) {
            throw new IllegalArgumentException("initialCapacity = " + initialCapacity
                    + "; allowed: at most capacity (" + capacity + ")");
        }
    }

    private static int checkCapacity(String name, int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                    name + " = " + capacity + "; allowed: a power of two of at least 2");
        }
        return capacity;
    }

    static long pack(int steal, int end) {
        return ((long) steal << 32) | (end & 0xFFFF_FFFFL);
    }

    static int steal(long head) {
        return (int) (head >>> 32);
    }

    static int end(long head) {
        return (int) head;
    }

    /** The most tasks it holds: the size its array may grow to. */
    public int capacity() {
        return maxCapacity;
    }

    /** Any thread: the slots of its array now (it grows up to {@link #capacity()}); racy. */
    public int slots() {
        return ((Runnable[]) BUFFER.getAcquire(this)).length;
    }

    /** The array a thief or a drain copies from: read by acquire after the tail (see "Growth"). */
    private Runnable[] slotsForCopy() {
        Interleavings.point();
        return (Runnable[]) BUFFER.getAcquire(this);
    }

    /**
     * Owner only. Adds a task at the tail.
     *
     * @return false when the queue is full; the caller then moves half of it elsewhere
     */
    public boolean offer(Runnable task) {
        int t = tail;
        // Acquire pairs with the thief's commit CAS: the slots below steal were copied out before reuse.
        Interleavings.point();
        int s = steal((long) HEAD.getAcquire(this));
        Runnable[] b = buffer;
        if (t - s >= b.length) {
            if (b.length >= maxCapacity) {
                return false;
            }
            b = grow(b, s, t);
        }
        b[t & (b.length - 1)] = task;
        Interleavings.point();
        TAIL.setRelease(this, t + 1); // publishes the slot; pairs with the acquiring read of tail in claim()
        return true;
    }

    /**
     * Owner only, with {@code [s, t)} filling the array {@code old}: a new array of twice the
     * slots holding them, published before any slot or tail that only it holds (see "Growth").
     */
    private Runnable[] grow(Runnable[] old, int s, int t) {
        Runnable[] b = new Runnable[Math.min(old.length * 2, maxCapacity)];
        int oldMask = old.length - 1;
        int mask = b.length - 1;
        for (int i = s; i != t; i++) {
            b[i & mask] = old[i & oldMask];
        }
        Interleavings.point();
        BUFFER.setRelease(this, b); // pairs with slotsForCopy: a thief that sees a later tail copies from b or a later array
        return b;
    }

    /** Owner only. Takes the newest task, or returns null when none is left to the owner. */
    public Runnable pop() {
        int t = tail;
        Interleavings.point();
        long h = (long) HEAD.getAcquire(this);
        if (t == end(h) && t == steal(h)) {
            return null; // empty; tasks only leave a queue, so this cannot be stale in the owner's favour
        }
        int nt = t - 1;
        Interleavings.point();
        TAIL.setVolatile(this, nt); // StoreLoad: announce the pop before reading head; pairs with the tail read after the claim CAS
        Interleavings.point();
        h = (long) HEAD.getVolatile(this);
        for (;;) {
            int s = steal(h);
            int e = end(h);
            if (nt - e >= 0) {
                return take(nt); // past every claim: ours without a CAS
            }
            if (nt - s < 0) {
                Interleavings.point();
                TAIL.setRelease(this, nt + 1); // everything was stolen; tail == steal again
                return null;
            }
            long want = nt == s ? pack(s + 1, s + 1) : pack(s, nt);
            Interleavings.point();
            long witness = (long) HEAD.compareAndExchange(this, h, want);
            if (witness == h) {
                if (nt == s) {
                    Interleavings.point();
                    TAIL.setRelease(this, s + 1); // revoked claim: the queue is empty at s + 1
                }
                return take(nt);
            }
            h = witness;
        }
    }

    private Runnable take(int index) {
        Runnable[] b = buffer;
        int slot = index & (b.length - 1);
        Runnable task = b[slot];
        b[slot] = null;
        return task;
    }

    /**
     * Owner only. Takes the oldest task from the head, as a thief would; used on fairness ticks so
     * that LIFO pops cannot starve the oldest task. Returns null when empty or when a thief holds a
     * claim.
     */
    public Runnable pollOldest() {
        Interleavings.point();
        long h = (long) HEAD.getVolatile(this);
        int s = steal(h);
        if (s != end(h) || tail - s <= 0) {
            return null;
        }
        Runnable[] b = buffer;
        int slot = s & (b.length - 1);
        Runnable task = b[slot];
        // Only the owner writes slots and the owner is here, so the slot read above stays valid
        // if the CAS proves that no thief claimed it in the meantime.
        Interleavings.point();
        if (!HEAD.compareAndSet(this, h, pack(s + 1, s + 1))) {
            return null;
        }
        b[slot] = null;
        return task;
    }

    /**
     * Owner only, when {@link #offer} failed. Moves the older half of the queue into {@code batch}
     * (which must hold at least {@code capacity() / 2} elements) in one CAS, as Go's
     * {@code runqputslow} does.
     *
     * @return the number of tasks moved, or 0 when a thief holds a claim (the queue then drains soon)
     */
    public int takeHalfForOverflow(Runnable[] batch) {
        Interleavings.point();
        long h = (long) HEAD.getVolatile(this);
        int s = steal(h);
        if (s != end(h)) {
            return 0;
        }
        int n = (tail - s) >>> 1;
        Runnable[] b = buffer;
        int mask = b.length - 1;
        for (int i = 0; i < n; i++) {
            batch[i] = b[(s + i) & mask];
        }
        Interleavings.point();
        if (n == 0 || !HEAD.compareAndSet(this, h, pack(s + n, s + n))) {
            return 0;
        }
        for (int i = 0; i < n; i++) {
            b[(s + i) & mask] = null;
        }
        return n;
    }

    /**
     * Any thread; {@code dst} must be owned by the caller. Moves the older half of this queue
     * (rounded up, bounded by the room in {@code dst}) into {@code dst} in one claim.
     *
     * @return the number of tasks moved; 0 when empty, or when another thief holds a claim
     */
    public int stealInto(RunQueue dst) {
        int dt = dst.tail;
        Runnable[] out = dst.buffer; // the caller owns dst: a plain read; a steal never grows it
        int room = out.length - (dt - steal((long) HEAD.getAcquire(dst)));
        long h = claim(room);
        if (h == 0L) {
            return 0;
        }
        int s = steal(h);
        int n = end(h) - s;
        int outMask = out.length - 1;
        Runnable[] in = slotsForCopy();
        int mask = in.length - 1;
        Interleavings.point(); // the copy may race with the owner's pops and pushes
        for (int i = 0; i < n; i++) {
            out[(dt + i) & outMask] = in[(s + i) & mask]; // speculative: kept only if committed
        }
        int taken = commit(s, s + n);
        for (int i = taken; i < n; i++) {
            out[(dt + i) & outMask] = null;
        }
        if (taken > 0) {
            TAIL.setRelease(dst, dt + taken); // publishes the copies to dst's thieves
        }
        return taken;
    }

    /**
     * Any thread. Removes every task it can claim and adds it to {@code sink}; used by
     * {@code shutdownNow} once owners have stopped.
     *
     * @return the number of tasks moved
     */
    public int drainTo(Collection<? super Runnable> sink) {
        int total = 0;
        for (;;) {
            long h = claim(Integer.MAX_VALUE);
            if (h == 0L) {
                if (isEmpty()) {
                    return total;
                }
                Thread.onSpinWait(); // another thief's claim is pending; it commits in a few steps
                continue;
            }
            int s = steal(h);
            int n = end(h) - s;
            Runnable[] copy = new Runnable[n];
            Runnable[] in = slotsForCopy();
            int mask = in.length - 1;
            Interleavings.point();
            for (int i = 0; i < n; i++) {
                copy[i] = in[(s + i) & mask];
            }
            int taken = commit(s, s + n);
            for (int i = 0; i < taken; i++) {
                sink.add(copy[i]);
            }
            total += taken;
        }
    }

    /**
     * Claims the older half, at most {@code limit} tasks. Returns {@code (steal, steal + n)} packed,
     * the range to copy and then {@link #commit}, or 0 when nothing was claimed. (Such a word is never
     * 0: its end exceeds its start.)
     */
    private long claim(int limit) {
        Interleavings.point();
        long h = (long) HEAD.getVolatile(this);
        int s = steal(h);
        Interleavings.point();
        if (s != end(h) || (int) TAIL.getAcquire(this) - s <= 0 || limit <= 0) {
            return 0L; // one claim at a time; or nothing to take (a hint, re-read after the claim)
        }
        Interleavings.point();
        if (!HEAD.compareAndSet(this, h, pack(s, s + maxCapacity))) { // covers every slot the array may grow to
            return 0L;
        }
        // Read after the claim CAS: every pop that did not see the claim is visible here (argument (1)).
        Interleavings.point();
        int available = (int) TAIL.getVolatile(this) - s; // pairs with the owner's tail stores in offer() and pop()
        int n = Math.min(available - (available >>> 1), limit);
        if (n <= 0) {
            commit(s, s); // release the claim; takes nothing
            return 0L;
        }
        return pack(s, s + n);
    }

    /** Commits a pending claim that starts at {@code s}, keeping at most {@code [s, limit)}; returns how many it kept. */
    private int commit(int s, int limit) {
        for (;;) {
            Interleavings.point();
            long h = (long) HEAD.getVolatile(this);
            if (steal(h) != s) {
                return 0; // the owner revoked the claim by taking its first slot
            }
            int e = end(h);
            if (limit - e < 0) {
                e = limit;
            }
            Interleavings.point();
            if (HEAD.compareAndSet(this, h, pack(e, e))) { // releases our slot reads to the owner's offer()
                return e - s;
            }
        }
    }

    /** Any thread. An estimate of the number of tasks, only quiescently accurate; never negative. */
    public int size() {
        Interleavings.point();
        int s = steal((long) HEAD.getAcquire(this));
        int n = (int) TAIL.getAcquire(this) - s;
        return Math.max(n, 0);
    }

    /** Any thread. True when no task was present at the moment of the read; only quiescently accurate. */
    public boolean isEmpty() {
        return size() == 0;
    }
}
