package io.mnscheduler.bench;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A fixed set of outside (platform) threads that submit tasks together, for spawn_many_remote with
 * several producers: started once, so an operation measures submission and not thread start-up.
 * Each {@link #run} releases every producer through one barrier; each submits its share, in order.
 */
public final class RemoteProducers implements AutoCloseable {
    private final Thread[] threads;
    private final CyclicBarrier start;
    private volatile Executor executor; // written before the start barrier, read after it (the barrier orders them)
    private volatile Runnable task;
    private volatile int perProducer;
    private volatile boolean closed;

    /** Starts {@code count} producer threads, idle until the first {@link #run}. */
    public RemoteProducers(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("producers = " + count + "; allowed: 1 or more");
        }
        threads = new Thread[count];
        start = new CyclicBarrier(count + 1);
        for (int i = 0; i < count; i++) {
            threads[i] = Thread.ofPlatform().daemon().name("producer-" + i).start(this::produce);
        }
    }

    private void produce() {
        try {
            while (true) {
                start.await();
                if (closed) {
                    return;
                }
                Executor ex = executor;
                Runnable t = task;
                for (int i = perProducer; i > 0; i--) {
                    ex.execute(t);
                }
            }
        } catch (InterruptedException | BrokenBarrierException e) {
            // closed
        }
    }

    /** Has the producers submit {@code n} copies of {@code task} to {@code ex} in all (n divisible by the count); returns once they started. */
    public void run(Executor ex, Runnable task, int n) throws InterruptedException {
        if (n % threads.length != 0) {
            throw new IllegalArgumentException("tasks = " + n + "; allowed: a multiple of the " + threads.length + " producers");
        }
        executor = ex;
        this.task = task;
        perProducer = n / threads.length;
        try {
            start.await(Workloads.STALL_SECONDS, TimeUnit.SECONDS);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new IllegalStateException("the producers did not start within " + Workloads.STALL_SECONDS + " s", e);
        }
    }

    /** Stops the producers. */
    @Override
    public void close() {
        closed = true;
        try {
            start.await(Workloads.STALL_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            for (Thread t : threads) {
                t.interrupt();
            }
        }
    }
}
