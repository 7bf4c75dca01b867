package io.mnscheduler;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** runnext, its bound, the fairness tick, wake-ups and the counters, observed through behaviour and stats. */
class SchedulingPolicyTest {
    private static final long WAIT_S = 30;

    @Test
    void aTaskSubmittedFromAWorkerRunsNextOnThatWorker() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            CountDownLatch done = new CountDownLatch(1);
            StringBuffer order = new StringBuffer();
            s.execute(() -> {
                s.execute(() -> order.append('q'));   // displaced from runnext into the queue
                s.execute(() -> {                     // runnext: runs first
                    order.append('n');
                    done.countDown();
                });
            });
            assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT_S, TimeUnit.SECONDS));
            assertEquals("nq", order.toString());
            assertTrue(s.stats().runnextHits() >= 1);
        }
    }

    @Test
    void aPingPongPairThroughRunnextDoesNotStarveTheQueue() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong hops = new AtomicLong();
            CountDownLatch thirdRan = new CountDownLatch(1);
            AtomicLong hopsWhenThirdRan = new AtomicLong();
            Runnable[] pingPong = new Runnable[1];
            pingPong[0] = () -> {
                hops.incrementAndGet();
                if (!stop.get()) {
                    s.execute(pingPong[0]);
                }
            };
            s.execute(() -> {
                s.execute(() -> {                         // queued first, then displaced by the pair
                    hopsWhenThirdRan.set(hops.get());
                    thirdRan.countDown();
                });
                s.execute(pingPong[0]);
            });
            assertTrue(thirdRan.await(WAIT_S, TimeUnit.SECONDS), "the queued task ran while the pair kept going");
            stop.set(true);
            assertTrue(hopsWhenThirdRan.get() <= 4, "served after at most 3 runnext runs, got " + hopsWhenThirdRan.get());
        }
    }

    @Test
    void theGlobalQueueIsServedWhileLocalWorkNeverEnds() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong localRuns = new AtomicLong();
            CountDownLatch started = new CountDownLatch(1);
            Runnable[] spinner = new Runnable[1];
            spinner[0] = () -> {
                localRuns.incrementAndGet();
                started.countDown();
                if (!stop.get()) {
                    s.execute(spinner[0]);      // always local work, forever
                    s.execute(() -> localRuns.incrementAndGet());
                }
            };
            s.execute(spinner[0]);
            assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
            CountDownLatch outsideRan = new CountDownLatch(1);
            s.execute(outsideRan::countDown);   // global queue
            assertTrue(outsideRan.await(WAIT_S, TimeUnit.SECONDS), "the 61st-tick poll served the global queue");
            stop.set(true);
            assertTrue(s.stats().globalPolls() >= 1);
        }
    }

    @Test
    void aTaskThatKeepsResubmittingItselfGoesBehindWaitingOutsideWork() throws Exception {
        // Tokio's spawn_many_remote_busy in miniature: one processor, a task that resubmits itself
        // forever, 1,000 outside tasks waiting. Once its runnext streak is spent the task moves
        // behind them in the global queue, and global batches keep their order in the local queue,
        // so it runs again only with the last batch (at most 128 tasks, each served after at most
        // 3 runnext runs). Serving the global queue one task per 61st tick would take ~61,000 runs.
        int outside = 1_000;
        // No hand-off for 10 s: the worker must stay held while the outside tasks are queued.
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).handOffTicks(1000).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong busyRuns = new AtomicLong();
            AtomicLong busyRunsAtLastOutside = new AtomicLong(-1);
            AtomicInteger outsideLeft = new AtomicInteger(outside);
            CountDownLatch outsideDone = new CountDownLatch(1);
            CountDownLatch queued = new CountDownLatch(1);
            Runnable[] busy = new Runnable[1];
            busy[0] = () -> {
                busyRuns.incrementAndGet();
                if (!stop.get()) {
                    s.execute(busy[0]);
                }
            };
            s.execute(() -> {
                s.execute(busy[0]); // into runnext, behind nothing
                try {
                    queued.await(); // hold the only worker until the outside tasks wait in the global queue
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < outside; i++) {
                s.execute(() -> {
                    if (outsideLeft.decrementAndGet() == 0) {
                        busyRunsAtLastOutside.set(busyRuns.get());
                        outsideDone.countDown();
                    }
                });
            }
            queued.countDown();
            assertTrue(outsideDone.await(WAIT_S, TimeUnit.SECONDS), "the outside tasks all ran");
            stop.set(true);
            long runs = busyRunsAtLastOutside.get();
            assertTrue(runs <= 3 + 4 * 128, "the busy task ran " + runs + " times before the outside work was done");
        }
    }

    @Test
    void noWakeUpIsLost() throws Exception {
        // Each round lets the workers park, then submits one task from outside: it must start.
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build()) {
            for (int round = 0; round < 2_000; round++) {
                CountDownLatch ran = new CountDownLatch(1);
                if (round % 2 == 0) {
                    s.execute(ran::countDown);
                } else {
                    s.execute(() -> s.execute(ran::countDown)); // a local submission whose worker goes idle
                }
                assertTrue(ran.await(WAIT_S, TimeUnit.SECONDS), "round " + round + " started");
            }
            assertTrue(s.stats().parks() > 0, "workers did park between rounds");
        }
    }

    @Test
    void idleWorkersStealFromABusyOne() throws Exception {
        // A queue big enough that nothing overflows: the children can only leave by being stolen.
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).localQueueCapacity(16_384).build()) {
            int n = 10_000;
            CountDownLatch done = new CountDownLatch(n);
            AtomicInteger onOtherWorker = new AtomicInteger();
            s.execute(() -> {
                Thread spawner = Thread.currentThread();
                for (int i = 0; i < n; i++) {
                    s.execute(() -> {
                        if (Thread.currentThread() != spawner) {
                            onOtherWorker.incrementAndGet();
                        }
                        done.countDown();
                    });
                }
                // Stay busy until the other worker has taken a child: only a steal can give it one.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
                while (System.nanoTime() < until && onOtherWorker.get() == 0) {
                    Thread.onSpinWait();
                }
            });
            assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
            SchedulerStats st = s.stats();
            assertTrue(onOtherWorker.get() > 0, "children ran elsewhere: " + st);
            assertTrue(st.tasksStolen() > 0 && st.stealOperations() > 0, st.toString());
            assertTrue(st.tasksStolen() >= st.stealOperations(), "a steal moves at least one task");
        }
    }

    @Test
    void aRunningTasksFewChildrenAreStolenAfterTheWait() throws Exception {
        // Three children of a task that then stays running: two in its queue, one in runnext. A
        // searcher leaves such a victim (running, a small queue) for last and waits before it steals;
        // it must still take all three, the runnext one on a last round. A tick of an hour keeps the
        // monitor from handing the processor off, so a steal is the only way out.
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2)
                .preemptionTick(Duration.ofHours(1)).build()) {
            int n = 3;
            CountDownLatch ranElsewhere = new CountDownLatch(n);
            AtomicInteger onSpawner = new AtomicInteger();
            CountDownLatch spawnerDone = new CountDownLatch(1);
            s.execute(() -> {
                Thread spawner = Thread.currentThread();
                for (int i = 0; i < n; i++) {
                    s.execute(() -> {
                        if (Thread.currentThread() == spawner) {
                            onSpawner.incrementAndGet(); // only once the spawner gave up waiting
                        } else {
                            ranElsewhere.countDown();
                        }
                    });
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
                while (System.nanoTime() - until < 0 && ranElsewhere.getCount() > 0) {
                    Thread.onSpinWait(); // running, never parking: only a steal moves the children
                }
                spawnerDone.countDown();
            });
            assertTrue(spawnerDone.await(2 * WAIT_S, TimeUnit.SECONDS));
            SchedulerStats st = s.stats();
            assertEquals(0, ranElsewhere.getCount(), "children left unstolen behind a running task: " + st);
            assertEquals(0, onSpawner.get(), "every child ran on the other worker");
            assertEquals(0, st.handOffs(), "no hand-off moved them");
            assertTrue(st.stealOperations() >= 2, "the queue's and runnext's children each need a steal: " + st);
        }
    }

    @Test
    void statsBreakDownPerProcessorAndAddUp() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).localQueueCapacity(4).build()) {
            int n = 5_000;
            CountDownLatch done = new CountDownLatch(n);
            s.execute(() -> {
                for (int i = 0; i < n; i++) {
                    s.execute(done::countDown);
                }
            });
            assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
            s.shutdown();
            assertTrue(s.awaitTermination(WAIT_S, TimeUnit.SECONDS));
            SchedulerStats st = s.stats();
            assertEquals(n + 1, st.tasksExecuted(), st.toString());
            // A task whose processor was handed off while it ran (the outer loop can run past a tick
            // on a cold JVM) is counted in the total but in no processor: at most one per hand-off.
            long perProcessor = st.processors().stream().mapToLong(SchedulerStats.ProcessorStats::tasksExecuted).sum();
            assertTrue(perProcessor <= st.tasksExecuted() && st.tasksExecuted() - perProcessor <= st.handOffs(), st.toString());
            assertTrue(st.overflows() > 0, "a queue of 4 overflowed: " + st);
            assertTrue(st.globalPolls() > 0, "overflow came back through the global queue: " + st);
            assertEquals(0, st.localQueueDepth());
            assertEquals(0, st.globalQueueDepth());
        }
    }

    @Test
    void queueDepthsShowQueuedWork() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch queued = new CountDownLatch(1);
            s.execute(() -> {
                for (int i = 0; i < 10; i++) {
                    s.execute(() -> { });
                }
                queued.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(queued.await(WAIT_S, TimeUnit.SECONDS));
            for (int i = 0; i < 5; i++) {
                s.execute(() -> { });
            }
            SchedulerStats st = s.stats();
            assertEquals(10, st.localQueueDepth());
            assertEquals(10, st.processors().get(0).localQueueDepth());
            assertEquals(5, st.globalQueueDepth());
            gate.countDown();
        }
    }

    @Test
    void anOldLocalTaskRunsWhileNewerLocalWorkKeepsComingAboveIt() throws Exception {
        // One processor. The old task sits at the bottom of the LIFO queue; a generator runs from
        // runnext and, on every third run (when its streak is spent), leaves one new task above the
        // old one, which the spent streak then pops. Without the oldest-first pop once a tick, the
        // old task would never run; nothing overflows and the global queue stays empty meanwhile.
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).handOffTicks(1000).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch oldRan = new CountDownLatch(1);
            AtomicInteger generatorRuns = new AtomicInteger();
            AtomicInteger runsWhenOldRan = new AtomicInteger(-1);
            Runnable[] generator = new Runnable[1];
            generator[0] = () -> {
                if (stop.get()) {
                    return;
                }
                if (generatorRuns.incrementAndGet() % 3 == 0) {
                    s.execute(() -> { }); // goes above the old task once the generator displaces it
                }
                s.execute(generator[0]);
            };
            s.execute(() -> {
                s.execute(() -> {
                    runsWhenOldRan.set(generatorRuns.get());
                    oldRan.countDown();
                });
                s.execute(generator[0]); // displaces the old task from runnext into the queue
            });
            boolean ran = oldRan.await(WAIT_S, TimeUnit.SECONDS);
            stop.set(true);
            assertTrue(ran, "the old task ran while the generator ran " + generatorRuns.get() + " times; " + s.stats());
            assertEquals(0, s.stats().overflows(), "it ran from the local queue, not after an overflow");
            assertTrue(runsWhenOldRan.get() > 0, "it ran behind newer work: " + runsWhenOldRan.get());
        }
    }
}
