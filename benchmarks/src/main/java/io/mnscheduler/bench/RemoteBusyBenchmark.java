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
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Tokio's spawn_many_remote_busy: an outside thread submits 10,000 empty tasks and waits for them,
 * while one background task per worker keeps every worker busy (each run yields the thread, spins
 * 10 µs and submits itself again). A pool that runs its workers' own tasks first and never gets to
 * the outside ones (ForkJoinPool does: a worker drains its local queue before it looks outside)
 * is recorded as starved.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class RemoteBusyBenchmark {
    static final long BACKGROUND_SPIN_NANOS = 10_000;
    /** A pool that has not run the outside tasks after this long is starving them (mn-scheduler takes milliseconds). */
    static final long STARVED_AFTER_SECONDS = 10;

    @Param({"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    private Peer.Pool pool;
    private Executor ex;
    private volatile boolean busy; // written by the benchmark thread, read by every background run

    @Setup(Level.Trial)
    public void open() {
        int n = Peer.workers(workers);
        pool = Peer.of(peer).open(n);
        ex = pool.executor();
        busy = true;
        for (int i = 0; i < n; i++) {
            ex.execute(new Background());
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        busy = false;
        pool.close();
    }

    @Benchmark
    public void spawn_many_remote_busy() throws InterruptedException {
        if (!Workloads.spawnManyRemote(ex, ExecutorBenchmarks.SPAWN_TASKS, STARVED_AFTER_SECONDS)) {
            // Not a lost task but a starved one: the pool keeps running its workers' own tasks and
            // never gets to the outside ones. Recorded so the report can say so, then the trial ends.
            SideResults.write("spawn_many_remote_busy", peer, Peer.workers(workers),
                    Map.of("starved", true, "waitedSeconds", STARVED_AFTER_SECONDS));
            throw new IllegalStateException(peer + " starved: 10,000 outside tasks were not all run within "
                    + STARVED_AFTER_SECONDS + " s while its workers were busy");
        }
    }

    private final class Background implements Runnable {
        @Override
        public void run() {
            if (!busy) {
                return;
            }
            Thread.yield();
            Workloads.spin(BACKGROUND_SPIN_NANOS);
            try {
                ex.execute(this);
            } catch (RejectedExecutionException e) {
                // the trial is over and the pool shut down: the background work ends here
            }
        }
    }
}
