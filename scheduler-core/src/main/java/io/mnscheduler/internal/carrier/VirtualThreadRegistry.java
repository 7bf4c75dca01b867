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
    int size;                      // entries in keys; under the lock
    Runnable[] keys;               // open addressing, linear probing; under the lock
    Thread[] threads;              // threads[i] belongs to keys[i]; under the lock
}

abstract class StripePad1 extends StripeFields {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The live virtual threads of one scheduler, each keyed by its continuation task, in stripes: one
 * per processor plus one for everything else. A thread is registered in the stripe of the processor
 * whose worker starts it and, since its children mostly run where they were started, usually ends
 * there too. So starting and ending a thread touch one stripe that stays in one core's cache,
 * where one shared map and one shared counter, written twice per thread by every worker, bounced
 * between cores and took about a fifth of the CPU samples of skynet's million threads a second.
 *
 * <p>Each stripe is a small open-addressing table under its own lock, uncontended unless a thread
 * ends on another processor than the one that started it. Its {@code count} is written under the
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

    private final Stripe[] stripes;

    static final class Stripe extends StripePad1 {
        Stripe() {
            keys = new Runnable[INITIAL_CAPACITY];
            threads = new Thread[INITIAL_CAPACITY];
        }
    }

    /**
     * @param stripes how many stripes: one per processor, plus one for threads started elsewhere
     * @throws IllegalArgumentException if {@code stripes} is less than 1
     */
    public VirtualThreadRegistry(int stripes) {
        if (stripes < 1) {
            throw new IllegalArgumentException("stripes = " + stripes + "; allowed: at least 1");
        }
        this.stripes = new Stripe[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new Stripe();
        }
    }

    /**
     * Registers {@code thread} under {@code task} in stripe {@code stripe}, if {@code accepting}
     * still says yes once the thread is counted; false (and nothing counted) when it says no. The
     * count is a volatile write before {@code accepting} reads the caller's run state, so that a
     * start and a shutdown, which writes the run state and then reads {@link #count()}, cannot both
     * miss each other. One lock acquisition covers the count, the check and the store.
     *
     * @throws IllegalStateException if {@code task} is registered already
     */
    public boolean register(int stripe, Runnable task, Thread thread, BooleanSupplier accepting) {
        Stripe s = stripes[stripe];
        synchronized (s) {
            if (indexOf(s, task) >= 0) {
                throw new IllegalStateException("continuation task " + task + " is registered already");
            }
            s.count = s.count + 1; // volatile write: pairs with the volatile reads in count()
            if (!accepting.getAsBoolean()) {
                s.count = s.count - 1;
                return false;
            }
            insert(s, task, thread);
            return true;
        }
    }

    /**
     * Removes {@code task}, looking in stripe {@code first} before the others; returns its thread, or
     * null when it was not registered (or another caller removed it first: exactly one removal of a
     * registration succeeds).
     */
    public Thread remove(int first, Runnable task) {
        return find(first, task, true);
    }

    /** The thread registered under {@code task}, or null; looks in stripe {@code first} before the others. */
    public Thread get(int first, Runnable task) {
        return find(first, task, false);
    }

    private Thread find(int first, Runnable task, boolean remove) {
        for (int i = -1; i < stripes.length; i++) {
            if (i == first) {
                continue; // looked at first
            }
            Stripe s = stripes[i < 0 ? first : i];
            Thread t = remove ? removeFrom(s, task) : getFrom(s, task);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    /** Whether {@code task} is registered. */
    public boolean contains(Runnable task) {
        return get(0, task) != null;
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

    private static Thread removeFrom(Stripe s, Runnable task) {
        if (s.count == 0) {
            return null; // racy skip: a stripe counted empty holds no entry that was stored before this read
        }
        synchronized (s) {
            int i = indexOf(s, task);
            if (i < 0) {
                return null;
            }
            Thread t = s.threads[i];
            deleteAt(s, i);
            s.count = s.count - 1;
            return t;
        }
    }

    private static Thread getFrom(Stripe s, Runnable task) {
        if (s.count == 0) {
            return null;
        }
        synchronized (s) {
            int i = indexOf(s, task);
            return i < 0 ? null : s.threads[i];
        }
    }

    private static int hash(Runnable task, int mask) {
        int h = System.identityHashCode(task) * 0x9E3779B9; // spread: identity hashes may cluster
        return (h ^ (h >>> 16)) & mask;
    }

    private static int indexOf(Stripe s, Runnable task) {
        Runnable[] keys = s.keys;
        int mask = keys.length - 1;
        for (int i = hash(task, mask); ; i = (i + 1) & mask) {
            Runnable k = keys[i];
            if (k == null) {
                return -1;
            }
            if (k == task) {
                return i;
            }
        }
    }

    private static void insert(Stripe s, Runnable task, Thread thread) {
        if (2 * (s.size + 1) > s.keys.length) {
            resize(s, s.keys.length * 2);
        }
        Runnable[] keys = s.keys;
        int mask = keys.length - 1;
        int i = hash(task, mask);
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = task;
        s.threads[i] = thread;
        s.size++;
    }

    /** Linear-probing deletion by backward shift: no tombstones, so lookups stay short. */
    private static void deleteAt(Stripe s, int hole) {
        Runnable[] keys = s.keys;
        Thread[] threads = s.threads;
        int mask = keys.length - 1;
        keys[hole] = null;
        threads[hole] = null;
        s.size--;
        for (int i = (hole + 1) & mask; keys[i] != null; i = (i + 1) & mask) {
            int home = hash(keys[i], mask);
            // keys[i] may move into the hole unless its home lies cyclically in (hole, i].
            boolean homeInRange = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!homeInRange) {
                keys[hole] = keys[i];
                threads[hole] = threads[i];
                keys[i] = null;
                threads[i] = null;
                hole = i;
            }
        }
        if (s.keys.length > INITIAL_CAPACITY && 8 * s.size < s.keys.length) {
            resize(s, s.keys.length / 2); // a burst of live threads does not leave a large table behind
        }
    }

    private static void resize(Stripe s, int capacity) {
        Runnable[] oldKeys = s.keys;
        Thread[] oldThreads = s.threads;
        s.keys = new Runnable[capacity];
        s.threads = new Thread[capacity];
        s.size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != null) {
                insert(s, oldKeys[i], oldThreads[i]);
            }
        }
    }
}
