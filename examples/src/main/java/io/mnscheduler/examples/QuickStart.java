package io.mnscheduler.examples;

import io.mnscheduler.SchedulerStats;
import io.mnscheduler.WorkStealingScheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;

/**
 * The quick start: submits work from outside and from inside the workers, waits for it, and prints
 * the scheduler's counters.
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) throws Exception {
        try (var scheduler = WorkStealingScheduler.builder().threadNamePrefix("quickstart-").build()) {
            // Outside submissions go through the global queue.
            List<Future<Long>> sums = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                long from = i * 1_000L;
                sums.add(scheduler.submit(() -> {
                    long s = 0;
                    for (long k = from; k < from + 1_000; k++) {
                        s += k;
                    }
                    return s;
                }));
            }
            long total = 0;
            for (Future<Long> f : sums) {
                total += f.get();
            }
            System.out.println("sum of 0..99999 = " + total);

            // Tasks that spawn tasks stay on their worker's processor, and idle workers steal them.
            int fanOut = 100_000;
            CountDownLatch done = new CountDownLatch(fanOut);
            LongAdder ran = new LongAdder();
            scheduler.execute(() -> {
                for (int i = 0; i < fanOut; i++) {
                    scheduler.execute(() -> {
                        ran.increment();
                        done.countDown();
                    });
                }
            });
            done.await();
            System.out.println("spawned from a worker and ran: " + ran.sum());

            SchedulerStats stats = scheduler.stats();
            System.out.println("parallelism " + scheduler.parallelism());
            System.out.printf("executed %d, stolen %d in %d steals, overflows %d, global polls %d, runnext hits %d, parks %d, unparks %d%n",
                    stats.tasksExecuted(), stats.tasksStolen(), stats.stealOperations(), stats.overflows(),
                    stats.globalPolls(), stats.runnextHits(), stats.parks(), stats.unparks());
            for (SchedulerStats.ProcessorStats p : stats.processors()) {
                System.out.println("  " + p);
            }
        }
    }
}
