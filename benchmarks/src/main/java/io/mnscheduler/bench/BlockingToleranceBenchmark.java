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

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Blocking tolerance: throughput of short tasks (about 1 µs of CPU each, 10,000 per operation) while
 * one task blocks one of the n workers for the whole trial, without announcing it (no
 * {@code ManagedBlocker}, no {@code WorkStealingScheduler.blocking}), as a JDBC call or a file read
 * would. A scheduler that hands the blocked worker's processor to a spare keeps n workers' worth of
 * throughput; one that does not keeps n - 1.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class BlockingToleranceBenchmark {
    static final int TASKS = 10_000;
    static final long TASK_NANOS = 1_000;

    @Param({"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    private Peer.Pool pool;
    private Executor ex;
    private volatile boolean blocked; // written by the benchmark thread, read by the blocker

    @Setup(Level.Trial)
    public void open() throws InterruptedException {
        pool = Peer.of(peer).open(Peer.workers(workers));
        ex = pool.executor();
        blocked = true;
        CountDownLatch started = new CountDownLatch(1);
        ex.execute(() -> {
            started.countDown();
            while (blocked) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            }
        });
        if (!started.await(Workloads.STALL_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the blocking task never started");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        blocked = false;
        pool.close();
    }

    @Benchmark
    public void blocking_tolerance() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger left = new AtomicInteger(TASKS);
        Runnable task = () -> {
            Workloads.spin(TASK_NANOS);
            if (left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        for (int i = 0; i < TASKS; i++) {
            ex.execute(task);
        }
        if (!done.await(Workloads.STALL_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("blocking_tolerance did not finish within " + Workloads.STALL_SECONDS + " s");
        }
    }
}
