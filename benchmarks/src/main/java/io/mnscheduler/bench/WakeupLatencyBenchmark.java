package io.mnscheduler.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Wake-up latency: the time from {@code execute} to the task's first instruction, on a pool left idle
 * for {@code idleMicros} before each submission, so its workers have gone to sleep.
 *
 * <p>The exact submit-to-start times (taken on both sides with {@link System#nanoTime()}) go into an
 * HdrHistogram during measurement iterations; the trial's tear-down writes its p50, p99 and p99.9 as
 * a side result plus the whole histogram as an HdrHistogram log. JMH's own sample-time score measures
 * the same invocation from the submitting side, including the few nanoseconds in which the spinning
 * submitter sees the start.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class WakeupLatencyBenchmark {
    @Param({"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    /** How long the pool is left idle before each submission. */
    @Param("1000")
    public int idleMicros;

    private Peer.Pool pool;
    private Executor ex;
    private final Histogram latencies = new Histogram(TimeUnit.SECONDS.toNanos(10), 3); // benchmark thread only
    private boolean measuring; // benchmark thread only

    @Setup(Level.Trial)
    public void open() {
        pool = Peer.of(peer).open(Peer.workers(workers));
        ex = pool.executor();
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @Setup(Level.Invocation)
    public void idle() {
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(idleMicros));
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
        int n = Peer.workers(workers);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("unit", "us");
        figures.put("samples", latencies.getTotalCount());
        figures.put("p50", latencies.getValueAtPercentile(50) / 1000.0);
        figures.put("p99", latencies.getValueAtPercentile(99) / 1000.0);
        figures.put("p99.9", latencies.getValueAtPercentile(99.9) / 1000.0);
        figures.put("max", latencies.getMaxValue() / 1000.0);
        figures.put("idleMicros", idleMicros);
        SideResults.write("wakeup_latency", peer, n, figures);
        String log = SideResults.stem("wakeup_latency", peer, n) + ".hlog";
        try (PrintStream out = new PrintStream(SideResults.dir().resolve(log).toFile())) {
            HistogramLogWriter w = new HistogramLogWriter(out);
            w.outputComment("submit-to-start nanoseconds, " + peer + ", " + n + " workers, idle " + idleMicros + " us");
            w.outputLogFormatVersion();
            w.outputLegend();
            w.outputIntervalHistogram(latencies);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    public long wakeup_latency() {
        long latency = Workloads.submitToStart(ex);
        if (measuring) {
            latencies.recordValue(latency);
        }
        return latency;
    }
}
