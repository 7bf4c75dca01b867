package io.mnscheduler;

import io.mnscheduler.internal.jfr.ThreadStates;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.mnscheduler.ObservabilityTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A task that waits (parked in Java, or asleep in a system call) while work waits behind it loses
 * its processor without the tick's delay: each test sets a one-hour tick, so only the monitor's
 * look at the waiting thread can let the queued task run before the test's timeout. A computing
 * task keeps its processor for its ticks. At the worker cap, a stall is logged once.
 */
class WaitingTaskTest {
    private static final Duration HOUR = Duration.ofHours(1);

    @Test
    void aTaskParkedInJavaIsHandedOffWithoutWaitingForTicks() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).preemptionTick(HOUR).build()) {
            CountDownLatch latch = new CountDownLatch(1), started = new CountDownLatch(1);
            Future<?> waiter = s.submit(() -> {
                started.countDown();
                latch.await();
                return null;
            });
            assertTrue(started.await(60, TimeUnit.SECONDS));
            s.execute(latch::countDown); // queued behind the waiter: runs only on a spare
            waiter.get(60, TimeUnit.SECONDS);
            assertTrue(s.stats().handOffs() >= 1);
        }
    }

    @Test
    void aTaskAsleepInASystemCallIsHandedOffWithoutWaitingForTicks() throws Exception {
        assumeTrue(ThreadStates.currentTid() != ThreadStates.NO_TID, "needs /proc/thread-self (Linux)");
        Pipe pipe = Pipe.open();
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).preemptionTick(HOUR).build()) {
            CountDownLatch started = new CountDownLatch(1);
            Future<Integer> reader = s.submit(() -> {
                started.countDown();
                return pipe.source().read(ByteBuffer.allocate(1)); // RUNNABLE to Java, asleep in read(2)
            });
            assertTrue(started.await(60, TimeUnit.SECONDS));
            s.execute(() -> {
                try {
                    pipe.sink().write(ByteBuffer.wrap(new byte[]{42}));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertEquals(1, reader.get(60, TimeUnit.SECONDS));
            assertTrue(s.stats().handOffs() >= 1);
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    void aComputingTaskKeepsItsProcessorForItsTicks() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).preemptionTick(HOUR).build()) {
            CountDownLatch started = new CountDownLatch(1);
            Future<Double> spinner = s.submit(() -> {
                started.countDown();
                double x = 0;
                for (int i = 0; i < 50_000_000; i++) {
                    x += Math.sqrt(i);
                }
                return x;
            });
            assertTrue(started.await(60, TimeUnit.SECONDS));
            Future<?> behind = s.submit(() -> { });
            spinner.get(120, TimeUnit.SECONDS);
            behind.get(60, TimeUnit.SECONDS);
            assertEquals(0, s.stats().handOffs(), "running, not waiting: only the (hour-long) ticks hand it off");
        }
    }

    private static long cfib(WorkStealingScheduler s, int n) {
        if (n < 2) {
            return n;
        }
        CompletableFuture<Long> left = CompletableFuture.supplyAsync(() -> cfib(s, n - 1), s);
        long right = cfib(s, n - 2);
        return left.join() + right;
    }

    @Test
    void completableFutureJoinsInsideTasksFinish() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).preemptionTick(HOUR).build()) {
            assertEquals(610L, s.submit(() -> cfib(s, 15)).get(120, TimeUnit.SECONDS));
        }
    }

    @Test
    void everyTaskWaitingAtTheCapIsLoggedOnceAndTheProgramFinishes() throws Exception {
        List<LogRecord> warnings = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("io.mnscheduler.internal.Scheduler");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel() == Level.WARNING && r.getMessage().contains("every processor's task")) {
                    warnings.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).maxWorkers(1).name("stalled")
                .build()) {
            CountDownLatch latch = new CountDownLatch(1), started = new CountDownLatch(1);
            Future<?> waiter = s.submit(() -> {
                started.countDown();
                latch.await();
                return null;
            });
            assertTrue(started.await(60, TimeUnit.SECONDS));
            Future<?> releaser = s.submit(latch::countDown); // would release it, but cannot run: the cap
            await(() -> s.stats().capStalls() == 1 && warnings.size() == 1, "the stall is logged");
            String message = warnings.get(0).getMessage();
            assertTrue(message.contains("maxWorkers (1)") && message.contains("processor 0")
                    && message.contains("CountDownLatch.await"), message);
            long delayed = s.stats().handOffsDelayed();
            await(() -> s.stats().handOffsDelayed() >= delayed + 20, "twenty more looks at the same stall");
            assertEquals(1, warnings.size(), "logged again only when the situation changes");
            assertEquals(1, s.stats().capStalls());
            latch.countDown(); // from outside: the program goes on
            waiter.get(60, TimeUnit.SECONDS);
            releaser.get(60, TimeUnit.SECONDS);
        } finally {
            logger.removeHandler(handler);
        }
    }
}
