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

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Task throughput on an idle pool: Tokio's spawn benchmarks, skynet with futures, and fib(30) by
 * {@code CompletableFuture} composition. One operation is one whole workload; the score is
 * workloads per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class ExecutorBenchmarks {
    static final int SPAWN_TASKS = 10_000;
    static final int CHAIN_LENGTH = 1_000;
    static final long SKYNET_LEAVES = 1_000_000;
    static final int FIB_N = 30;

    @Param({"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    private Peer.Pool pool;
    private Executor ex;

    @Setup(Level.Trial)
    public void open() {
        pool = Peer.of(peer).open(Peer.workers(workers));
        ex = pool.executor();
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    @Benchmark
    public void spawn_many_local() throws InterruptedException {
        Workloads.spawnManyLocal(ex, SPAWN_TASKS);
    }

    @Benchmark
    public void spawn_many_remote_idle() throws InterruptedException {
        Workloads.spawnManyRemote(ex, SPAWN_TASKS);
    }

    @Benchmark
    public void chained_spawn() throws InterruptedException {
        Workloads.chainedSpawn(ex, CHAIN_LENGTH);
    }

    @Benchmark
    public long skynet_futures() throws Exception {
        return check(Workloads.skynetFutures(ex, SKYNET_LEAVES, 10), Workloads.skynetExpected(SKYNET_LEAVES));
    }

    @Benchmark
    public long fork_join_fib() throws Exception {
        return check(Workloads.fib(ex, FIB_N), 832_040);
    }

    static long check(long got, long expected) {
        if (got != expected) {
            throw new IllegalStateException("wrong result " + got + ", expected " + expected);
        }
        return got;
    }
}
