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

import java.util.concurrent.TimeUnit;

/**
 * Virtual threads carried by each peer: Tokio's yield_many and ping_pong (plus
 * ping_pong over rendezvous channels), and skynet with 1,000,000
 * leaf virtual threads; {@code virtual_spawn_join} (20,000 virtual threads started and joined by the
 * benchmark's platform thread: every start is an outside submission) and {@code sleep_many} (100,000
 * virtual threads each sleeping 10 ms: mn-scheduler sets the timers on its own per-processor
 * timers, the JDK's scheduler on ForkJoinPool's, and the other pools get the JDK's timer threads,
 * which wake each thread from outside). {@code jdk} is the JDK's own scheduler; the other pools
 * carry virtual threads through the same JDK hook mn-scheduler uses.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class VirtualThreadBenchmarks {
    static final int YIELD_THREADS = 200;
    static final int YIELDS = 1_000;
    static final int PING_PONG_ROUNDS = 1_000;
    static final int SPAWN_JOIN_THREADS = 20_000;
    static final int SLEEPERS = 100_000;
    static final long SLEEP_MILLIS = 10;

    @Param({"mn", "jdk", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    private Peer.Pool pool;
    private Thread.Builder.OfVirtual vt;

    @Setup(Level.Trial)
    public void open() {
        pool = Peer.of(peer).open(Peer.workers(workers));
        vt = pool.virtualThreadBuilder();
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    @Benchmark
    public void yield_many() throws InterruptedException {
        Workloads.yieldMany(vt, YIELD_THREADS, YIELDS);
    }

    @Benchmark
    public void ping_pong() throws InterruptedException {
        Workloads.pingPong(vt, PING_PONG_ROUNDS);
    }

    @Benchmark
    public void ping_pong_rendezvous() throws InterruptedException {
        Workloads.pingPongRendezvous(vt, PING_PONG_ROUNDS);
    }

    @Benchmark
    public long skynet_threads() throws InterruptedException {
        return ExecutorBenchmarks.check(Workloads.skynetThreads(vt, ExecutorBenchmarks.SKYNET_LEAVES, 10),
                Workloads.skynetExpected(ExecutorBenchmarks.SKYNET_LEAVES));
    }

    @Benchmark
    public void virtual_spawn_join() throws InterruptedException {
        Workloads.spawnJoin(vt, SPAWN_JOIN_THREADS);
    }

    @Benchmark
    public void sleep_many() throws InterruptedException {
        Workloads.sleepMany(vt, SLEEPERS, SLEEP_MILLIS);
    }
}
