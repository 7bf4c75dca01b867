package io.mnscheduler.internal.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One processor's histogram of scheduling latencies (submission to start), in log-linear buckets:
 * four per power of two, so a bucket's bounds are within 25% of each other (HdrHistogram with two
 * significant bits; Go's {@code timeHistogram} has the same shape). Values from 0 ns to 2^40 ns
 * (about 18 minutes) have buckets of their own; longer ones go into the last.
 *
 * <p>Single writer at a time, the worker holding the processor, which adds with a plain read and
 * an opaque write as {@link ProcessorCounters} does; readers use opaque reads and see recent
 * values, each bucket on its own (a snapshot is not from one instant). The bucket array is made at
 * the first sample, so a processor that never samples costs one null field: a scheduler of 32,767
 * processors does not carry 40 MB of empty histograms. It is published by a releasing store that
 * pairs with the acquiring read in {@link #snapshotInto}: a reader that sees the array sees it zeroed.
 */
public final class LatencyRecorder {
    /** Sub-buckets per power of two. */
    private static final int SUB_BITS = 2;
    private static final int SUB = 1 << SUB_BITS;
    /** The largest power of two with buckets of its own. */
    private static final int MAX_EXPONENT = 40;
    /** Buckets: values below SUB one each, then SUB per power of two from SUB_BITS to MAX_EXPONENT. */
    public static final int BUCKETS = SUB + SUB * (MAX_EXPONENT - SUB_BITS + 1);

    private static final VarHandle BUCKET = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle ARRAY;
    private static final VarHandle SUM;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ARRAY = lookup.findVarHandle(LatencyRecorder.class, "counts", long[].class);
            SUM = lookup.findVarHandle(LatencyRecorder.class, "sumNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long[] counts;  // null until the first sample; the owner stores it releasing, readers read it acquiring
    private long sumNanos;  // the owner writes opaque, readers read opaque

    /** The bucket of a latency of {@code nanos} (negative counts as 0). */
    public static int bucketOf(long nanos) {
        if (nanos < SUB) {
            return nanos < 0 ? 0 : (int) nanos;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(nanos);
        if (exponent > MAX_EXPONENT) {
            return BUCKETS - 1;
        }
        int sub = (int) (nanos >>> (exponent - SUB_BITS)) & (SUB - 1);
        return SUB + SUB * (exponent - SUB_BITS) + sub;
    }

    /** The smallest latency, in nanoseconds, that falls into {@code bucket}. */
    public static long lowerBound(int bucket) {
        if (bucket < SUB) {
            return bucket;
        }
        int exponent = SUB_BITS + (bucket - SUB) / SUB;
        int sub = (bucket - SUB) % SUB;
        return (long) (SUB + sub) << (exponent - SUB_BITS);
    }

    /** The largest latency, in nanoseconds, that falls into {@code bucket}; Long.MAX_VALUE for the last. */
    public static long upperBound(int bucket) {
        return bucket == BUCKETS - 1 ? Long.MAX_VALUE : lowerBound(bucket + 1) - 1;
    }

    /** Adds one sample; only the current holder of the processor may call it. */
    public void record(long nanos) {
        long[] c = counts;
        if (c == null) {
            c = new long[BUCKETS];
            ARRAY.setRelease(this, c);
        }
        int i = bucketOf(nanos);
        BUCKET.setOpaque(c, i, (long) BUCKET.getOpaque(c, i) + 1);
        SUM.setOpaque(this, sumNanos + Math.max(0, nanos));
    }

    /** Adds this processor's counts to {@code into} (BUCKETS long), and returns its sum of latencies; any thread. */
    public long snapshotInto(long[] into) {
        long[] c = (long[]) ARRAY.getAcquire(this);
        if (c == null) {
            return 0;
        }
        for (int i = 0; i < BUCKETS; i++) {
            into[i] += (long) BUCKET.getOpaque(c, i);
        }
        return (long) SUM.getOpaque(this);
    }
}
