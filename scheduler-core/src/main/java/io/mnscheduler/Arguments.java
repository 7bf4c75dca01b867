package io.mnscheduler;

import java.time.Duration;
import java.util.Objects;

/** The checks of {@link WorkStealingScheduler.Builder}'s arguments; each message names the setting, the value and what is allowed. */
final class Arguments {
    private Arguments() {
    }

    /** {@code value} if it lies within {@code min} to {@code max}; else refused, saying {@code allowed}. */
    static int inRange(String name, int value, int min, int max, String allowed) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " = " + value + "; allowed: " + allowed);
        }
        return value;
    }

    /** {@code value} if it is a power of two within {@code min} to {@code max}; else refused. */
    static int powerOfTwo(String name, int value, int min, int max) {
        if (value < min || value > max || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(name + " = " + value + "; allowed: a power of two from " + min + " to " + max);
        }
        return value;
    }

    /** {@code value} if not null and within {@code min} (exclusive when {@code minExclusive}) to {@code max}; else refused. */
    static Duration inRange(String name, Duration value, Duration min, boolean minExclusive, Duration max,
                            String allowed) {
        Objects.requireNonNull(value, name + " = null; allowed: " + allowed);
        int c = value.compareTo(min);
        if (c < 0 || (c == 0 && minExclusive) || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " = " + value + "; allowed: " + allowed);
        }
        return value;
    }
}
