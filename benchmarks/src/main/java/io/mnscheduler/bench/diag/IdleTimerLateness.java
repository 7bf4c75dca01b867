package io.mnscheduler.bench.diag;

import io.mnscheduler.WorkStealingScheduler;

import java.util.Arrays;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Timer precision on an idle pool: 3,000 one-shot 1 ms timers, one at a time with 2 ms of idleness
 * between them, on mn-scheduler, {@code ForkJoinPool(2)} and {@code ScheduledThreadPoolExecutor(2)},
 * after the overshoot of a plain {@code LockSupport.parkNanos(1 ms)}, the floor the OS sets. Prints
 * each pool's lateness (start of the task minus its deadline) over the last 1,500 (before them the JIT has
 * not yet compiled the path from a timed-out park to the task, which added about 40 µs).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.IdleTimerLateness
 * </pre>
 */
public final class IdleTimerLateness {
    private static final int TIMERS = 3000;
    private static final int WARM_UP = 1500; // the path from a timed-out park to the task is compiled by then

    private IdleTimerLateness() {
    }

    public static void main(String[] args) throws Exception {
        long[] overshoot = new long[300];
        for (int i = 0; i < overshoot.length; i++) {
            long t = System.nanoTime();
            LockSupport.parkNanos(1_000_000);
            overshoot[i] = System.nanoTime() - t - 1_000_000;
        }
        Arrays.sort(overshoot);
        System.out.printf("parkNanos(1 ms) overshoot: p50 %d us, p90 %d us%n",
                overshoot[overshoot.length / 2] / 1000, overshoot[overshoot.length * 9 / 10] / 1000);
        System.out.println(run("mn-scheduler", WorkStealingScheduler.builder().parallelism(2).build()));
        System.out.println(run("ForkJoinPool", new ForkJoinPool(2)));
        System.out.println(run("STPE", new ScheduledThreadPoolExecutor(2)));
    }

    private static String run(String name, ScheduledExecutorService pool) throws Exception {
        long[] late = new long[TIMERS];
        for (int i = 0; i < late.length; i++) {
            long deadline = System.nanoTime() + 1_000_000;
            long ran = pool.schedule(System::nanoTime, 1, TimeUnit.MILLISECONDS).get();
            late[i] = ran - deadline;
            Thread.sleep(2);
        }
        pool.shutdownNow();
        long[] warm = Arrays.copyOfRange(late, WARM_UP, late.length);
        Arrays.sort(warm);
        return String.format("%-13s lateness p50 %4d us, p90 %4d us, max %5d us", name, warm[warm.length / 2] / 1000,
                warm[warm.length * 9 / 10] / 1000, warm[warm.length - 1] / 1000);
    }
}
