package io.mnscheduler.micrometer;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mnscheduler.SchedulerStats;
import io.mnscheduler.WorkStealingScheduler;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meters read what {@code stats()} reads, and move with it. */
class WorkStealingSchedulerMetricsTest {

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    private static double value(SimpleMeterRegistry r, String name) {
        var search = r.find(name).tag("name", "metered");
        if (search.gauge() != null) {
            return search.gauge().value();
        }
        assertNotNull(search.functionCounter(), name);
        return search.functionCounter().count();
    }

    @Test
    void metersMoveAsTheStatsDo() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).name("metered")
                .schedulingLatencySampling(1).maxWorkers(3).preemptionTick(Duration.ofMillis(1)).build()) {
            WorkStealingSchedulerMetrics.monitor(registry, s, "metered", Tag.of("app", "test"));
            assertEquals(2.0, value(registry, "executor.parallelism"));
            assertEquals(0.0, value(registry, "executor.completed"));
            for (String name : new String[]{"executor.steals", "executor.queued", "executor.active", "executor.running",
                    "executor.pool.size", "executor.handoffs", "executor.handoffs.delayed", "executor.handoffs.declined", "executor.preemptions",
                    "executor.busy", "executor.delayed", "executor.virtual.threads"}) {
                assertNotNull(registry.find(name).tags("name", "metered", "app", "test").meter(), name);
            }

            CountDownLatch done = new CountDownLatch(1_000);
            for (int i = 0; i < 1_000; i++) {
                s.execute(done::countDown);
            }
            assertTrue(done.await(60, TimeUnit.SECONDS));
            await(() -> value(registry, "executor.completed") >= 1_000, "completed reaches 1,000");
            SchedulerStats stats = s.stats();
            assertEquals(stats.tasksStolen(), value(registry, "executor.steals"));
            assertTrue(value(registry, "executor.busy") > 0);
            FunctionTimer latency = registry.find("executor.scheduling.latency").tag("name", "metered").functionTimer();
            assertNotNull(latency);
            assertEquals(1_000.0, latency.count());
            assertTrue(latency.totalTime(TimeUnit.NANOSECONDS) > 0);
            double p99 = registry.find("executor.scheduling.latency.percentile").tags("name", "metered", "phi", "0.99")
                    .timeGauge().value(TimeUnit.NANOSECONDS);
            assertEquals(stats.schedulingLatency().valueAtQuantile(0.99).toNanos(), p99, 1.0); // through seconds and back

            // Both workers blocked, tasks queued behind them: queued, running and a hand-off show it.
            CountDownLatch release = new CountDownLatch(1), blocked = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                s.execute(() -> {
                    blocked.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(blocked.await(60, TimeUnit.SECONDS));
            assertEquals(2.0, value(registry, "executor.running"));
            assertTrue(value(registry, "executor.active") >= 2.0);
            CountDownLatch behind = new CountDownLatch(5);
            for (int i = 0; i < 5; i++) {
                s.execute(behind::countDown);
            }
            await(() -> value(registry, "executor.handoffs") >= 1, "a hand-off to the one spare the cap allows");
            assertTrue(behind.await(60, TimeUnit.SECONDS));
            assertEquals(3.0, value(registry, "executor.pool.size"), "two blocked workers and a spare");
            release.countDown();
        }
    }

    @Test
    void queuedCountsTasksWaitingBehindABlockedWorker() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).name("metered").maxWorkers(1)
                .build()) {
            new WorkStealingSchedulerMetrics(s).bindTo(registry);
            CountDownLatch release = new CountDownLatch(1), started = new CountDownLatch(1);
            s.execute(() -> {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(started.await(60, TimeUnit.SECONDS));
            for (int i = 0; i < 10; i++) {
                s.execute(() -> { });
            }
            assertEquals(10.0, value(registry, "executor.queued"));
            await(() -> value(registry, "executor.handoffs.delayed") >= 1, "the cap (one worker) holds the hand-off off");
            release.countDown();
            await(() -> value(registry, "executor.queued") == 0.0, "the queue drains");
        }
    }

    @Test
    void argumentsAreChecked() {
        assertThrows(NullPointerException.class, () -> new WorkStealingSchedulerMetrics(null));
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).registerMXBean(false).build()) {
            assertThrows(NullPointerException.class, () -> new WorkStealingSchedulerMetrics(s, null, java.util.List.of()));
        }
    }
}
