package io.mnscheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The monitor: a task that blocks or computes for long does not hold back the tasks queued behind
 * it; hand-offs respect the worker cap; spares leave after their keep-alive. Bounds are generous
 * (the machine may be loaded); each test waits on conditions, never on guessed sleeps.
 */
class MonitorTest {
    private static final long WAIT_S = 60;
    private static final long SHORT_TASKS_BOUND_MS = 500;

    private WorkStealingScheduler scheduler;

    @AfterEach
    void stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS), "terminates");
        }
    }

    /** Submits 1,000 short tasks from outside and returns how long they took to finish, in ms. */
    private long thousandShortTasks() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1000);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            scheduler.execute(done::countDown);
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "the short tasks ran; missing " + done.getCount());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** Starts {@code blocker} on the single processor and waits until it runs. */
    private void occupyTheProcessor(Runnable blocker) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        scheduler.execute(() -> {
            started.countDown();
            blocker.run();
        });
        assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
    }

    @ParameterizedTest(name = "tick {0} ms")
    @ValueSource(longs = {10, 1})
    void aTaskThatBlocksAfterTheSchedulerIdledIsStillHandedOff(long tickMs) throws Exception {
        // While every worker is parked the monitor looks less and less often, then sleeps until a
        // worker is woken. After 1.5 s idle it is in the first stage at a 10 ms tick and in the
        // second at 1 ms. Either way a task that then blocks must lose its only processor: the
        // short tasks behind it can run only on a spare, and the blocker waits for them.
        scheduler = WorkStealingScheduler.builder().parallelism(1).preemptionTick(Duration.ofMillis(tickMs)).build();
        CountDownLatch warmedUp = new CountDownLatch(1);
        scheduler.execute(warmedUp::countDown);
        assertTrue(warmedUp.await(WAIT_S, TimeUnit.SECONDS));
        Thread.sleep(1_500); // idle time, not a guess at a completion: the assertions hold for any length
        CountDownLatch shortTasksDone = new CountDownLatch(100);
        occupyTheProcessor(() -> {
            try {
                shortTasksDone.await(); // held until the tasks behind it have run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 100; i++) {
            scheduler.execute(shortTasksDone::countDown);
        }
        assertTrue(shortTasksDone.await(WAIT_S, TimeUnit.SECONDS), "the queue behind the blocker ran");
        assertTrue(scheduler.stats().handOffs() >= 1, "the processor was handed off");
    }

    @Test
    void aSleepingTaskDoesNotHoldBackTheQueue() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1).build();
        CountDownLatch release = new CountDownLatch(1);
        occupyTheProcessor(() -> {
            try {
                release.await(2, TimeUnit.SECONDS); // blocks for 2 s, announcing nothing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long ms = thousandShortTasks();
        System.out.println("1,000 short tasks behind a sleeping task: " + ms + " ms; " + scheduler.stats());
        assertTrue(ms < SHORT_TASKS_BOUND_MS, "took " + ms + " ms");
        assertTrue(scheduler.stats().handOffs() >= 1, "the processor was handed off");
        release.countDown();
    }

    @Test
    void aTaskThatBlocksRightAfterAnIdleSpellIsStillHandedOff() throws Exception {
        // The monitor parks while every worker is parked; whoever wakes a worker wakes it too.
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("idle-spell-").build();
        CountDownLatch warm = new CountDownLatch(1);
        scheduler.execute(warm::countDown);
        assertTrue(warm.await(WAIT_S, TimeUnit.SECONDS));
        Thread monitor = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("idle-spell-monitor")).findFirst().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (monitor.getState() != Thread.State.WAITING) { // parked without a timeout: the deep sleep
            assertTrue(System.nanoTime() < deadline, "the monitor went to sleep; it is " + monitor.getState());
            Thread.onSpinWait();
        }
        CountDownLatch release = new CountDownLatch(1);
        occupyTheProcessor(() -> awaitQuietly(release));
        long ms = thousandShortTasks();
        assertTrue(scheduler.stats().handOffs() >= 1, "the woken monitor handed the processor off: " + scheduler.stats());
        assertTrue(ms < WAIT_S * 1000, "took " + ms + " ms");
        release.countDown();
    }

    @Test
    @SuppressWarnings("try") // client.close() inside its try: closing early ends the blocked read at once
    void aTaskBlockedInASocketReadDoesNotHoldBackTheQueue() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1).build();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            accepted.setSoTimeout(2000);
            occupyTheProcessor(() -> {
                try (InputStream in = accepted.getInputStream()) {
                    in.read(); // nothing comes: blocks until the 2 s timeout or the close
                } catch (Exception expected) {
                    // timeout or close
                }
            });
            long ms = thousandShortTasks();
            System.out.println("1,000 short tasks behind a socket read: " + ms + " ms");
            assertTrue(ms < SHORT_TASKS_BOUND_MS, "took " + ms + " ms");
            assertTrue(scheduler.stats().handOffs() >= 1);
            client.close();
        }
    }

    @Test
    void aCpuBoundTaskThatCallsCheckpointDoesNotHoldBackTheQueue() throws Exception {
        // 20 ticks before a forced hand-off: the loop, not the monitor, gives up the processor.
        scheduler = WorkStealingScheduler.builder().parallelism(1).handOffTicks(20).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean sawRequest = new AtomicBoolean();
        occupyTheProcessor(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!stop.get() && System.nanoTime() < until) {
                if (WorkStealingScheduler.preemptionRequested()) {
                    sawRequest.set(true);
                    WorkStealingScheduler.checkpoint();
                }
            }
        });
        long ms = thousandShortTasks();
        stop.set(true);
        SchedulerStats st = scheduler.stats();
        System.out.println("1,000 short tasks behind a CPU loop with checkpoint(): " + ms + " ms; " + st);
        assertTrue(ms < SHORT_TASKS_BOUND_MS, "took " + ms + " ms");
        assertTrue(st.preemptionRequests() >= 1, "the monitor asked the loop to yield: " + st);
        assertTrue(sawRequest.get(), "the loop saw the request");
        assertTrue(st.handOffs() >= 1, st.toString());
    }

    @Test
    void fiftyBlockersOnTwoProcessorsLeaveTheProcessorsServingAndSparesLeaveAfterTheKeepAlive() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).spareKeepAlive(Duration.ofMillis(200)).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(50);
        CountDownLatch blockersDone = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            scheduler.execute(() -> {
                WorkStealingScheduler.blocking(() -> {
                    blocking.countDown();
                    awaitQuietly(release);
                });
                blockersDone.countDown();
            });
        }
        assertTrue(blocking.await(WAIT_S, TimeUnit.SECONDS), "all 50 blockers are blocking at once");
        long ms = thousandShortTasks(); // the two processors still serve, while 50 threads block
        SchedulerStats during = scheduler.stats();
        System.out.println("1,000 short tasks beside 50 blockers: " + ms + " ms; peak threads " + during.peakWorkerThreads());
        assertTrue(ms < SHORT_TASKS_BOUND_MS, "took " + ms + " ms");
        assertTrue(during.peakWorkerThreads() <= 2 + 256, "within the default cap: " + during);
        // Every blocker that found work waiting released its processor at once; the last may have
        // found none and only marked its processor blocking (the monitor hands that off when work comes).
        assertTrue(during.handOffs() >= 49, "the blockers released their processors: " + during);
        release.countDown();
        assertTrue(blockersDone.await(WAIT_S, TimeUnit.SECONDS), "every blocker finished");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (scheduler.stats().workerThreads() > 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(2, scheduler.stats().workerThreads(), "spares exited after the keep-alive");
    }

    @Test
    void fiftyBlockersNeverRaiseTheThreadsAboveTheCap() throws Exception {
        int maxWorkers = 12;
        scheduler = WorkStealingScheduler.builder().parallelism(2).maxWorkers(maxWorkers)
                .spareKeepAlive(Duration.ofMillis(200)).build();
        CountDownLatch done = new CountDownLatch(50);
        AtomicInteger most = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
            scheduler.execute(() -> {
                WorkStealingScheduler.blocking(() -> {
                    most.accumulateAndGet(scheduler.stats().workerThreads(), Math::max);
                    sleepQuietly(50);
                });
                done.countDown();
            });
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "every blocker finished; missing " + done.getCount());
        SchedulerStats st = scheduler.stats();
        System.out.println("50 blockers under a cap of " + maxWorkers + ": peak " + st.peakWorkerThreads()
                + " threads, " + st.handOffs() + " hand-offs, " + st.handOffsDelayed() + " delayed");
        assertTrue(st.peakWorkerThreads() <= maxWorkers && most.get() <= maxWorkers, st.toString());
        assertTrue(st.handOffsDelayed() > 0, "the cap made hand-offs wait, and the stats show it: " + st);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void blockingOutsideAWorkerJustRuns() throws Exception {
        assertEquals(5, WorkStealingScheduler.blocking(() -> 5));
        AtomicBoolean ran = new AtomicBoolean();
        WorkStealingScheduler.blocking(() -> ran.set(true));
        assertTrue(ran.get());
        assertFalse(WorkStealingScheduler.preemptionRequested());
        WorkStealingScheduler.checkpoint(); // no-op
    }

    @Test
    void aShortBlockingSectionKeepsItsProcessor() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1).build();
        String name = scheduler.submit(() -> {
            WorkStealingScheduler.blocking(() -> { });
            return Thread.currentThread().getName();
        }).get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(scheduler.name() + "-worker-0", name);
        assertEquals(0, scheduler.stats().handOffs(), "nothing waited, so nothing was handed off");
        assertEquals(1, scheduler.stats().workerThreads());
    }

    @Test
    void everyTaskRunsExactlyOnceAcrossHandOffs() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).localQueueCapacity(8)
                .preemptionTick(Duration.ofMillis(1)).handOffTicks(1).maxWorkers(8)
                .spareKeepAlive(Duration.ofMillis(50)).build();
        int n = 20_000;
        AtomicIntegerArray runs = new AtomicIntegerArray(n);
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int id = i;
            scheduler.execute(() -> {
                if (id % 500 == 0) {
                    WorkStealingScheduler.blocking(() -> sleepQuietly(3)); // hand-offs with work waiting
                } else if (id % 97 == 0) {
                    long until = System.nanoTime() + 2_000_000;
                    while (System.nanoTime() < until) {
                        WorkStealingScheduler.checkpoint();
                    }
                }
                runs.incrementAndGet(id);
                done.countDown();
            });
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "all ran; missing " + done.getCount());
        for (int i = 0; i < n; i++) {
            assertEquals(1, runs.get(i), "task " + i);
        }
        SchedulerStats st = scheduler.stats();
        System.out.println("exactly once across hand-offs: " + st.handOffs() + " hand-offs, " + st.preemptionRequests()
                + " preemption requests, peak " + st.peakWorkerThreads() + " threads");
        assertTrue(st.handOffs() > 0, st.toString());
        assertTrue(st.peakWorkerThreads() <= 8);
    }

    @Test
    void shutdownNowWithHandedOffProcessorsLosesNothing() throws Exception {
        for (int round = 0; round < 10; round++) {
            WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).localQueueCapacity(8)
                    .preemptionTick(Duration.ofMillis(1)).handOffTicks(1).build();
            int n = 5_000;
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            Runnable[] tasks = new Runnable[n];
            AtomicInteger accepted = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                int id = i;
                tasks[i] = () -> {
                    if (id % 50 == 0) {
                        WorkStealingScheduler.blocking(() -> sleepQuietly(2));
                    }
                    runs.incrementAndGet(id);
                };
                s.execute(tasks[i]);
                accepted.incrementAndGet();
                if (i == n / 2) {
                    Thread.sleep(5);
                }
            }
            java.util.List<Runnable> returned = s.shutdownNow();
            assertTrue(s.awaitTermination(WAIT_S, TimeUnit.SECONDS));
            java.util.Set<Runnable> back = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            back.addAll(returned);
            assertEquals(returned.size(), back.size(), "nothing returned twice");
            for (int i = 0; i < n; i++) {
                int ran = runs.get(i);
                int b = back.contains(tasks[i]) ? 1 : 0;
                assertEquals(1, ran + b, "round " + round + ", task " + i + ": ran " + ran + ", returned " + b);
            }
        }
    }

    @Test
    void builderChecksTheMonitorSettings() {
        IllegalArgumentException tick = assertThrows(IllegalArgumentException.class,
                () -> WorkStealingScheduler.builder().preemptionTick(Duration.ofNanos(99_999)));
        assertTrue(tick.getMessage().startsWith("preemptionTick = PT0.000099999S; allowed: 100 µs (PT0.0001S) to "), tick.getMessage());
        IllegalArgumentException cap = assertThrows(IllegalArgumentException.class,
                () -> WorkStealingScheduler.builder().parallelism(4).maxWorkers(3).build());
        assertEquals("maxWorkers = 3; allowed: at least the parallelism (4)", cap.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WorkStealingScheduler.builder().spareKeepAlive(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> WorkStealingScheduler.builder().handOffTicks(0));
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
