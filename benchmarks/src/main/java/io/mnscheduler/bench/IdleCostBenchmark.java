package io.mnscheduler.bench;

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

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Idle cost: the CPU time every other thread of the JVM uses during {@code idleSeconds} of idleness
 * right after a burst of 20,000 tasks, as a percentage of one core. Counted per thread with
 * {@link ThreadMXBean}, so the JIT and GC (not Java threads) stay out of it. The JMH score is only
 * the operation's wall time; the figure is a side result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class IdleCostBenchmark {
    @Param({"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    @Param("5")
    public int idleSeconds;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Peer.Pool pool;
    private Executor ex;
    private boolean measuring;                            // benchmark thread only
    private final List<Double> percentOfCore = new ArrayList<>(); // benchmark thread only

    @Setup(Level.Trial)
    public void open() {
        if (!THREADS.isThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure per-thread CPU time");
        }
        THREADS.setThreadCpuTimeEnabled(true);
        pool = Peer.of(peer).open(Peer.workers(workers));
        ex = pool.executor();
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("unit", "% of one core");
        figures.put("windows", percentOfCore.size());
        figures.put("idleSeconds", idleSeconds);
        figures.put("mean", percentOfCore.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN));
        figures.put("max", percentOfCore.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        SideResults.write("idle_cost", peer, Peer.workers(workers), figures);
    }

    @Benchmark
    public double idle_cost() throws InterruptedException {
        Workloads.spawnManyRemote(ex, 10_000);
        Workloads.spawnManyLocal(ex, 10_000);
        Map<Long, Long> before = cpuOfOtherThreads();
        long start = System.nanoTime();
        Thread.sleep(TimeUnit.SECONDS.toMillis(idleSeconds));
        Map<Long, Long> after = cpuOfOtherThreads();
        long elapsed = System.nanoTime() - start;
        long used = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            used += e.getValue() - before.getOrDefault(e.getKey(), 0L); // a thread born in the window counts from 0
        }
        double percent = 100.0 * used / elapsed;
        if (measuring) {
            percentOfCore.add(percent);
        }
        return percent;
    }

    /** CPU nanoseconds of every live thread but the caller, by thread id. */
    private static Map<Long, Long> cpuOfOtherThreads() {
        long self = Thread.currentThread().threadId();
        Map<Long, Long> cpu = new LinkedHashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (id != self && t >= 0) {
                cpu.put(id, t);
            }
        }
        return cpu;
    }
}
