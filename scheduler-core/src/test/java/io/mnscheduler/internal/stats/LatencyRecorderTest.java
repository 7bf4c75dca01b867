package io.mnscheduler.internal.stats;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The buckets tile the values without gaps, each at most 25% wide, and a recorder counts what it is given. */
class LatencyRecorderTest {

    @Test
    void bucketsAreContiguousAndNarrow() {
        assertEquals(0, LatencyRecorder.lowerBound(0));
        for (int b = 0; b < LatencyRecorder.BUCKETS - 1; b++) {
            long lo = LatencyRecorder.lowerBound(b), hi = LatencyRecorder.upperBound(b);
            assertEquals(hi + 1, LatencyRecorder.lowerBound(b + 1), "bucket " + b + " ends where the next begins");
            assertEquals(b, LatencyRecorder.bucketOf(lo));
            assertEquals(b, LatencyRecorder.bucketOf(hi));
            assertTrue(hi - lo <= Math.max(0, lo / 4), "bucket " + b + " [" + lo + ", " + hi + "] within 25%");
        }
        assertEquals(Long.MAX_VALUE, LatencyRecorder.upperBound(LatencyRecorder.BUCKETS - 1));
        assertEquals(LatencyRecorder.BUCKETS - 1, LatencyRecorder.bucketOf(Long.MAX_VALUE));
        assertEquals(0, LatencyRecorder.bucketOf(-5), "a clock step backwards counts as 0");
    }

    @Test
    void randomValuesFallWithinTheirBucketAndAreCounted() {
        SplittableRandom random = new SplittableRandom(42);
        LatencyRecorder r = new LatencyRecorder();
        long[] empty = new long[LatencyRecorder.BUCKETS];
        assertEquals(0, r.snapshotInto(empty), "nothing recorded: no array yet");
        long[] model = new long[LatencyRecorder.BUCKETS];
        long sum = 0;
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong(1L << random.nextInt(1, 45));
            int b = LatencyRecorder.bucketOf(v);
            assertTrue(LatencyRecorder.lowerBound(b) <= v && v <= LatencyRecorder.upperBound(b), v + " in bucket " + b);
            model[b]++;
            sum += v;
            r.record(v);
        }
        long[] seen = new long[LatencyRecorder.BUCKETS];
        assertEquals(sum, r.snapshotInto(seen));
        assertEquals(java.util.Arrays.toString(model), java.util.Arrays.toString(seen));
    }
}
