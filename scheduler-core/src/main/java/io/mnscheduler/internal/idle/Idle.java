package io.mnscheduler.internal.idle;

import io.mnscheduler.internal.Interleavings;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Counts searching and unparked workers and keeps the parked ones, after Tokio's {@code idle.rs}
 * and Go's {@code nmspinning}/{@code pidle}.
 *
 * <h2>No lost wake-up</h2>
 * A submitter makes its task visible, then issues a full fence and reads {@code state}, and wakes a
 * sleeper only when no worker is searching and some worker is parked. (Tokio reads with
 * {@code fetch_add(0, SeqCst)}; a read-modify-write orders the same way but takes the line
 * exclusively, and with every submission doing it the line bounced between all the cores.) A worker about to park ({@link #prepareToPark}) first
 * decrements {@code state} under the lock, pushes itself on the sleeper stack, then (after a full
 * fence) checks every queue once more, and takes itself off the stack if it finds work. Both sides store then load with a fence between, so at
 * least one sees the other: either the submitter sees the worker still unparked or searching (and
 * that worker's final check sees the task), or the worker's check sees the task. A worker that
 * stopped searching while others search relies on them: the last searcher to park always checks.
 *
 * <p>At most half of the unparked workers search at once (Go: {@code 2*nmspinning < busy Ps}), so
 * an idle scheduler does not burn every core looking for work.
 *
 * @param <W> the worker type
 */
public final class Idle<W> {
    private static final int SEARCHING_MASK = 0xFFFF;
    private static final int UNPARKED_ONE = 1 << 16;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Idle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private volatile int state;                      // (unparked << 16) | searching; RMW by everyone, volatile reads
    private volatile int workers;                    // workers not exited; written under lock, read racily
    private final Object lock = new Object();
    private final ArrayList<W> sleepers = new ArrayList<>(); // guarded by lock; a stack

    /** @param workers the number of workers, all initially unparked and not searching */
    public Idle(int workers) {
        if (workers < 1 || workers > SEARCHING_MASK) {
            throw new IllegalArgumentException("workers = " + workers + "; allowed: 1 to " + SEARCHING_MASK);
        }
        this.workers = workers;
        this.state = workers * UNPARKED_ONE;
    }

    private static int searching(int state) {
        return state & SEARCHING_MASK;
    }

    private static int unparked(int state) {
        return state >>> 16;
    }

    private boolean shouldWake(int s) {
        return searching(s) == 0 && unparked(s) < workers;
    }

    /**
     * Called after work was made visible. Returns the parked worker the caller must unpark, already
     * counted as unparked and searching, or null when a searching worker will find the work.
     */
    public W workerToNotify() {
        Interleavings.point();
        VarHandle.fullFence(); // StoreLoad: pairs with the fence before the parking worker's check
        int s = state;
        if (!shouldWake(s)) {
            return null;
        }
        Interleavings.point(); // points stay outside the lock: a step never ends holding it
        synchronized (lock) {
            if (!shouldWake(state) || sleepers.isEmpty()) {
                return null;
            }
            STATE.getAndAdd(this, UNPARKED_ONE + 1);
            return sleepers.removeLast();
        }
    }

    /**
     * Whether every worker is counted parked (a volatile read). Every change away from that is a
     * read-modify-write of the state here ({@link #workerToNotify}, {@link #notifyAllWorkers}, a
     * cancelled {@link #prepareToPark}), after which the caller wakes the monitor.
     */
    public boolean allParked() {
        return unparked(state) == 0;
    }

    /** Every parked worker, each counted as unparked and searching; used on shutdown. */
    public List<W> notifyAllWorkers() {
        synchronized (lock) {
            List<W> all = new ArrayList<>(sleepers);
            sleepers.clear();
            STATE.getAndAdd(this, all.size() * (UNPARKED_ONE + 1));
            return all;
        }
    }

    /** A worker with no local work asks to search; refused when half the unparked ones search already. */
    public boolean tryStartSearching() {
        for (;;) {
            Interleavings.point();
            int s = state;
            if (2 * searching(s) >= unparked(s)) {
                return false;
            }
            Interleavings.point();
            if (STATE.compareAndSet(this, s, s + 1)) {
                return true;
            }
        }
    }

    /**
     * A searching worker found work. Returns true when it was the last searcher: it must then wake
     * another worker to search, so that the rest of any burst is picked up (Go's resetspinning).
     */
    public boolean stopSearching() {
        Interleavings.point();
        return searching((int) STATE.getAndAdd(this, -1)) == 1;
    }

    /**
     * A worker with nothing to do parks: it is counted out and put on the sleeper stack, then it
     * checks {@code workVisible} once more, after a full fence (see "No lost wake-up").
     *
     * @param searching   whether the worker was counted as searching
     * @param workVisible reads every queue; true when some task is visible
     * @return true when the worker must now block until woken (a waker has it, or will); false
     *         when its final check found work and it was taken off the stack, counted as searching
     */
    public boolean prepareToPark(W worker, boolean searching, BooleanSupplier workVisible) {
        Interleavings.point();
        synchronized (lock) {
            STATE.getAndAdd(this, -(UNPARKED_ONE + (searching ? 1 : 0)));
            sleepers.add(worker);
        }
        Interleavings.point();
        VarHandle.fullFence(); // the lock's release is no StoreLoad; pairs with the RMW in workerToNotify
        if (!workVisible.getAsBoolean()) {
            return true;
        }
        Interleavings.point();
        synchronized (lock) {
            int i = sleepers.lastIndexOf(worker);
            if (i < 0) {
                return true; // a waker took us off the stack; its wake-up is on its way
            }
            sleepers.remove(i);
            STATE.getAndAdd(this, UNPARKED_ONE + 1);
            return false;
        }
    }

    /**
     * Before any worker thread runs: counts {@code worker} parked and pushes it on the sleeper
     * stack, as if it had parked (a new scheduler's workers start asleep, and the first submission
     * wakes one; Go starts its Ms only for work, likewise). The caller starts the thread afterwards,
     * which publishes this. The last one pushed is the first woken.
     */
    public void startParked(W worker) {
        synchronized (lock) {
            STATE.getAndAdd(this, -UNPARKED_ONE);
            sleepers.add(worker);
        }
    }

    /**
     * A parked worker wakes by itself (its timer is due): off the sleeper stack and counted unparked
     * and searching, as a waker would have done; false when a waker took it first (its wake-up is
     * on its way).
     */
    public boolean cancelPark(W worker) {
        Interleavings.point();
        synchronized (lock) {
            int i = sleepers.lastIndexOf(worker);
            if (i < 0) {
                return false;
            }
            sleepers.remove(i);
            STATE.getAndAdd(this, UNPARKED_ONE + 1);
            return true;
        }
    }

    /** An unparked worker leaves for good. */
    public void exit(boolean searching) {
        synchronized (lock) {
            workers--;
            STATE.getAndAdd(this, -(UNPARKED_ONE + (searching ? 1 : 0)));
        }
    }

    /** Workers searching now; racy. */
    public int searchingCount() {
        return searching(state);
    }

    /** Workers not parked now; racy. */
    public int unparkedCount() {
        return unparked(state);
    }

    /** Workers parked now. */
    public int parkedCount() {
        synchronized (lock) {
            return sleepers.size();
        }
    }
}
