package io.mnscheduler.bench.diag;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.bench.SameJvm;
import io.mnscheduler.bench.Workloads;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * mn-scheduler and {@code ForkJoinPool} take turns at one workload in 1-second rounds in one JVM, so
 * that both see the same JIT and machine state; prints each pool's median over the rounds after
 * the first three, and mn-scheduler's ratio to it.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar -Dworkers=1 io.mnscheduler.bench.diag.AlternatingRounds fib 15
 * java -cp benchmarks/target/benchmarks.jar -Dworkers=2 io.mnscheduler.bench.diag.AlternatingRounds skynet 15
 * </pre>
 *
 * Arguments: the workload ({@code fib}: fib(30) by future composition; {@code skynet}: skynet with
 * futures, 1,000,000 leaves) and the number of rounds. {@code -Dworkers=N} sizes both pools (default 2).
 */
public final class AlternatingRounds {
    private static final int WARM_UP_ROUNDS = 3;

    private AlternatingRounds() {
    }

    /** Runs the rounds; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("fib") || args[0].equals("skynet"))) {
            throw new IllegalArgumentException("arguments: fib|skynet ROUNDS; got " + Arrays.toString(args));
        }
        boolean fib = args[0].equals("fib");
        int rounds = Integer.parseInt(args[1]);
        if (rounds <= WARM_UP_ROUNDS) {
            throw new IllegalArgumentException("rounds = " + rounds + "; allowed: more than " + WARM_UP_ROUNDS);
        }
        int workers = Integer.getInteger("workers", 2);
        ExecutorService mn = WorkStealingScheduler.builder().parallelism(workers).build();
        ExecutorService fjp = new ForkJoinPool(workers);
        List<Double> mnRates = new ArrayList<>();
        List<Double> fjpRates = new ArrayList<>();
        try {
            for (int round = 0; round < rounds; round++) {
                double mnRate = opsPerSecond(mn, fib);
                double fjpRate = opsPerSecond(fjp, fib);
                System.out.printf("round %d: mn-scheduler %.2f ops/s, ForkJoinPool %.2f ops/s%n", round, mnRate, fjpRate);
                if (round >= WARM_UP_ROUNDS) {
                    mnRates.add(mnRate);
                    fjpRates.add(fjpRate);
                }
            }
        } finally {
            mn.shutdown();
            fjp.shutdown();
        }
        double m = SameJvm.median(mnRates);
        double f = SameJvm.median(fjpRates);
        System.out.printf("%s, %d workers, medians of %d rounds: mn-scheduler %.2f, ForkJoinPool %.2f ops/s: %.2fx (%s)%n",
                args[0], workers, mnRates.size(), m, f, m / f, ManagementFactory.getRuntimeMXBean().getVmVersion());
    }

    private static double opsPerSecond(ExecutorService pool, boolean fib) throws Exception {
        long start = System.nanoTime();
        int ops = 0;
        while (System.nanoTime() - start < 1_000_000_000L) {
            if (fib) {
                check(Workloads.fib(pool, 30), Workloads.fibExpected(30));
            } else {
                check(Workloads.skynetFutures(pool, 1_000_000, 10), Workloads.skynetExpected(1_000_000));
            }
            ops++;
        }
        return ops / ((System.nanoTime() - start) / 1e9);
    }

    private static void check(long got, long expected) {
        if (got != expected) {
            throw new IllegalStateException("wrong result: " + got + ", expected " + expected);
        }
    }

}
