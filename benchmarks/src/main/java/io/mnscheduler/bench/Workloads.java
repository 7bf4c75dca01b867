package io.mnscheduler.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The work each benchmark does, as plain methods over an {@link Executor} or a virtual-thread
 * builder, so the JMH classes only choose peers and sizes and the tests can check every workload's
 * result on every peer. Each method returns only when its work is complete.
 */
public final class Workloads {
    /** How long any one operation may take before it counts as hung: a lost task, not a slow one. */
    static final long STALL_SECONDS = 120;

    private Workloads() {
    }

    /** Tokio's spawn_many_local: one task spawns {@code n} tasks from inside the pool; each decrements a counter. */
    public static void spawnManyLocal(Executor ex, int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger left = new AtomicInteger(n);
        Runnable leaf = () -> {
            if (left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        ex.execute(() -> {
            for (int i = 0; i < n; i++) {
                ex.execute(leaf);
            }
        });
        await(done, "spawn_many_local");
    }

    /** Tokio's spawn_many_remote: the calling (outside) thread submits {@code n} empty tasks and waits for all. */
    public static void spawnManyRemote(Executor ex, int n) throws InterruptedException {
        if (!spawnManyRemote(ex, n, STALL_SECONDS)) {
            throw new IllegalStateException("spawn_many_remote did not finish within " + STALL_SECONDS + " s: a task was lost");
        }
    }

    /** {@link #spawnManyRemote(Executor, int)}, giving up after {@code seconds}: false when the tasks did not all run by then. */
    public static boolean spawnManyRemote(Executor ex, int n, long seconds) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger left = new AtomicInteger(n);
        Runnable leaf = () -> {
            if (left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        for (int i = 0; i < n; i++) {
            ex.execute(leaf);
        }
        return done.await(seconds, TimeUnit.SECONDS);
    }

    /** Tokio's chained_spawn: a chain of {@code n} tasks, each submitting the next; the last signals. */
    public static void chainedSpawn(Executor ex, int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ex.execute(new Link(ex, n, done));
        await(done, "chained_spawn");
    }

    private record Link(Executor ex, int left, CountDownLatch done) implements Runnable {
        @Override
        public void run() {
            if (left == 1) {
                done.countDown();
            } else {
                ex.execute(new Link(ex, left - 1, done));
            }
        }
    }

    /** Tokio's yield_many: {@code threads} virtual threads each call {@link Thread#yield()} {@code yields} times. */
    public static void yieldMany(Thread.Builder.OfVirtual vt, int threads, int yields) throws InterruptedException {
        Thread[] all = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            all[i] = vt.start(() -> {
                for (int y = 0; y < yields; y++) {
                    Thread.yield();
                }
            });
        }
        joinAll(all, "yield_many");
    }

    /**
     * Tokio's ping_pong: {@code rounds} rounds run at once; in each, a virtual thread starts its partner,
     * sends it one message and waits for the one reply. As in Tokio, each message travels over a
     * one-shot channel (here a {@link CompletableFuture}): sending never blocks, receiving parks until
     * the message is there.
     */
    public static void pingPong(Thread.Builder.OfVirtual vt, int rounds) throws InterruptedException {
        pingPong(vt, rounds, Workloads::oneShot, "ping_pong");
    }

    /**
     * ping_pong over rendezvous channels ({@link SynchronousQueue}): the sender, too, waits until its
     * message is taken. The JDK's {@code SynchronousQueue} spins before it parks unless its carrier is a
     * {@code ForkJoinWorkerThread} with queued work (a JDK-internal check), so on every other carrier
     * each hand-off spins first.
     */
    public static void pingPongRendezvous(Thread.Builder.OfVirtual vt, int rounds) throws InterruptedException {
        pingPong(vt, rounds, Workloads::rendezvous, "ping_pong_rendezvous");
    }

    /** A channel carrying one message one way in a ping_pong round. */
    private interface Channel {
        void send(int message) throws InterruptedException;

        int receive() throws InterruptedException;
    }

    private static Channel oneShot() {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        return new Channel() {
            @Override
            public void send(int message) {
                f.complete(message);
            }

            @Override
            public int receive() {
                return f.join();
            }
        };
    }

    private static Channel rendezvous() {
        SynchronousQueue<Integer> q = new SynchronousQueue<>();
        return new Channel() {
            @Override
            public void send(int message) throws InterruptedException {
                q.put(message);
            }

            @Override
            public int receive() throws InterruptedException {
                return q.take();
            }
        };
    }

    private static void pingPong(Thread.Builder.OfVirtual vt, int rounds, Supplier<Channel> channels, String what)
            throws InterruptedException {
        Thread[] all = new Thread[rounds];
        AtomicInteger replies = new AtomicInteger();
        for (int i = 0; i < rounds; i++) {
            all[i] = vt.start(() -> {
                Channel ping = channels.get();
                Channel pong = channels.get();
                vt.start(() -> {
                    try {
                        pong.send(ping.receive() + 1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                try {
                    ping.send(1);
                    if (pong.receive() == 2) {
                        replies.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        joinAll(all, what);
        if (replies.get() != rounds) {
            throw new IllegalStateException(what + ": " + replies.get() + " right replies in " + rounds + " rounds");
        }
    }

    /** {@code n} virtual threads, each incrementing a counter, started and then joined by the calling (platform) thread. */
    public static void spawnJoin(Thread.Builder.OfVirtual vt, int n) throws InterruptedException {
        AtomicInteger ran = new AtomicInteger();
        Thread[] all = new Thread[n];
        for (int i = 0; i < n; i++) {
            all[i] = vt.start(ran::incrementAndGet);
        }
        joinAll(all, "virtual_spawn_join");
        if (ran.get() != n) {
            throw new IllegalStateException("virtual_spawn_join: " + ran.get() + " of " + n + " threads ran");
        }
    }

    /** {@code n} virtual threads, each sleeping {@code millis} once, started and joined by the calling thread. */
    public static void sleepMany(Thread.Builder.OfVirtual vt, int n, long millis) throws InterruptedException {
        AtomicInteger woke = new AtomicInteger();
        Thread[] all = new Thread[n];
        for (int i = 0; i < n; i++) {
            all[i] = vt.start(() -> {
                try {
                    Thread.sleep(millis);
                    woke.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        joinAll(all, "sleep_many");
        if (woke.get() != n) {
            throw new IllegalStateException("sleep_many: " + woke.get() + " of " + n + " threads slept and woke");
        }
    }

    /**
     * spawn_many_remote from several outside threads at once: {@code producers} platform threads
     * (started once, by {@link RemoteProducers}) each submit their share of {@code n} empty tasks.
     */
    public static void spawnManyRemote(RemoteProducers producers, Executor ex, int n) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger left = new AtomicInteger(n);
        Runnable leaf = () -> {
            if (left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        producers.run(ex, leaf, n);
        await(done, "spawn_many_remote");
    }

    /** The skynet sum over {@code leaves} leaves numbered from 0: leaves * (leaves - 1) / 2. */
    public static long skynetExpected(long leaves) {
        return leaves * (leaves - 1) / 2;
    }

    /**
     * Skynet on virtual threads: a tree of fan-out {@code fanOut} whose {@code leaves} leaves (a power of
     * {@code fanOut}) each return their number; every inner node is a virtual thread that starts its
     * children and joins them.
     */
    public static long skynetThreads(Thread.Builder.OfVirtual vt, long leaves, int fanOut) throws InterruptedException {
        long[] result = new long[1];
        Thread root = vt.start(() -> result[0] = skynetNode(vt, 0, leaves, fanOut));
        joinAll(new Thread[] {root}, "skynet_threads");
        return result[0];
    }

    private static long skynetNode(Thread.Builder.OfVirtual vt, long num, long size, int fanOut) {
        if (size == 1) {
            return num;
        }
        long childSize = size / fanOut;
        long[] sums = new long[fanOut];
        Thread[] children = new Thread[fanOut];
        for (int i = 0; i < fanOut; i++) {
            int slot = i;
            long childNum = num + i * childSize;
            children[i] = vt.start(() -> sums[slot] = skynetNode(vt, childNum, childSize, fanOut));
        }
        long sum = 0;
        for (int i = 0; i < fanOut; i++) {
            try {
                children[i].join(); // join's happens-before makes sums[i] visible
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("skynet interrupted", e);
            }
            sum += sums[i];
        }
        return sum;
    }

    /**
     * Skynet with futures: every node is a task on {@code ex}; an inner node's future completes when
     * its children's do, composed without blocking any worker.
     */
    public static long skynetFutures(Executor ex, long leaves, int fanOut) throws Exception {
        return join(CompletableFuture.supplyAsync(() -> skynetFuture(ex, 0, leaves, fanOut), ex)
                .thenCompose(f -> f), "skynet_futures");
    }

    private static CompletableFuture<Long> skynetFuture(Executor ex, long num, long size, int fanOut) {
        if (size == 1) {
            return CompletableFuture.completedFuture(num);
        }
        long childSize = size / fanOut;
        @SuppressWarnings({"unchecked", "rawtypes"}) // a generic array: created raw, used typed
        CompletableFuture<Long>[] children = new CompletableFuture[fanOut];
        for (int i = 0; i < fanOut; i++) {
            long childNum = num + i * childSize;
            children[i] = CompletableFuture.supplyAsync(() -> skynetFuture(ex, childNum, childSize, fanOut), ex)
                    .thenCompose(f -> f);
        }
        return CompletableFuture.allOf(children).thenApply(v -> {
            long sum = 0;
            for (CompletableFuture<Long> c : children) {
                sum += c.join(); // already complete: allOf completed after every child
            }
            return sum;
        });
    }

    /** fib(n) by recursive {@link CompletableFuture} composition: each call is a task on {@code ex}. */
    public static long fib(Executor ex, int n) throws Exception {
        return join(fibFuture(ex, n), "fork_join_fib");
    }

    private static CompletableFuture<Long> fibFuture(Executor ex, int n) {
        if (n < 2) {
            return CompletableFuture.completedFuture((long) n);
        }
        CompletableFuture<Long> a = CompletableFuture.supplyAsync(() -> fibFuture(ex, n - 1), ex).thenCompose(f -> f);
        CompletableFuture<Long> b = CompletableFuture.supplyAsync(() -> fibFuture(ex, n - 2), ex).thenCompose(f -> f);
        return a.thenCombine(b, Long::sum);
    }

    /** fib(n) computed directly, for checking. */
    public static long fibExpected(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long c = a + b;
            a = b;
            b = c;
        }
        return a;
    }

    /**
     * Submits one task to {@code ex} and spins until it has started; returns the time from the
     * submission to the task's first instruction, in nanoseconds (both read with
     * {@link System#nanoTime()}).
     */
    public static long submitToStart(Executor ex) {
        StartProbe probe = new StartProbe();
        long submitted = System.nanoTime();
        ex.execute(probe);
        long started;
        while ((started = probe.started) == 0) {
            Thread.onSpinWait();
        }
        return Math.max(0, started - submitted);
    }

    private static final class StartProbe implements Runnable {
        volatile long started; // written once by the worker, read by the spinning submitter

        @Override
        public void run() {
            started = System.nanoTime();
        }
    }

    /** Burns about {@code nanos} of CPU on the calling thread. */
    public static void spin(long nanos) {
        long until = System.nanoTime() + nanos;
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch done, String what) throws InterruptedException {
        if (!done.await(STALL_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException(what + " did not finish within " + STALL_SECONDS + " s: a task was lost");
        }
    }

    private static void joinAll(Thread[] threads, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STALL_SECONDS);
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !t.join(java.time.Duration.ofNanos(left))) {
                throw new IllegalStateException(what + " did not finish within " + STALL_SECONDS + " s: a thread hung");
            }
        }
    }

    private static long join(CompletableFuture<Long> f, String what) throws Exception {
        try {
            return f.get(STALL_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " did not finish within " + STALL_SECONDS + " s: a task was lost", e);
        }
    }
}
