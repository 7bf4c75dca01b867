package io.mnscheduler.internal.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Event counters of one processor. Each counter has a single writer at a time (the worker holding
 * the processor), which increments with a plain read and an opaque write, so no increment is ever
 * lost and no fence is paid; readers use opaque reads and see a recent value.
 */
public final class ProcessorCounters {
    /** What is counted. */
    public enum Event {
        /** A task ran to completion (or threw). */
        EXECUTED,
        /** A task was taken from another processor. */
        STOLEN,
        /** A steal operation moved at least one task. */
        STEAL_OPERATION,
        /** Half of a full local queue moved to the global queue. */
        OVERFLOW,
        /** A poll of the global queue returned work. */
        GLOBAL_POLL,
        /** A task was taken from the {@code runnext} slot. */
        RUNNEXT_HIT,
        /** The worker parked. */
        PARK,
        /** The worker was woken after parking. */
        UNPARK,
        /** Nanoseconds the worker spent awake (not parked), added at each park (Tokio's busy duration). */
        BUSY_NANOS
    }

    private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int PAD = 8; // 64 bytes of unused slots each side keep other processors' data off these lines

    private final long[] counts = new long[PAD + Event.values().length + PAD];

    /** Adds one to {@code event}; only the current owner of the processor may call it. */
    public void increment(Event event) {
        add(event, 1);
    }

    /** Adds {@code n} to {@code event}; only the current owner of the processor may call it. */
    public void add(Event event, long n) {
        int i = PAD + event.ordinal();
        COUNTS.setOpaque(counts, i, (long) COUNTS.getOpaque(counts, i) + n);
    }

    /** A recent value of {@code event}; any thread. */
    public long get(Event event) {
        return (long) COUNTS.getOpaque(counts, PAD + event.ordinal());
    }
}
