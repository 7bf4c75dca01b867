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
 * spawn_many_remote with 1, 4 and 16 outside producer threads submitting 16,000 empty tasks
 * between them, on an idle pool: whether the cost of an outside submission grows with the number
 * of threads submitting at once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class RemoteProducersBenchmark {
    static final int TASKS = 16_000;

    @Param({"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    /** Outside threads submitting at once. */
    @Param({"1", "4", "16"})
    public int producers;

    private Peer.Pool pool;
    private Executor ex;
    private RemoteProducers threads;

    @Setup(Level.Trial)
    public void open() {
        pool = Peer.of(peer).open(Peer.workers(workers));
        ex = pool.executor();
        threads = new RemoteProducers(producers);
    }

    @TearDown(Level.Trial)
    public void close() {
        threads.close();
        pool.close();
    }

    @Benchmark
    public void spawn_many_remote() throws InterruptedException {
        Workloads.spawnManyRemote(threads, ex, TASKS);
    }
}
