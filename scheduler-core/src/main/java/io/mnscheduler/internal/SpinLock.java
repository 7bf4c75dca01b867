package io.mnscheduler.internal;

import java.lang.invoke.VarHandle;

/**
 * The acquire loop of the engine's small spin locks: an int field, 0 free and 1 held, taken by CAS
 * and released by a releasing store of 0 that pairs with the next taker's CAS. Used where a holder
 * runs a few steps only (a processor's timer heap, a stripe of the live virtual-thread registry), so
 * a waiter spins briefly and then yields: a holder still running after 64 spins was most likely
 * descheduled. Every attempt is an interleaving point of the test explorer ({@link Interleavings}).
 */
public final class SpinLock {
    private static final int SPINS_BEFORE_YIELDING = 64;

    private SpinLock() {
    }

    /**
     * Takes the lock in {@code holder}'s field behind {@code lock} (a {@code static final}
     * {@link VarHandle} of an int field, so the call inlines to a plain CAS loop).
     */
    public static void acquire(VarHandle lock, Object holder) {
        Interleavings.point();
        for (int spins = 0; !lock.compareAndSet(holder, 0, 1); spins++) {
            Interleavings.spin();
            if (spins < SPINS_BEFORE_YIELDING) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
