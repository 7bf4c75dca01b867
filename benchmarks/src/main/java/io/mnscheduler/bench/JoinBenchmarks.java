package io.mnscheduler.bench;

import io.mnscheduler.WorkStealingScheduler;
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

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Tasks that wait for other tasks of the same pool (issue 14): a recursive fib whose every call
 * submits one child and waits for it, by {@code submit().get()} ({@code blocking_join}, fib(26)) and by
 * {@code CompletableFuture.supplyAsync(...).join()} ({@code completable_join}, fib(16)). A pool that
 * deadlocks (its workers all wait, nothing runs what they wait for) is recorded as deadlocked after
 * {@value #DEADLOCK_SECONDS} s. The tear-down records how many threads the pool needed: mn-scheduler's
 * peak worker threads, ForkJoinPool's largest pool size seen after an operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class JoinBenchmarks {
    static final int BLOCKING_FIB_N = 26;
    static final int COMPLETABLE_FIB_N = 16;
    /** A run that has not finished after this long is a deadlock, not a slow run (the slowest peer that finishes takes seconds). */
    static final long DEADLOCK_SECONDS = 20;

    @Param({"mn", "mn-vt", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    private Peer.Pool pool;
    private Executor ex;
    private int largestPool;
    private String ran;

    @Setup(Level.Trial)
    public void open() {
        pool = Peer.of(peer).open(Peer.workers(workers));
        ex = pool.executor();
    }

    @TearDown(Level.Trial)
    public void close() {
        if (ran != null) {
            int threads = pool.owned() instanceof WorkStealingScheduler s ? s.stats().peakWorkerThreads() : largestPool;
            if (threads > 0) {
                SideResults.write(ran, peer, Peer.workers(workers), Map.of("threads", threads));
            }
        }
        pool.close();
    }

    @Benchmark
    public long blocking_join() {
        return after("blocking_join", Workloads.fibExpected(BLOCKING_FIB_N), () -> JoinWorkloads.fibSubmit(ex, BLOCKING_FIB_N, DEADLOCK_SECONDS));
    }

    @Benchmark
    public long completable_join() {
        return after("completable_join", Workloads.fibExpected(COMPLETABLE_FIB_N), () -> JoinWorkloads.fibCompletable(ex, COMPLETABLE_FIB_N, DEADLOCK_SECONDS));
    }

    private long after(String benchmark, long expected, java.util.function.LongSupplier run) {
        long got;
        try {
            got = run.getAsLong();
        } catch (JoinWorkloads.Deadlocked e) {
            SideResults.write(benchmark, peer, Peer.workers(workers), Map.of("deadlockedSeconds", DEADLOCK_SECONDS));
            throw e;
        }
        ran = benchmark;
        if (pool.owned() instanceof ForkJoinPool f) {
            largestPool = Math.max(largestPool, f.getPoolSize());
        }
        return ExecutorBenchmarks.check(got, expected);
    }
}
