package io.mnscheduler;

import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** The checks of the delays and periods {@link WorkStealingScheduler}'s scheduling methods take, in nanoseconds. */
final class Delays {
    private static final long MAX = WorkStealingScheduler.MAX_DELAY.toNanos();

    private Delays() {
    }

    /** A delay: 0 or less runs at once; longer than {@link WorkStealingScheduler#MAX_DELAY} is refused, naming {@code name}. */
    static long delayNanos(String name, long delay, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit = null; allowed: any TimeUnit");
        long nanos = unit.toNanos(delay); // saturates: a huge delay stays huge, and is refused below
        if (nanos > MAX) {
            throw new IllegalArgumentException(name + " = " + delay + " " + unit + "; allowed: at most "
                    + WorkStealingScheduler.MAX_DELAY + " (0 or less runs at once)");
        }
        return Math.max(0L, nanos);
    }

    /** A period (or a fixed delay): positive, at most {@link WorkStealingScheduler#MAX_DELAY}, else refused naming {@code name}. */
    static long periodNanos(String name, long period, TimeUnit unit) {
        Objects.requireNonNull(unit, "unit = null; allowed: any TimeUnit");
        long nanos = unit.toNanos(period);
        if (period <= 0 || nanos > MAX) {
            throw new IllegalArgumentException(name + " = " + period + " " + unit + "; allowed: positive, at most "
                    + WorkStealingScheduler.MAX_DELAY);
        }
        return nanos;
    }
}
