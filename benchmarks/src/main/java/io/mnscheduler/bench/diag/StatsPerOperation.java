package io.mnscheduler.bench.diag;

import io.mnscheduler.SchedulerStats;
import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.bench.JoinWorkloads;
import io.mnscheduler.bench.Workloads;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One workload on a 2-worker scheduler in 1-second phases, printing per operation what
 * {@code stats()} counted: the time, parks and wake-ups, steals, hand-offs, and the peak of worker
 * threads. It shows how a figure comes about, where JMH only gives the rate: a chain that parks the
 * idle worker on every link, or joins that start spares.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.StatsPerOperation chain
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.StatsPerOperation blocking_join
 * java -Dcapacity=256 -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.StatsPerOperation local 12
 * </pre>
 *
 * Arguments: the workload ({@code chain}: a 1,000-task chain from outside; {@code local}: 10,000
 * spawns from one task, as {@code spawn_many_local}, also printing the spawning task's time for its
 * loop and the tasks per steal; {@code fib}: fib(30) by future composition;
 * {@code blocking_join}: fib(26) with {@code submit().get()} in every call) and, optionally, the
 * number of phases (default 4). {@code -Dcapacity=N} sets the local queue capacity (default: the
 * builder's).
 */
public final class StatsPerOperation {
    private StatsPerOperation() {
    }

    /** Runs the phases; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2 || !List.of("chain", "local", "fib", "blocking_join").contains(args[0])) {
            throw new IllegalArgumentException("arguments: chain|local|fib|blocking_join [PHASES]");
        }
        String workload = args[0];
        int phases = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        if (phases < 1) {
            throw new IllegalArgumentException("phases = " + phases + "; allowed: 1 or more");
        }
        WorkStealingScheduler.Builder builder = WorkStealingScheduler.builder().parallelism(2).schedulingLatencySampling(0);
        Integer capacity = Integer.getInteger("capacity");
        if (capacity != null) {
            builder.localQueueCapacity(capacity);
        }
        try (WorkStealingScheduler s = builder.build()) {
            for (int phase = 0; phase < phases; phase++) {
                SchedulerStats before = s.stats();
                long start = System.nanoTime();
                long spawnerNanos = 0L;
                int ops = 0;
                do {
                    switch (workload) {
                        case "chain" -> Workloads.chainedSpawn(s, 1_000);
                        case "local" -> spawnerNanos += spawnManyLocalTimed(s, 10_000);
                        case "fib" -> Workloads.fib(s, 30);
                        default -> JoinWorkloads.fibSubmit(s, 26, 120);
                    }
                    ops++;
                } while (System.nanoTime() - start < 1_000_000_000L);
                double micros = (System.nanoTime() - start) / 1e3 / ops;
                SchedulerStats after = s.stats();
                System.out.printf(Locale.ROOT, "%s phase %d: %.1f µs per operation; per operation: %.2f parks, %.2f wake-ups,"
                                + " %.2f tasks stolen, %.2f steals, %.2f overflows, %.2f global polls, %.2f hand-offs, %.0f tasks;"
                                + " peak worker threads %d%n",
                        workload, phase, micros, (after.parks() - before.parks()) / (double) ops,
                        (after.unparks() - before.unparks()) / (double) ops,
                        (after.tasksStolen() - before.tasksStolen()) / (double) ops,
                        (after.stealOperations() - before.stealOperations()) / (double) ops,
                        (after.overflows() - before.overflows()) / (double) ops,
                        (after.globalPolls() - before.globalPolls()) / (double) ops,
                        (after.handOffs() - before.handOffs()) / (double) ops,
                        (after.tasksExecuted() - before.tasksExecuted()) / (double) ops, after.peakWorkerThreads());
                if (workload.equals("local")) {
                    long steals = after.stealOperations() - before.stealOperations();
                    System.out.printf(Locale.ROOT, "local phase %d: the spawning task's loop %.1f µs per operation; %.1f tasks per steal%n",
                            phase, spawnerNanos / 1e3 / ops,
                            steals == 0 ? 0.0 : (after.tasksStolen() - before.tasksStolen()) / (double) steals);
                }
            }
        }
    }

    /**
     * {@link Workloads#spawnManyLocal}, also timing the spawning task's loop of {@code n} submissions;
     * returns that time in nanoseconds, once every task has run.
     */
    private static long spawnManyLocalTimed(Executor ex, int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(2); // the last task, and the spawner once it has recorded its time
        AtomicInteger left = new AtomicInteger(n);
        long[] loop = new long[1]; // written before the spawner's countDown, read after await: ordered by the latch
        Runnable leaf = () -> {
            if (left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        ex.execute(() -> {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                ex.execute(leaf);
            }
            loop[0] = System.nanoTime() - start;
            done.countDown();
        });
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("spawn_many_local did not finish within 60 s: a task was lost");
        }
        return loop[0];
    }
}
