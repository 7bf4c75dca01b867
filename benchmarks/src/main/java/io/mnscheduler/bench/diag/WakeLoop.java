package io.mnscheduler.bench.diag;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.bench.Workloads;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * Submit-to-start latency: the pool idles for 1 ms, one task is submitted from outside, and the
 * submitter spins until the task has recorded its start. Prints p50, p90, p99 and p99.9 per round
 * and, on Linux, how long the pool's workers waited on a run queue and ran, per wake-up (the
 * kernel's schedstat): a tail the pool's own code does not account for shows there.
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

    /**
     * The kernel's counts for the pool's worker threads, summed: nanoseconds on a CPU and waiting on
     * a run queue ({@code /proc/self/task/TID/schedstat}, Linux only), or null where they cannot be
     * read. Threads are told by their name as the kernel keeps it (15 characters): mn-scheduler's
     * workers {@code mn-N-worker-P} (not its monitor), ForkJoinPool's {@code ForkJoinPool-N-...}.
     */
    private static long[] schedstat(String pool) {
        Pattern workers = Pattern.compile(pool.equals("mn") ? "mn-\\d+-worker-\\d+" : "ForkJoinPool-.*");
        long[] sum = new long[2];
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                if (!workers.matcher(Files.readString(task.resolve("comm")).trim()).matches()) {
                    continue;
                }
                String[] fields = Files.readString(task.resolve("schedstat")).trim().split(" ");
                sum[0] += Long.parseLong(fields[0]);
                sum[1] += Long.parseLong(fields[1]);
            }
        } catch (IOException | RuntimeException e) { // no /proc, or a thread gone between the listing and the read
            return null;
        }
        return sum;
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
                long[] before = schedstat(args[0]);
                long[] latency = new long[n];
                for (int i = 0; i < n; i++) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    latency[i] = Workloads.submitToStart(pool);
                }
                Arrays.sort(latency);
                System.out.printf("%s round %d%s: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f µs%n", args[0], round,
                        round == 0 ? " (warm-up)" : "", latency[n / 2] / 1e3, latency[n * 9 / 10] / 1e3,
                        latency[n * 99 / 100] / 1e3, latency[n * 999 / 1000] / 1e3);
                long[] after = schedstat(args[0]);
                if (before != null && after != null) {
                    System.out.printf("  the pool's worker threads, per wake-up: %.1f µs waiting on a run queue, %.1f µs on a CPU%n",
                            (after[1] - before[1]) / 1e3 / n, (after[0] - before[0]) / 1e3 / n);
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
