package io.mnscheduler.internal.carrier;

import io.mnscheduler.internal.Interleavings;
import io.mnscheduler.internal.SpinLock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

abstract class StripePad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

abstract class StripeFields extends StripePad0 {
    volatile int count;            // starts counted here minus ends counted here (may go below 0); atomic adds (COUNT)
    volatile int lock;             // 0 free, 1 held: CAS to take (acquire), releasing store to give back (LOCK)
    volatile int tracked;          // entries in threads; written under the lock before its release, read by anyone (see untrack)
    int size;                      // entries in threads; under the lock
    Thread[] threads;              // open addressing, linear probing; under the lock
    long[] ids;                    // ids[i] is threads[i]'s id, the hash key (no Thread read while probing); under the lock
}

abstract class StripePad1 extends StripeFields {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The live virtual threads of one scheduler: a count of them, and a table of those that outlived
 * their first run, in stripes: one per processor, then a power of two of stripes for threads
 * started anywhere else.
 *
 * <h2>Counted at the start, tracked only after a park</h2>
 * A start is counted ({@link #start}) in the starting processor's stripe, or, started elsewhere (an
 * outside thread, a worker without a processor), in the off-processor stripe its thread id hashes
 * to. Most virtual threads run once and end: such a thread is never put in a table; the worker
 * that ran it takes one off its own stripe's count ({@link #endedUntracked}). A thread whose first
 * run ended without its end (it parked or yielded) is put in the table of the stripe of the worker
 * that ran it ({@link #track}), and whoever later sees it ended removes it ({@link #remove}),
 * exactly once, and takes one off its own stripe's count. So a thread that starts and ends in one
 * run costs two atomic adds, each on a line that stays in one core's cache; when every start and
 * end went through the tables, {@code virtual_spawn_join} spent about half its time in them.
 *
 * <p>Why a thread is taken off exactly once, though two workers may see it {@code TERMINATED} (the
 * one whose run parked it, after its run, and the one whose run ended it): see
 * {@code WorkerLoop.afterContinuation}. The first-run worker decides by the thread's state, before
 * and after its {@link #track}; a later run's worker acts only through {@link #remove}, which finds
 * the entry or not under the stripe's lock.
 *
 * <h2>What the sum of the counts means</h2>
 * A start adds 1 to one stripe and its end subtracts 1 from another, or from the same one; the
 * adds are atomic (volatile read-modify-writes). {@link #count()} reads the stripes one after
 * another. A thread alive throughout the read is counted: its start was before the read and its
 * end after it. A thread whose end the read sees, but not its start, would make the sum too low:
 * but a start the read misses came after the read of its stripe, so after the caller's write of its
 * run state (the shutdown paths write it before they read), and {@link #start} reads the run state
 * after its add ({@code accepting}, Dekker-style): that start was refused, and its thread never ran
 * to end anywhere. So every end the read sees comes with its start, and a sum of 0 means no
 * thread was alive throughout the read.
 */
public final class VirtualThreadRegistry {
    private static final int INITIAL_CAPACITY = 16; // a power of two
    private static final VarHandle COUNT;
    private static final VarHandle LOCK;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(StripeFields.class, "count", int.class);
            LOCK = MethodHandles.lookup().findVarHandle(StripeFields.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Stripe[] stripes;       // the processors' stripes, then the off-processor ones
    private final int processorStripes;   // final
    private final int offStripeShift;     // final: 64 - log2(off-processor stripes)

    /**
     * One stripe: its count, and its table under a spin lock (as TimerHeap's: the critical sections
     * are a probe and a store, and the interleaving explorer can schedule around a spin, not around
     * a monitor).
     */
    static final class Stripe extends StripePad1 {
        Stripe() {
            threads = new Thread[INITIAL_CAPACITY];
            ids = new long[INITIAL_CAPACITY];
        }

        void lock() {
            SpinLock.acquire(LOCK, this);
        }

        void unlock() {
            LOCK.setRelease(this, 0); // pairs with the next taker's CAS
        }
    }

    /**
     * @param processorStripes one per processor, at least 0
     * @param offProcessorStripes stripes for threads started elsewhere: a power of two, at least 1
     * @throws IllegalArgumentException if a count is outside what is allowed
     */
    public VirtualThreadRegistry(int processorStripes, int offProcessorStripes) {
        if (processorStripes < 0) {
            throw new IllegalArgumentException("processorStripes = " + processorStripes + "; allowed: at least 0");
        }
        if (offProcessorStripes < 1 || Integer.bitCount(offProcessorStripes) != 1) {
            throw new IllegalArgumentException("offProcessorStripes = " + offProcessorStripes
                    + "; allowed: a power of two, at least 1");
        }
        this.processorStripes = processorStripes;
        this.offStripeShift = 64 - Integer.numberOfTrailingZeros(offProcessorStripes);
        this.stripes = new Stripe[processorStripes + offProcessorStripes];
        for (int i = 0; i < stripes.length; i++) {
            this.stripes[i] = new Stripe();
        }
    }

    /** Fibonacci hashing of a thread id: consecutive ids spread over stripes and slots. */
    private static long spread(long id) {
        return id * 0x9E3779B97F4A7C15L;
    }

    /** The off-processor stripe of {@code id}, chosen by the top bits of its hash (slots use lower ones). */
    private int offStripe(long id) {
        return processorStripes + (offStripeShift == 64 ? 0 : (int) (spread(id) >>> offStripeShift));
    }

    /** The stripe of processor {@code processor}, or, for -1, the off-processor stripe of {@code thread}. */
    private Stripe stripe(int processor, Thread thread) {
        return stripes[processor < 0 ? offStripe(thread.threadId()) : processor];
    }

    /**
     * Counts the start of {@code thread} in the stripe of processor {@code processor} (-1: off the
     * processors), if {@code accepting} still says yes once it is counted; false (and nothing
     * counted) when it says no. The count is a volatile read-modify-write before {@code accepting}
     * reads the caller's run state, so that a start and a shutdown, which writes the run state and
     * then reads {@link #count()}, cannot both miss each other.
     */
    public boolean start(int processor, Thread thread, BooleanSupplier accepting) {
        Stripe s = stripe(processor, thread);
        COUNT.getAndAdd(s, 1);
        if (!accepting.getAsBoolean()) {
            COUNT.getAndAdd(s, -1);
            return false;
        }
        return true;
    }

    /** A counted thread ended in its first run, never tracked: one less, in processor {@code processor}'s stripe. */
    void endedUntracked(int processor) {
        COUNT.getAndAdd(stripes[processor], -1);
    }

    /**
     * Puts a counted thread that outlived its first run in processor {@code processor}'s table
     * (-1: its off-processor stripe's), so that {@link #remove} can take it off once.
     *
     * @throws IllegalStateException if {@code thread} is tracked there already
     */
    void track(int processor, Thread thread) {
        Stripe s = stripe(processor, thread);
        long id = thread.threadId();
        s.lock();
        try {
            if (indexOf(s, thread, id) >= 0) {
                throw new IllegalStateException("virtual thread " + thread + " is tracked already");
            }
            insert(s, thread, id);
            s.tracked = s.size; // volatile, before the state is read again (see afterFirstRun)
        } finally {
            s.unlock();
        }
    }

    /**
     * After the first run of counted {@code thread} on processor {@code processor}: true when this
     * call took it off the count (it ended), false when it is tracked now, or ended and another
     * caller's {@link #afterLaterRun} took it off. {@code ended} reads the thread's state (volatile,
     * and TERMINATED is final).
     *
     * <p>Exactly once against {@link #afterLaterRun} of a later run, which may see the thread ended
     * too: if this first read sees it ended, nothing was tracked, so no later run's removal can
     * succeed. Otherwise it is tracked, then read again. A later run's removal that found no entry
     * read the state as ended and then either took the stripe's lock before this track did (so the
     * lock orders its read before this second one), or read {@code tracked} as 0 before this track's
     * volatile write of it: either way, this second read comes after a read that saw the end, so
     * it sees it, and removes the entry itself. If both remove, exactly one removal finds it.
     */
    public boolean afterFirstRun(int processor, Thread thread, Predicate<Thread> ended) {
        Interleavings.point();
        if (ended.test(thread)) {
            endedUntracked(processor);
            return true;
        }
        track(processor, thread);
        Interleavings.point();
        return ended.test(thread) && remove(processor, thread);
    }

    /** After a later run of {@code thread}: true when this call took it off (it ended, and this removal found it). */
    public boolean afterLaterRun(int processor, Thread thread, Predicate<Thread> ended) {
        Interleavings.point();
        return ended.test(thread) && remove(processor, thread);
    }

    /**
     * Removes tracked {@code thread}, looking in processor {@code first}'s stripe (-1: none), then in
     * its off-processor stripe, then in the rest; true, and one less counted in {@code first}'s
     * stripe (-1: in its off-processor one), when this call removed it; false when it was not
     * tracked (or another caller removed it first: exactly one removal of an entry succeeds).
     */
    boolean remove(int first, Thread thread) {
        if (!untrack(first, thread)) {
            return false;
        }
        COUNT.getAndAdd(stripe(first, thread), -1);
        return true;
    }

    private boolean untrack(int first, Thread thread) {
        long id = thread.threadId();
        if (first >= 0 && removeFrom(stripes[first], thread, id)) {
            return true;
        }
        if (removeFrom(stripes[offStripe(id)], thread, id)) {
            return true;
        }
        for (int i = 0; i < processorStripes; i++) {
            if (i != first && removeFrom(stripes[i], thread, id)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code thread} is tracked (outlived its first run and has not been removed); for the tests. */
    boolean contains(Thread thread) {
        long id = thread.threadId();
        if (containedIn(stripes[offStripe(id)], thread, id)) {
            return true;
        }
        for (int i = 0; i < processorStripes; i++) {
            if (containedIn(stripes[i], thread, id)) {
                return true;
            }
        }
        return false;
    }

    /** The number of registered threads; see the class comment for what a racy sum means. */
    public int count() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.count;
        }
        return n;
    }

    /** Every tracked thread at the moment its stripe is read. */
    public List<Thread> threads() {
        List<Thread> all = new ArrayList<>();
        forEachThread(all::add);
        return all;
    }

    /** Calls {@code action} for each tracked thread, one stripe at a time, outside the stripe's lock. */
    public void forEachThread(Consumer<? super Thread> action) {
        for (Stripe s : stripes) {
            if (s.tracked == 0) {
                continue;
            }
            Thread[] copy;
            s.lock();
            try {
                copy = Arrays.copyOf(s.threads, s.threads.length);
            } finally {
                s.unlock();
            }
            for (Thread t : copy) {
                if (t != null) {
                    action.accept(t);
                }
            }
        }
    }

    private static boolean removeFrom(Stripe s, Thread thread, long id) {
        Interleavings.point();
        if (s.tracked == 0) {
            return false; // skip: a table read empty holds no entry whose track wrote tracked before this read
        }
        s.lock();
        try {
            int i = indexOf(s, thread, id);
            if (i < 0) {
                return false;
            }
            deleteAt(s, i);
            s.tracked = s.size;
            return true;
        } finally {
            s.unlock();
        }
    }

    private static boolean containedIn(Stripe s, Thread thread, long id) {
        if (s.tracked == 0) {
            return false;
        }
        s.lock();
        try {
            return indexOf(s, thread, id) >= 0;
        } finally {
            s.unlock();
        }
    }

    private static int slot(long id, int mask) {
        return (int) (spread(id) >>> 32) & mask; // bits below the off-stripe choice's top ones
    }

    private static int indexOf(Stripe s, Thread thread, long id) {
        Thread[] threads = s.threads;
        int mask = threads.length - 1;
        for (int i = slot(id, mask); ; i = (i + 1) & mask) {
            Thread t = threads[i];
            if (t == null) {
                return -1;
            }
            if (t == thread) {
                return i;
            }
        }
    }

    private static void insert(Stripe s, Thread thread, long id) {
        if (2 * (s.size + 1) > s.threads.length) {
            resize(s, s.threads.length * 2);
        }
        Thread[] threads = s.threads;
        int mask = threads.length - 1;
        int i = slot(id, mask);
        while (threads[i] != null) {
            i = (i + 1) & mask;
        }
        threads[i] = thread;
        s.ids[i] = id;
        s.size++;
    }

    /** Linear-probing deletion by backward shift: no tombstones, so lookups stay short. */
    private static void deleteAt(Stripe s, int hole) {
        Thread[] threads = s.threads;
        long[] ids = s.ids;
        int mask = threads.length - 1;
        threads[hole] = null;
        s.size--;
        for (int i = (hole + 1) & mask; threads[i] != null; i = (i + 1) & mask) {
            int home = slot(ids[i], mask);
            // threads[i] may move into the hole unless its home lies cyclically in (hole, i].
            boolean homeInRange = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!homeInRange) {
                threads[hole] = threads[i];
                ids[hole] = ids[i];
                threads[i] = null;
                hole = i;
            }
        }
        if (threads.length > INITIAL_CAPACITY && 16 * s.size < threads.length) {
            resize(s, threads.length / 2); // a burst of live threads does not leave a large table behind
        }
    }

    private static void resize(Stripe s, int capacity) {
        Thread[] oldThreads = s.threads;
        long[] oldIds = s.ids;
        s.threads = new Thread[capacity];
        s.ids = new long[capacity];
        s.size = 0;
        for (int i = 0; i < oldThreads.length; i++) {
            if (oldThreads[i] != null) {
                insert(s, oldThreads[i], oldIds[i]);
            }
        }
    }
}
