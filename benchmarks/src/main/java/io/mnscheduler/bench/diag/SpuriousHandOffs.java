package io.mnscheduler.bench.diag;

import io.mnscheduler.SchedulerStats;
import io.mnscheduler.WorkStealingScheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hand-offs of tasks that only compute for microseconds, while other processes load the machine:
 * each should be zero, since no task here blocks or runs for a tick; a hand-off is the monitor
 * mistaking a thread the OS does not run for one that runs too long. Starts {@code LOAD} busy
 * processes ({@code sh -c 'while :; do :; done'}), then, on a 2-worker scheduler, runs rounds of
 * 10,000 local spawns and a 1,000-task chain for the given seconds, and prints the counters. Uses
 * only the public API, so the same file runs against an older build:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.SpuriousHandOffs 20 4
 * java -cp OLD/scheduler-core.jar:agrona.jar benchmarks/src/main/java/io/mnscheduler/bench/diag/SpuriousHandOffs.java 20 4
 * </pre>
 *
 * Arguments: seconds of work, and the number of busy processes (0: an unloaded run).
 */
public final class SpuriousHandOffs {
    private SpuriousHandOffs() {
    }

    /** Runs the load and the workload; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("arguments: SECONDS LOAD_PROCESSES");
        }
        long seconds = Long.parseLong(args[0]);
        int load = Integer.parseInt(args[1]);
        List<Process> busy = new ArrayList<>();
        try {
            for (int i = 0; i < load; i++) {
                busy.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
            }
            // A trivial program first: one scheduler, one task, closed.
            long startUp;
            try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build()) {
                s.submit(() -> { }).get(60, TimeUnit.SECONDS);
                startUp = s.stats().handOffs();
            }
            try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build()) {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                long rounds = 0;
                while (System.nanoTime() < end) {
                    spawnManyLocal(s, 10_000);
                    chain(s, 1_000);
                    rounds++;
                }
                SchedulerStats st = s.stats();
                System.out.printf("load %d processes, %d s, %d rounds (%,d tasks): handOffs %d, preemptionRequests %d, "
                                + "handOffsDeclined %s; trivial program: handOffs %d%n",
                        load, seconds, rounds, st.tasksExecuted(), st.handOffs(), st.preemptionRequests(),
                        declined(st), startUp);
            }
        } finally {
            busy.forEach(Process::destroyForcibly);
        }
    }

    private static String declined(SchedulerStats st) {
        try { // absent from builds before the counter existed
            return String.valueOf(SchedulerStats.class.getMethod("handOffsDeclined").invoke(st));
        } catch (ReflectiveOperationException e) {
            return "n/a";
        }
    }

    private static void spawnManyLocal(WorkStealingScheduler s, int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger left = new AtomicInteger(n);
        Runnable leaf = () -> {
            if (left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        s.execute(() -> {
            for (int i = 0; i < n; i++) {
                s.execute(leaf);
            }
        });
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("spawn_many_local did not finish in 120 s");
        }
    }

    private static void chain(WorkStealingScheduler s, int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        s.execute(new Runnable() {
            private int left = n;

            @Override
            public void run() {
                if (--left == 0) {
                    done.countDown();
                } else {
                    s.execute(this);
                }
            }
        });
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("chain did not finish in 120 s");
        }
    }
}
