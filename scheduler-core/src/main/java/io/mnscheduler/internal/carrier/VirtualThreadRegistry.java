package io.mnscheduler.internal.carrier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

abstract class StripePad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

abstract class StripeFields extends StripePad0 {
    volatile int count;            // threads registered here; written under the stripe's lock, read by anyone (volatile)
    int size;                      // entries in threads; under the lock
    Thread[] threads;              // open addressing, linear probing; under the lock
    long[] ids;                    // ids[i] is threads[i]'s id, the hash key (no Thread read while probing); under the lock
}

abstract class StripePad1 extends StripeFields {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The live virtual threads of one scheduler, in stripes: one per processor, then a power of two
 * of stripes for threads started anywhere else. A thread started by a worker that holds a processor
 * is registered in that processor's stripe and, since its children mostly run where they were
 * started, usually ends there too: starting and ending it touch one stripe that stays in one core's
 * cache, where one shared map and one shared counter, written twice per thread by every worker,
 * bounced between cores and took about a fifth of the CPU samples of skynet's million threads a
 * second. A thread started elsewhere (an outside thread, a worker without a processor) goes to the
 * off-processor stripe its thread id hashes to, so a removal finds it at the second look (its
 * ender's own stripe, then that one) and an outside thread starting many threads spreads them
 * over every off-processor stripe: the workers ending them do not queue on one lock behind it.
 * With one stripe per starting thread instead, {@code virtual_spawn_join} spent half its CPU
 * samples here.
 *
 * <p>Each stripe is a small open-addressing table under its own lock, keyed by the thread and hashed
 * by its id (a plain field: no identity hash to install). Its {@code count} is written under the
 * lock and read without it.
 *
 * <h2>What the sum of the counts means</h2>
 * A thread is added to and removed from the same stripe, so each stripe's count is exact at its
 * lock's release. {@link #count()} reads the stripes one after another: a thread registered before
 * the read begins and removed after it ends is counted, so a sum of 0 means no thread was alive
 * throughout the read. Threads registered during the read may be missed; callers that act on a 0
 * (the shutdown paths) first make new registrations impossible, and a registration that raced with
 * that is decided Dekker-style: {@link #register} writes the volatile count before it asks the
 * caller whether it still accepts threads (the caller reads its run state), and shutdown writes
 * the run state before it reads the counts.
 */
public final class VirtualThreadRegistry {
    private static final int INITIAL_CAPACITY = 16; // a power of two

    private final Stripe[] stripes;       // the processors' stripes, then the off-processor ones
    private final int processorStripes;   // final
    private final int offStripeShift;     // final: 64 - log2(off-processor stripes)

    static final class Stripe extends StripePad1 {
        Stripe() {
            threads = new Thread[INITIAL_CAPACITY];
            ids = new long[INITIAL_CAPACITY];
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

    /**
     * Registers {@code thread} in the stripe of processor {@code processor}, or, when that is -1,
     * in its off-processor stripe, if {@code accepting} still says yes once the thread is counted;
     * false (and nothing counted) when it says no. The count is a volatile write before
     * {@code accepting} reads the caller's run state, so that a start and a shutdown, which writes
     * the run state and then reads {@link #count()}, cannot both miss each other. One lock
     * acquisition covers the count, the check and the store.
     *
     * @throws IllegalStateException if {@code thread} is registered already in that stripe
     */
    public boolean register(int processor, Thread thread, BooleanSupplier accepting) {
        long id = thread.threadId();
        Stripe s = stripes[processor < 0 ? offStripe(id) : processor];
        synchronized (s) {
            if (indexOf(s, thread, id) >= 0) {
                throw new IllegalStateException("virtual thread " + thread + " is registered already");
            }
            s.count = s.count + 1; // volatile write: pairs with the volatile reads in count()
            if (!accepting.getAsBoolean()) {
                s.count = s.count - 1;
                return false;
            }
            insert(s, thread, id);
            return true;
        }
    }

    /**
     * Removes {@code thread}, looking in processor {@code first}'s stripe (none when -1), then in its
     * off-processor stripe, then in the rest; true when this call removed it, false when it was not
     * registered (or another caller removed it first: exactly one removal of a registration succeeds).
     */
    public boolean remove(int first, Thread thread) {
        long id = thread.threadId();
        int off = offStripe(id);
        if (first >= 0 && removeFrom(stripes[first], thread, id)) {
            return true;
        }
        if (removeFrom(stripes[off], thread, id)) {
            return true;
        }
        for (int i = 0; i < processorStripes; i++) {
            if (i != first && removeFrom(stripes[i], thread, id)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code thread} is registered. */
    public boolean contains(Thread thread) {
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

    /** Whether {@code task} is the continuation task of a registered thread. */
    public boolean containsTask(Runnable task) {
        Thread vt = VirtualThreadSupport.threadOf(task);
        return vt != null && contains(vt);
    }

    /** The number of registered threads; see the class comment for what a racy sum means. */
    public int count() {
        int n = 0;
        for (Stripe s : stripes) {
            n += s.count;
        }
        return n;
    }

    /** Every registered thread at the moment its stripe is read. */
    public List<Thread> threads() {
        List<Thread> all = new ArrayList<>();
        forEachThread(all::add);
        return all;
    }

    /** Calls {@code action} for each registered thread, one stripe at a time, outside the stripe's lock. */
    public void forEachThread(Consumer<? super Thread> action) {
        for (Stripe s : stripes) {
            if (s.count == 0) {
                continue;
            }
            Thread[] copy;
            synchronized (s) {
                copy = Arrays.copyOf(s.threads, s.threads.length);
            }
            for (Thread t : copy) {
                if (t != null) {
                    action.accept(t);
                }
            }
        }
    }

    private static boolean removeFrom(Stripe s, Thread thread, long id) {
        if (s.count == 0) {
            return false; // racy skip: a stripe counted empty holds no entry that was stored before this read
        }
        synchronized (s) {
            int i = indexOf(s, thread, id);
            if (i < 0) {
                return false;
            }
            deleteAt(s, i);
            s.count = s.count - 1;
            return true;
        }
    }

    private static boolean containedIn(Stripe s, Thread thread, long id) {
        if (s.count == 0) {
            return false;
        }
        synchronized (s) {
            return indexOf(s, thread, id) >= 0;
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
