package io.mnscheduler.bench.report;

import java.util.List;

/**
 * One measured figure: a benchmark (and a metric of it, for benchmarks with several), a peer, a
 * worker count and a score.
 *
 * @param benchmark      the benchmark's name, as in JMH (for example {@code spawn_many_local})
 * @param metric         the metric within it ({@code p99}), or empty for the benchmark's one score
 * @param peer           the peer's parameter name ({@code mn}, {@code fjp}, ..., {@code go})
 * @param workers        the worker count it ran with
 * @param score          the figure
 * @param error          its 99.9% confidence half-width as JMH gives it, or NaN when there is none
 * @param unit           the figure's unit
 * @param higherIsBetter whether a larger figure is the better one (throughput) or not (latency, cost)
 * @param note           what the score alone does not say (a peer that starved scores 0), or empty
 * @param forks          each fork's own score (the mean of its measurement iterations), in fork order;
 *                       empty when the figure did not come from several JMH forks
 */
public record Figure(String benchmark, String metric, String peer, int workers, double score, double error,
                     String unit, boolean higherIsBetter, String note, List<Double> forks) {

    /** Copies {@code forks}. */
    public Figure {
        forks = List.copyOf(forks);
    }

    /** A figure with nothing to note, from one fork or none. */
    public Figure(String benchmark, String metric, String peer, int workers, double score, double error,
                  String unit, boolean higherIsBetter) {
        this(benchmark, metric, peer, workers, score, error, unit, higherIsBetter, "", List.of());
    }

    /** A figure with a note, from one fork or none. */
    public Figure(String benchmark, String metric, String peer, int workers, double score, double error,
                  String unit, boolean higherIsBetter, String note) {
        this(benchmark, metric, peer, workers, score, error, unit, higherIsBetter, note, List.of());
    }

    /** The worst fork's score (the lowest throughput, or the highest latency), or the score itself with one fork. */
    public double worstFork() {
        if (forks.size() < 2) {
            return score;
        }
        return higherIsBetter ? forks.stream().mapToDouble(Double::doubleValue).min().orElseThrow()
                : forks.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** The best fork's score, or the score itself with one fork. */
    public double bestFork() {
        if (forks.size() < 2) {
            return score;
        }
        return higherIsBetter ? forks.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
                : forks.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** The row this figure belongs to: benchmark, metric and workers. */
    public Row row() {
        return new Row(benchmark, metric, workers, unit, higherIsBetter);
    }

    /**
     * How many times better {@code this} is than {@code other}, whichever way better points: above 1
     * means this figure is the better one.
     */
    public double advantageOver(Figure other) {
        return higherIsBetter ? score / other.score : other.score / score;
    }

    /** One line of the table: a benchmark's metric at one worker count. */
    public record Row(String benchmark, String metric, int workers, String unit, boolean higherIsBetter) {
        /** The name shown in tables and charts. */
        public String title() {
            return metric.isEmpty() ? benchmark : benchmark + " " + metric;
        }
    }
}
