package io.mnscheduler.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * One processor's timers: a binary min-heap of {@link DelayedTask}s by deadline (then by sequence
 * number, so equal deadlines fire in the order set), each task knowing its index, so that a
 * cancellation removes it in O(log n) and leaves nothing behind. Section "Timers" of the overview
 * in {@code package-info.java}.
 *
 * <p>Guarded by a spin lock of its own, one per processor, as Go guards each P's timers with
 * {@code timers.mu}: there is no timer thread and no global timer lock. The holder's worker takes it
 * to add a timer and to run due ones (uncontended: one CAS); a thread outside the scheduler takes
 * the lock of the processor it chose; a searching worker tries the lock of a busy processor to run
 * its due timers ({@link #tryLock}, never waiting); a cancellation takes the lock of the heap its
 * task is in. Critical sections are O(log n) steps of heap code, so the lock spins rather than
 * parks. {@link #count} and {@link #earliest} are written under the lock and read racily as hints
 * (a volatile read each); every decision that must not miss a timer reads under the lock.
 */
final class TimerHeap {
    private static final VarHandle LOCK;
    private static final VarHandle COUNT;
    private static final VarHandle EARLIEST;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            LOCK = lookup.findVarHandle(TimerHeap.class, "lock", int.class);
            COUNT = lookup.findVarHandle(TimerHeap.class, "count", int.class);
            EARLIEST = lookup.findVarHandle(TimerHeap.class, "earliest", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through LOCK
    private volatile int lock;          // 0 free, 1 held; CAS to take, releasing store to give back
    private DelayedTask<?>[] heap = new DelayedTask<?>[8]; // guarded by lock; a 4-ary min-heap, as Go's
    private long[] whens = new long[8]; // guarded by lock: whens[i] is heap[i]'s deadline, compared without touching the task
    private int size;                   // guarded by lock
    volatile int count;                 // = size, published for racy reads
    volatile long earliest;             // heap[0]'s deadline when count > 0, published for racy reads
    boolean closed;                     // guarded by lock: its worker left (or shutdownNow took it); no more adds
    private long nextSequence;          // guarded by lock: the order among equal deadlines (ties matter within a heap only)
    private long fired;                 // written under lock, read racily (stats)
    private long cancelled;             // likewise
    private boolean sleeping;           // guarded by lock: the processor's worker is parked, until sleepsUntil if timed
    private boolean timed;              // guarded by lock
    private long sleepsUntil;           // guarded by lock

    void lock() {
        SpinLock.acquire(LOCK, this);
    }

    boolean tryLock() {
        Interleavings.point();
        return LOCK.compareAndSet(this, 0, 1);
    }

    void unlock() {
        LOCK.setRelease(this, 0);
    }

    /** Whether a timer is due at {@code now}; racy (a hint, as for the monitor and thieves). */
    boolean dueHint(long now) {
        Interleavings.point();
        return count > 0 && earliest - now <= 0;
    }

    // ------------------------------------------------------------------ under the lock

    /**
     * Adds {@code t}; true when the processor's parked worker must be poked: it sleeps past t's
     * deadline (or without one). It then counts as sleeping until that deadline, so a burst of
     * timers set later than the one it sleeps for pokes nobody (a million 30-second timeouts set
     * and cancelled on an idle scheduler poke once).
     */
    boolean add(DelayedTask<?> t) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
            whens = Arrays.copyOf(whens, size * 2);
        }
        t.heap = this;
        t.sequence = nextSequence++;
        Interleavings.point(); // likewise
        siftUp(size++, t, t.deadline);
        publish();
        if (sleeping && (!timed || t.deadline - sleepsUntil < 0)) {
            timed = true;
            sleepsUntil = t.deadline;
            return true;
        }
        return false;
    }

    /**
     * The worker parks: it will sleep until the earliest deadline, returned (or without one when
     * {@code hasDeadline[0]} is false); adds from now on poke it if they come earlier.
     */
    long sleep(boolean[] hasDeadline) {
        sleeping = true;
        timed = size > 0;
        sleepsUntil = timed ? whens[0] : 0L;
        hasDeadline[0] = timed;
        return sleepsUntil;
    }

    /** The worker is awake again: nothing to poke. */
    void awake() {
        sleeping = false;
    }

    /** Removes {@code t} if it is still in this heap, counted as cancelled when {@code count}; true when it was. */
    boolean remove(DelayedTask<?> t, boolean count) {
        int i = t.heapIndex;
        if (t.heap != this || i < 0 || i >= size || heap[i] != t) {
            return false;
        }
        removeAt(i);
        publish();
        if (count) {
            cancelled++;
        }
        return true;
    }

    long firedCount() {
        return fired;
    }

    long cancelledCount() {
        return cancelled;
    }

    /**
     * Moves the timers due at {@code now} into {@code sink}, earliest first, at most {@code max} of
     * them (the rest stay, due, for the next look); returns how many.
     */
    int takeDue(long now, List<DelayedTask<?>> sink, int max) {
        int n = 0;
        while (n < max && size > 0 && whens[0] - now <= 0) {
            Interleavings.point(); // inside the lock: only a thread that skipped the lock could come between
            sink.add(removeAt(0));
            n++;
        }
        if (n > 0) {
            publish();
            fired += n;
        }
        return n;
    }

    /** Removes every timer that {@code which} selects into {@code sink}. */
    void removeIf(Predicate<DelayedTask<?>> which, List<DelayedTask<?>> sink) {
        int from = sink.size();
        for (int i = 0; i < size; i++) {
            if (which.test(heap[i])) {
                sink.add(heap[i]);
            }
        }
        for (int i = from; i < sink.size(); i++) {
            removeAt(sink.get(i).heapIndex);
        }
        publish();
    }

    boolean isEmptyLocked() {
        return size == 0;
    }

    /**
     * Releasing stores, not volatile ones: these are hints, read racily, and a volatile store's
     * StoreLoad fence on every add and removal cost a tenth of timer_churn. A reader that must not
     * miss a timer takes the lock, or (a parking worker's final look) reads after a full fence.
     */
    private void publish() {
        if (size > 0) {
            EARLIEST.setRelease(this, whens[0]);
        }
        COUNT.setRelease(this, size);
    }

    private DelayedTask<?> removeAt(int i) {
        DelayedTask<?> removed = heap[i];
        int last = --size;
        DelayedTask<?> moved = heap[last];
        long movedWhen = whens[last];
        heap[last] = null;
        if (i != last) {
            siftDown(i, moved, movedWhen);
            if (heap[i] == moved) {
                siftUp(i, moved, movedWhen);
            }
        }
        removed.heapIndex = -1;
        removed.heap = null;
        if (heap.length > 64 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2); // 1,000,000 cancelled timeouts leave no big array behind
            whens = Arrays.copyOf(whens, whens.length / 2);
        }
        return removed;
    }

    /** Whether (w1, a) comes before (w2, b): by deadline, then by sequence. Equal deadlines are rare: only then are tasks read. */
    private static boolean less(long w1, DelayedTask<?> a, long w2, DelayedTask<?> b) {
        long d = w1 - w2;
        return d < 0 || (d == 0 && a.sequence < b.sequence);
    }

    private void siftUp(int i, DelayedTask<?> t, long when) {
        while (i > 0) {
            int parent = (i - 1) >>> 2;
            if (!less(when, t, whens[parent], heap[parent])) {
                break;
            }
            DelayedTask<?> p = heap[parent];
            heap[i] = p;
            whens[i] = whens[parent];
            p.heapIndex = i;
            i = parent;
        }
        heap[i] = t;
        whens[i] = when;
        t.heapIndex = i;
    }

    private void siftDown(int i, DelayedTask<?> t, long when) {
        for (;;) {
            int first = 4 * i + 1;
            if (first >= size) {
                break;
            }
            int best = first;
            int end = Math.min(first + 4, size);
            for (int c = first + 1; c < end; c++) {
                if (less(whens[c], heap[c], whens[best], heap[best])) {
                    best = c;
                }
            }
            if (!less(whens[best], heap[best], when, t)) {
                break;
            }
            DelayedTask<?> c = heap[best];
            heap[i] = c;
            whens[i] = whens[best];
            c.heapIndex = i;
            i = best;
        }
        heap[i] = t;
        whens[i] = when;
        t.heapIndex = i;
    }
}
