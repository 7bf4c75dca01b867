package io.mnscheduler.bench.diag;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.bench.Workloads;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Submit-to-start latency: the pool idles for 1 ms, one task is submitted from outside, and the
 * submitter spins until the task has recorded its start. Prints p50, p90, p99 and p99.9 per round.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.WakeLoop mn 5000 7
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.WakeLoop fjp 5000 7
 * </pre>
 *
 * Arguments: the pool ({@code mn} or {@code fjp}), wake-ups per round, rounds (the first warms up).
 * {@code -Dworkers=N} sizes the pool (default 2); {@code -Dtick=MS} sets mn-scheduler's preemption
 * tick (default 10).
 */
public final class WakeLoop {
    private WakeLoop() {
    }

    /** Runs the loop; see the class comment for the arguments. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3 || !(args[0].equals("mn") || args[0].equals("fjp"))) {
            throw new IllegalArgumentException("arguments: mn|fjp WAKEUPS ROUNDS; got " + Arrays.toString(args));
        }
        int n = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int workers = Integer.getInteger("workers", 2);
        ExecutorService pool = args[0].equals("mn")
                ? WorkStealingScheduler.builder().parallelism(workers)
                        .preemptionTick(java.time.Duration.ofMillis(Long.getLong("tick", 10))).build()
                : new ForkJoinPool(workers);
        try {
            for (int round = 0; round < rounds; round++) {
                long[] latency = new long[n];
                for (int i = 0; i < n; i++) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    latency[i] = Workloads.submitToStart(pool);
                }
                Arrays.sort(latency);
                System.out.printf("%s round %d%s: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f µs%n", args[0], round,
                        round == 0 ? " (warm-up)" : "", latency[n / 2] / 1e3, latency[n * 9 / 10] / 1e3,
                        latency[n * 99 / 100] / 1e3, latency[n * 999 / 1000] / 1e3);
            }
        } finally {
            pool.shutdown();
        }
    }
}
