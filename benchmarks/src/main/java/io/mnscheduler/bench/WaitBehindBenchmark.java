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

import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * wait_behind: a task waits for a latch that a task it submitted, queued behind it, releases; one
 * operation is one such pair. Run at 1 and 2 workers whatever the suite's worker count, since the
 * question is whether a pool of one worker survives it: ForkJoinPool(1) deadlocks (recorded after
 * {@value #DEADLOCK_SECONDS} s), mn-scheduler hands the waiter's processor to a spare.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class WaitBehindBenchmark {
    static final long DEADLOCK_SECONDS = 10;

    @Param({"mn", "mn-vt", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool (this benchmark's own parameter: the suite's {@code workers} does not apply). */
    @Param({"1", "2"})
    public int parallelism;

    private Peer.Pool pool;
    private Executor ex;

    @Setup(Level.Trial)
    public void open() {
        pool = Peer.of(peer).open(parallelism);
        ex = pool.executor();
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.close();
    }

    @Benchmark
    public void wait_behind() throws InterruptedException {
        try {
            JoinWorkloads.waitBehind(ex, DEADLOCK_SECONDS);
        } catch (JoinWorkloads.Deadlocked e) {
            SideResults.write("wait_behind", peer, parallelism, Map.of("deadlockedSeconds", DEADLOCK_SECONDS));
            throw e;
        }
    }
}
