package io.mnscheduler;

import io.mnscheduler.internal.stats.LatencyRecorder;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * Scheduling latency, the time from a task's submission to its start (Go's
 * {@code /sched/latencies:seconds}), as a histogram of the sampled submissions: one in
 * {@link #sampleOneIn()} submissions ({@code execute}, {@code submit}, {@code invokeAll} and
 * {@code invokeAny}, and every time one of the scheduler's virtual threads becomes runnable) is
 * timed; timers and yields are not. Buckets are log-linear, four per power of two, so a value read
 * from the histogram is within 25% of the latency it stands for. An immutable snapshot, as read by
 * {@link WorkStealingScheduler#stats()}; thread-safe.
 */
public final class LatencyHistogram {
    private final long[] counts;    // per bucket
    private final long count;       // sum of counts
    private final long totalNanos;  // sum of the sampled latencies
    private final int sampleOneIn;

    LatencyHistogram(long[] counts, long totalNanos, int sampleOneIn) {
        this.counts = counts.clone();
        this.count = Arrays.stream(counts).sum();
        this.totalNanos = totalNanos;
        this.sampleOneIn = sampleOneIn;
    }

    /**
     * How many submissions there are per sampled one (the builder's
     * {@link WorkStealingScheduler.Builder#schedulingLatencySampling}); 0 when sampling is off.
     *
     * @return the sampling interval
     */
    public int sampleOneIn() {
        return sampleOneIn;
    }

    /**
     * The number of sampled submissions that have started.
     *
     * @return the count of samples
     */
    public long count() {
        return count;
    }

    /**
     * The sum of the sampled latencies.
     *
     * @return the total, {@link Duration#ZERO} without samples
     */
    public Duration totalTime() {
        return Duration.ofNanos(totalNanos);
    }

    /**
     * The mean sampled latency.
     *
     * @return the mean, {@link Duration#ZERO} without samples
     */
    public Duration mean() {
        return count == 0 ? Duration.ZERO : Duration.ofNanos(totalNanos / count);
    }

    /**
     * The latency at quantile {@code q}: the upper bound of the bucket holding the sample of that
     * rank (so at most 25% above it).
     *
     * @param q from 0 (the smallest sample) to 1 (the largest)
     * @return the latency, {@link Duration#ZERO} without samples
     * @throws IllegalArgumentException if {@code q} is not within 0 to 1
     */
    public Duration valueAtQuantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q = " + q + "; allowed: 0 to 1");
        }
        if (count == 0) {
            return Duration.ZERO;
        }
        long rank = Math.max(1, (long) Math.ceil(q * count));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Duration.ofNanos(LatencyRecorder.upperBound(i));
            }
        }
        return Duration.ofNanos(Long.MAX_VALUE); // unreachable: the counts add up to count
    }

    /**
     * The number of buckets; each index from 0 to {@code buckets() - 1} names one.
     *
     * @return the number of buckets
     */
    public int buckets() {
        return counts.length;
    }

    /**
     * The samples in bucket {@code i}.
     *
     * @param i a bucket index, 0 to {@code buckets() - 1}
     * @return the number of samples whose latency lies within the bucket's bounds
     * @throws IndexOutOfBoundsException if {@code i} is not a bucket index
     */
    public long countAt(int i) {
        return counts[i];
    }

    /**
     * The smallest latency of bucket {@code i}, in nanoseconds.
     *
     * @param i a bucket index, 0 to {@code buckets() - 1}
     * @return the bucket's inclusive lower bound
     * @throws IndexOutOfBoundsException if {@code i} is not a bucket index
     */
    public long lowerBoundNanos(int i) {
        return LatencyRecorder.lowerBound(Objects.checkIndex(i, counts.length));
    }

    /**
     * The largest latency of bucket {@code i}, in nanoseconds ({@link Long#MAX_VALUE} for the last,
     * which holds everything from about 18 minutes up).
     *
     * @param i a bucket index, 0 to {@code buckets() - 1}
     * @return the bucket's inclusive upper bound
     * @throws IndexOutOfBoundsException if {@code i} is not a bucket index
     */
    public long upperBoundNanos(int i) {
        return LatencyRecorder.upperBound(Objects.checkIndex(i, counts.length));
    }

    @Override
    public String toString() {
        return "LatencyHistogram[samples = " + count + ", one in " + sampleOneIn + ", mean = " + mean()
                + ", p50 = " + valueAtQuantile(0.5) + ", p99 = " + valueAtQuantile(0.99) + ", max <= "
                + valueAtQuantile(1) + "]";
    }
}
