package io.mnscheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every ExecutorService method, its timeouts, interrupts and errors. */
class ExecutorContractTest {
    private static final long WAIT_S = 30; // generous: the machine may be loaded

    private WorkStealingScheduler scheduler;

    private WorkStealingScheduler start(int parallelism) {
        scheduler = WorkStealingScheduler.builder().parallelism(parallelism).build();
        return scheduler;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS), "terminates");
        }
    }

    /** A task that signals {@code started}, then sleeps until interrupted and signals {@code interrupted}. */
    private static Runnable sleepUntilInterrupted(CountDownLatch started, CountDownLatch interrupted) {
        return () -> {
            started.countDown();
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(WAIT_S * 2));
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        };
    }

    @Test
    void executeRunsTheTaskOnAWorker() throws Exception {
        start(2);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        scheduler.execute(() -> {
            ranOn.set(Thread.currentThread());
            done.countDown();
        });
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(ranOn.get().getName().equals(scheduler.name() + "-worker-0")
                || ranOn.get().getName().equals(scheduler.name() + "-worker-1"), ranOn.get().getName());
        assertTrue(scheduler.name().matches("mn-\\d+"), scheduler.name());
        assertTrue(ranOn.get().isDaemon());
    }

    @Test
    void submitCallableAndRunnable() throws Exception {
        start(2);
        assertEquals(42, scheduler.submit(() -> 42).get(WAIT_S, TimeUnit.SECONDS));
        assertNull(scheduler.submit(() -> { }).get(WAIT_S, TimeUnit.SECONDS));
        assertEquals("r", scheduler.submit(() -> { }, "r").get(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void submitKeepsTheExceptionInTheFuture() {
        start(1);
        Future<Object> f = scheduler.submit(() -> {
            throw new IllegalStateException("boom");
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void futureGetTimesOut() throws Exception {
        start(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> f = scheduler.submit(() -> {
            release.await();
            return null;
        });
        assertThrows(TimeoutException.class, () -> f.get(50, TimeUnit.MILLISECONDS));
        release.countDown();
        f.get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void cancelInterruptsARunningTask() throws Exception {
        start(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Future<?> f = scheduler.submit(sleepUntilInterrupted(started, interrupted));
        assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(f.cancel(true));
        assertTrue(interrupted.await(WAIT_S, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, f::get);
        // The interrupt must not leak into the next task on that worker.
        assertFalse(scheduler.submit(() -> Thread.currentThread().isInterrupted()).get(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void invokeAllRunsEverything() throws Exception {
        start(2);
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int v = i;
            tasks.add(() -> v * v);
        }
        List<Future<Integer>> results = scheduler.invokeAll(tasks);
        for (int i = 0; i < 100; i++) {
            assertTrue(results.get(i).isDone());
            assertEquals(i * i, results.get(i).get());
        }
    }

    @Test
    void invokeAllWithTimeoutCancelsWhatDidNotFinish() throws Exception {
        start(1);
        CountDownLatch never = new CountDownLatch(1);
        List<Callable<String>> tasks = List.of(() -> "quick", () -> {
            never.await();
            return "slow";
        });
        List<Future<String>> results = scheduler.invokeAll(tasks, 200, TimeUnit.MILLISECONDS);
        assertEquals("quick", results.get(0).get());
        assertTrue(results.get(1).isCancelled());
    }

    @Test
    void invokeAnyReturnsOneResult() throws Exception {
        start(2);
        String r = scheduler.invokeAny(List.of(() -> "a", () -> "b"));
        assertTrue(r.equals("a") || r.equals("b"));
    }

    @Test
    void invokeAnyThrowsWhenAllFail() {
        start(2);
        List<Callable<String>> failing = List.of(() -> {
            throw new IllegalStateException("x");
        }, () -> {
            throw new IllegalStateException("y");
        });
        assertThrows(ExecutionException.class, () -> scheduler.invokeAny(failing));
    }

    @Test
    void invokeAnyTimesOut() {
        start(1);
        CountDownLatch never = new CountDownLatch(1);
        List<Callable<String>> slow = List.of(() -> {
            never.await();
            return "late";
        });
        assertThrows(TimeoutException.class, () -> scheduler.invokeAny(slow, 100, TimeUnit.MILLISECONDS));
    }

    @Test
    void nullTasksAreRefusedWithNullPointerException() {
        start(1);
        assertThrows(NullPointerException.class, () -> scheduler.execute(null));
        assertThrows(NullPointerException.class, () -> scheduler.submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> scheduler.submit((Callable<?>) null));
        assertThrows(NullPointerException.class, () -> scheduler.invokeAll(null));
    }

    @Test
    void shutdownRunsQueuedTasksThenTerminates() throws Exception {
        start(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        scheduler.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        for (int i = 0; i < 1000; i++) {
            scheduler.execute(ran::incrementAndGet);
        }
        scheduler.shutdown();
        assertTrue(scheduler.isShutdown());
        assertFalse(scheduler.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> scheduler.execute(ran::incrementAndGet));
        gate.countDown();
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertTrue(scheduler.isTerminated());
        assertEquals(1000, ran.get());
    }

    @Test
    void shutdownOfANeverUsedSchedulerTerminatesAtOnce() throws Exception {
        start(2);
        scheduler.shutdown(); // its workers may still be starting: none of them can hold a task
        assertTrue(scheduler.isTerminated(), "terminated when shutdown() returns, as ThreadPoolExecutor is");
        assertTrue(scheduler.awaitTermination(0, TimeUnit.SECONDS));
        assertThrows(RejectedExecutionException.class, () -> scheduler.execute(() -> { }));
    }

    @Test
    void shutdownOfAnIdleSchedulerTerminatesAtOnce() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(2).threadNamePrefix("idle-shutdown-").build();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            scheduler.execute(ran::incrementAndGet);
        }
        assertEquals(1000, scheduler.submit(() -> 1000).get(WAIT_S, TimeUnit.SECONDS));
        awaitWorkersParked("idle-shutdown-", 2);
        scheduler.shutdown();
        assertTrue(scheduler.isTerminated(), "idle: terminated when shutdown() returns");
        assertEquals(1000, ran.get());
    }

    /**
     * Waits until every started worker thread named {@code prefix} + digits (at least one, at most
     * {@code n}: a worker's thread starts only when first needed) is parked (WAITING), the
     * scheduler's idle state.
     */
    private static void awaitWorkersParked(String prefix, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (System.nanoTime() < until) {
            List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().matches(java.util.regex.Pattern.quote(prefix) + "\\d+"))
                    .toList();
            long parked = workers.stream().filter(t -> t.getState() == Thread.State.WAITING).count();
            if (parked >= 1 && parked == workers.size() && parked <= n) {
                return;
            }
            Thread.sleep(1); // polling a condition, not guessing a duration
        }
        throw new AssertionError("the workers did not all park within " + WAIT_S + " s");
    }

    @Test
    void theRejectionNamesWhatWasCalledBeforeAndAfterTermination() throws Exception {
        start(1);
        scheduler.shutdown();
        assertRejectedNaming("shutdown() was called");
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertRejectedNaming("shutdown() was called"); // terminated after a plain shutdown: still not shutdownNow
        scheduler.shutdownNow();
        assertRejectedNaming("shutdownNow() was called");
    }

    private void assertRejectedNaming(String call) {
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> scheduler.execute(() -> { }));
        assertTrue(e.getMessage().contains(call), e.getMessage());
    }

    @Test
    void shutdownRejectsSubmissionsFromTasksToo() throws Exception {
        start(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Throwable> fromTask = new AtomicReference<>();
        CountDownLatch tried = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                gate.await();
                scheduler.execute(() -> { });
            } catch (Throwable t) {
                fromTask.set(t);
            }
            tried.countDown();
        });
        scheduler.shutdown();
        gate.countDown();
        assertTrue(tried.await(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(RejectedExecutionException.class, fromTask.get());
        assertTrue(fromTask.get().getMessage().contains("shut down"), fromTask.get().getMessage());
    }

    @Test
    void shutdownNowReturnsUnstartedTasksAndInterruptsRunningOnes() throws Exception {
        start(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        scheduler.execute(sleepUntilInterrupted(started, interrupted));
        assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
        AtomicInteger ran = new AtomicInteger();
        List<Runnable> queued = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Runnable r = ran::incrementAndGet;
            queued.add(r);
            scheduler.execute(r);
        }
        List<Runnable> unstarted = scheduler.shutdownNow();
        assertTrue(interrupted.await(WAIT_S, TimeUnit.SECONDS), "the running task was interrupted");
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertEquals(500, unstarted.size() + ran.get(), "run + returned = accepted");
        assertEquals(0, ran.get(), "a worker stuck in a task starts nothing else");
        for (Runnable r : unstarted) {
            assertTrue(queued.contains(r));
        }
        assertTrue(scheduler.shutdownNow().isEmpty(), "a second call returns nothing");
    }

    @Test
    void awaitTerminationTimesOutWhileTasksRun() throws Exception {
        start(1);
        CountDownLatch gate = new CountDownLatch(1);
        scheduler.execute(() -> {
            try {
                gate.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        scheduler.shutdown();
        assertFalse(scheduler.awaitTermination(50, TimeUnit.MILLISECONDS));
        gate.countDown();
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void awaitTerminationIsInterruptible() throws Exception {
        start(1);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void closeWaitsForTasks() {
        start(2);
        AtomicInteger ran = new AtomicInteger();
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_S), () -> {
            try (WorkStealingScheduler s = scheduler) {
                for (int i = 0; i < 10_000; i++) {
                    s.execute(ran::incrementAndGet);
                }
            }
        });
        assertTrue(scheduler.isTerminated());
        assertEquals(10_000, ran.get());
    }

    @Test
    void closeFromOwnTaskDoesNotDeadlock() throws Exception {
        start(1);
        CountDownLatch closed = new CountDownLatch(1);
        scheduler.execute(() -> {
            scheduler.close();
            closed.countDown();
        });
        assertTrue(closed.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void closeInterruptedFallsBackToShutdownNow() throws Exception {
        start(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1); // shutdownNow's interrupt ends the task
        scheduler.execute(sleepUntilInterrupted(started, interrupted));
        assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
        Thread.currentThread().interrupt();
        scheduler.close();
        assertTrue(Thread.interrupted(), "close restores the interrupt status");
        assertTrue(scheduler.isTerminated());
    }

    @Test
    void aThrowingTaskGoesToTheHandlerAndTheWorkerGoesOn() throws Exception {
        List<Throwable> caught = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        scheduler = WorkStealingScheduler.builder().parallelism(1)
                .uncaughtExceptionHandler((t, e) -> {
                    handlerThread.set(t);
                    caught.add(e);
                }).build();
        Thread[] worker = new Thread[2];
        scheduler.execute(() -> {
            worker[0] = Thread.currentThread();
            throw new IllegalStateException("task failure");
        });
        CountDownLatch after = new CountDownLatch(1);
        scheduler.execute(() -> {
            worker[1] = Thread.currentThread();
            after.countDown();
        });
        assertTrue(after.await(WAIT_S, TimeUnit.SECONDS));
        assertEquals(1, caught.size());
        assertEquals("task failure", caught.get(0).getMessage());
        assertSame(worker[0], worker[1], "the same worker kept serving its processor");
        assertSame(worker[0], handlerThread.get());
    }

    @Test
    void aThrowingHandlerDoesNotKillTheWorker() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1)
                .uncaughtExceptionHandler((t, e) -> {
                    throw new IllegalStateException("handler failure");
                }).build();
        scheduler.execute(() -> {
            throw new IllegalStateException("task failure");
        });
        assertEquals(7, scheduler.submit(() -> 7).get(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void defaultHandlerIsTheWorkersOwn() throws Exception {
        start(1);
        AtomicBoolean handled = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        scheduler.execute(() -> Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
            handled.set(true);
            done.countDown();
        }));
        scheduler.execute(() -> {
            throw new IllegalStateException("to the thread's handler");
        });
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
        assertTrue(handled.get());
    }

    @Test
    void toStringNamesTheState() throws Exception {
        start(2);
        assertTrue(scheduler.toString().contains("parallelism = 2"));
        assertTrue(scheduler.toString().contains("running"));
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertTrue(scheduler.toString().contains("terminated"));
    }
}
