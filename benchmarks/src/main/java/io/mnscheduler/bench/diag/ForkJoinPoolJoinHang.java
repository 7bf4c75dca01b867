package io.mnscheduler.bench.diag;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reproduces the hang of {@code ForkJoinPool(2)} (JDK 25.0.3, both modes) on fib(16) by
 * {@code CompletableFuture.supplyAsync(...).join()}, the workload of {@code completable_join}: runs
 * it up to 50 times and reports the first run that has not finished after 10 s, with the pool's
 * state ({@code tasks = 0} while a worker waits in {@code join}; take a {@code jstack} then to see it
 * parked in {@code compensatedBlock}).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.ForkJoinPoolJoinHang [async]
 * </pre>
 */
public final class ForkJoinPoolJoinHang {
    private ForkJoinPoolJoinHang() {
    }

    static long cfib(Executor ex, int n) {
        if (n < 2) {
            return n;
        }
        CompletableFuture<Long> left = CompletableFuture.supplyAsync(() -> cfib(ex, n - 1), ex);
        long right = cfib(ex, n - 2);
        return left.join() + right;
    }

    /** Runs the rounds; the argument {@code async} selects asyncMode. */
    public static void main(String[] args) throws Exception {
        boolean async = args.length > 0 && args[0].equals("async");
        ForkJoinPool pool = new ForkJoinPool(2, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, async);
        for (int i = 0; i < 50; i++) {
            long start = System.nanoTime();
            CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> cfib(pool, 16), pool);
            try {
                run.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                System.out.println("run " + i + " has not finished after 10 s: " + pool);
                System.exit(1);
            }
            System.out.printf("run %d: %.2f ms%n", i, (System.nanoTime() - start) / 1e6);
        }
        System.out.println("no hang in 50 runs");
        System.exit(0);
    }
}
