package io.mnscheduler.bench;

import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Workloads whose tasks wait for other tasks of the same pool, as real programs do: a recursive fib
 * whose every call submits one child and waits for it, by {@link Future#get} or by
 * {@link CompletableFuture#join}, and a task that waits for a latch released by a task queued behind
 * it. A pool that can neither help nor add a thread deadlocks on them: every wait here is bounded by
 * a deadline, and passing it throws {@link Deadlocked}, so a benchmark can record the deadlock
 * instead of hanging.
 */
public final class JoinWorkloads {
    private JoinWorkloads() {
    }

    /** The pool did not finish before the deadline: its workers all wait, and nothing runs what they wait for. */
    public static final class Deadlocked extends RuntimeException {
        Deadlocked(String message) {
            super(message);
        }
    }

    /**
     * fib(n) where each call submits the call for n - 1 and waits for its future with {@code get()},
     * computing n - 2 itself in between. Executors that are not {@link ExecutorService}s get a
     * {@link FutureTask} through {@code execute}.
     */
    public static long fibSubmit(Executor ex, int n, long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            return fibSubmit(ex, n, deadline, seconds);
        } catch (Exception e) {
            throw rethrow(e, "blocking_join", seconds);
        }
    }

    private static long fibSubmit(Executor ex, int n, long deadline, long seconds) throws Exception {
        if (n < 2) {
            return n;
        }
        Callable<Long> child = () -> fibSubmit(ex, n - 1, deadline, seconds);
        Future<Long> left;
        if (ex instanceof ExecutorService s) {
            left = s.submit(child);
        } else {
            FutureTask<Long> t = new FutureTask<>(child);
            ex.execute(t);
            left = t;
        }
        long right = fibSubmit(ex, n - 2, deadline, seconds);
        return left.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) + right;
    }

    /**
     * fib(n) where each call starts n - 1 with {@code CompletableFuture.supplyAsync} and waits with
     * {@code join()}. {@code join()} cannot be interrupted or timed out, so every future is also kept
     * in a list: past the deadline each is completed exceptionally, which wakes every waiter of a
     * deadlocked pool and lets its workers unwind.
     */
    public static long fibCompletable(Executor ex, int n, long seconds) {
        Pending pending = new Pending();
        CompletableFuture<Long> root = CompletableFuture.supplyAsync(() -> fibCompletable(ex, n, pending), ex);
        try {
            return root.get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof TimeoutException) {
                Deadlocked d = new Deadlocked("completable_join did not finish within " + seconds
                        + " s: every worker waits for a task that no worker is free to run");
                pending.abandon(d);
            }
            throw rethrow(e, "completable_join", seconds);
        }
    }

    private static long fibCompletable(Executor ex, int n, Pending pending) {
        if (n < 2 || pending.abandoned.isDone()) {
            return n;
        }
        CompletableFuture<Long> left = CompletableFuture.supplyAsync(() -> fibCompletable(ex, n - 1, pending), ex);
        pending.add(left);
        long right = fibCompletable(ex, n - 2, pending);
        return left.join() + right;
    }

    /** The futures of one fib run, so that a deadlocked run can be abandoned and its waiters woken. */
    private static final class Pending {
        final Queue<CompletableFuture<Long>> futures = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> abandoned = new CompletableFuture<>();

        void add(CompletableFuture<Long> f) {
            futures.add(f);
            // The queue's iteration is weakly consistent: a future added after abandon() passed it is
            // missed there, but then abandoned was complete before this add, and this check sees it.
            if (abandoned.isDone()) {
                f.completeExceptionally(new Deadlocked("abandoned"));
            }
        }

        void abandon(Deadlocked why) {
            abandoned.complete(null);
            futures.forEach(f -> f.completeExceptionally(why));
        }
    }

    /**
     * One task waits for a latch that a task it submitted, queued behind it on the same worker,
     * releases. Returns when the waiter has its latch; a pool that never runs the releaser before the
     * waiter gives up (ForkJoinPool with one worker) throws {@link Deadlocked}.
     */
    public static void waitBehind(Executor ex, long seconds) throws InterruptedException {
        CountDownLatch released = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        boolean[] got = new boolean[1];
        ex.execute(() -> {
            try {
                ex.execute(released::countDown);
                got[0] = released.await(seconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                done.countDown(); // the latch's happens-before publishes got[0]
            }
        });
        if (!done.await(2 * seconds, TimeUnit.SECONDS) || !got[0]) {
            throw new Deadlocked("wait_behind: the waiting task's latch was not released within " + seconds
                    + " s: the task that releases it never ran while the waiter held its worker");
        }
    }

    private static RuntimeException rethrow(Exception e, String what, long seconds) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof java.util.concurrent.CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof Deadlocked d) {
            return d;
        }
        if (cause instanceof TimeoutException) {
            return new Deadlocked(what + " did not finish within " + seconds
                    + " s: every worker waits for a task that no worker is free to run");
        }
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(what + " failed", cause);
    }
}
