package io.mnscheduler;

import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Virtual threads carried by the scheduler. This class runs in its own Surefire execution, the only
 * one given {@code --add-opens java.base/java.lang=ALL-UNNAMED}.
 */
@Tag("virtual-threads")
class VirtualThreadCarrierTest {
    private static final long WAIT_S = 120;
    private static final String PREFIX = "vt-carrier-";

    private WorkStealingScheduler scheduler;
    private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stop() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            boolean terminated = scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS);
            if (!terminated) {
                System.out.println("NOT TERMINATED: " + scheduler.stats());
                for (Thread vt : scheduler.liveVirtualThreads()) {
                    System.out.println("LIVE " + vt + " " + vt.getState() + " " + java.util.Arrays.toString(vt.getStackTrace()));
                }
                Thread.getAllStackTraces().forEach((t, st) -> {
                    if (t.getName().startsWith(PREFIX)) {
                        System.out.println("WORKER " + t + " " + t.getState() + " " + java.util.Arrays.toString(st));
                    }
                });
            }
            assertTrue(terminated);
        }
    }

    private WorkStealingScheduler start(int parallelism) {
        scheduler = WorkStealingScheduler.builder().parallelism(parallelism).threadNamePrefix(PREFIX).build();
        return scheduler;
    }

    /** Records a violation unless the caller is a virtual thread carried by one of our workers. */
    private void checkCarrier(String where) {
        Thread self = Thread.currentThread();
        if (!self.isVirtual()) {
            violations.add(where + ": not virtual");
            return;
        }
        Thread carrier = VirtualThreadSupport.currentCarrier();
        if (carrier == self || !carrier.getName().startsWith(PREFIX)) {
            violations.add(where + ": carried by " + carrier);
        }
    }

    @Test
    void aHundredThousandVirtualThreadsBlockInEveryWayAndStayOnOurCarriers() throws Exception {
        start(2);
        int kinds = 5;
        int perKind = 20_000;
        int total = kinds * perKind;
        CountDownLatch done = new CountDownLatch(total);
        java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> finishedByKind = new java.util.concurrent.ConcurrentHashMap<>();
        Thread.Builder.OfVirtual builder = scheduler.virtualThreadBuilder().name("mixed-", 0);

        // 1. Thread.sleep
        for (int i = 0; i < perKind; i++) {
            builder.start(() -> {
                checkCarrier("before sleep");
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    violations.add("sleep interrupted");
                }
                checkCarrier("after sleep");
                done.countDown();
            });
        }
        // 2. LockSupport.park/unpark hand-offs, in pairs
        for (int i = 0; i < perKind / 2; i++) {
            AtomicBoolean handed = new AtomicBoolean();
            Thread waiter = builder.start(() -> {
                while (!handed.get()) {
                    LockSupport.park();
                }
                checkCarrier("after park");
                done.countDown();
            });
            builder.start(() -> {
                checkCarrier("unparker");
                handed.set(true);
                LockSupport.unpark(waiter);
                done.countDown();
            });
        }
        // 3. contended synchronized, and Object.wait/notify
        Object monitor = new Object();
        AtomicInteger inMonitor = new AtomicInteger();
        for (int i = 0; i < perKind; i++) {
            int n = i;
            builder.start(() -> {
                synchronized (monitor) {
                    inMonitor.incrementAndGet();
                    if (n % 2 == 0) {
                        try {
                            monitor.wait(1); // releases the monitor and unmounts
                        } catch (InterruptedException e) {
                            violations.add("wait interrupted");
                        }
                    } else {
                        monitor.notifyAll();
                    }
                }
                checkCarrier("after synchronized/wait");
                done.countDown();
            });
        }
        // 4. ReentrantLock and Condition
        ReentrantLock lock = new ReentrantLock();
        Condition signal = lock.newCondition();
        AtomicInteger ticket = new AtomicInteger();
        for (int i = 0; i < perKind; i++) {
            builder.start(() -> {
                lock.lock();
                try {
                    int mine = ticket.incrementAndGet();
                    if (mine % 2 == 0) {
                        signal.signalAll();
                    } else {
                        signal.await(1, TimeUnit.MILLISECONDS);
                    }
                } catch (InterruptedException e) {
                    violations.add("await interrupted");
                } finally {
                    lock.unlock();
                }
                checkCarrier("after lock/condition");
                done.countDown();
            });
        }
        // 5. blocking I/O: loopback sockets and pipes, a reader and a writer each
        int connections = 250;
        int pipes = 250;
        int messages = (perKind - 2 * connections - 2 * pipes) / (2 * (connections + pipes)) + 1;
        int ioThreads = 2 * connections + 2 * pipes;
        try (ServerSocket server = new ServerSocket(0, connections, InetAddress.getLoopbackAddress())) {
            for (int c = 0; c < connections; c++) {
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket accepted = server.accept();
                builder.start(() -> {
                    try (OutputStream out = client.getOutputStream()) {
                        for (int m = 0; m < messages; m++) {
                            out.write(("m" + m + "\n").getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    } catch (Exception e) {
                        violations.add("socket write: " + e);
                    }
                    checkCarrier("after socket write");
                    done.countDown();
                });
                builder.start(() -> {
                    try (Socket a = accepted; InputStream in = a.getInputStream()) {
                        int lines = 0;
                        for (int b; (b = in.read()) != -1; ) {
                            lines += b == '\n' ? 1 : 0;
                        }
                        if (lines != messages) {
                            violations.add("socket read " + lines + " of " + messages);
                        }
                        client.close();
                    } catch (Exception e) {
                        violations.add("socket read: " + e);
                    }
                    checkCarrier("after socket read");
                    done.countDown();
                });
            }
        }
        for (int c = 0; c < pipes; c++) {
            Pipe pipe = Pipe.open();
            builder.start(() -> {
                try (var sink = pipe.sink()) {
                    for (int m = 0; m < messages; m++) {
                        sink.write(ByteBuffer.wrap(new byte[] {(byte) m}));
                    }
                } catch (Exception e) {
                    violations.add("pipe write: " + e);
                }
                checkCarrier("after pipe write");
                done.countDown();
            });
            builder.start(() -> {
                try (var source = pipe.source()) {
                    ByteBuffer buf = ByteBuffer.allocate(64);
                    int got = 0;
                    for (int r; (r = source.read(buf)) != -1; buf.clear()) {
                        got += r;
                    }
                    if (got != messages) {
                        violations.add("pipe read " + got + " of " + messages);
                    }
                } catch (Exception e) {
                    violations.add("pipe read: " + e);
                }
                checkCarrier("after pipe read");
                done.countDown();
            });
        }
        // The I/O kind started fewer threads than perKind; top it up with sleepers so 100,000 run.
        for (int i = ioThreads; i < perKind; i++) {
            builder.start(() -> {
                try {
                    Thread.sleep(0, 1);
                } catch (InterruptedException e) {
                    violations.add("sleep interrupted");
                }
                checkCarrier("after short sleep");
                done.countDown();
            });
        }
        boolean all = done.await(WAIT_S, TimeUnit.SECONDS);
        if (!all) {
            System.out.println("STUCK: " + scheduler.stats());
            Thread.getAllStackTraces().keySet().forEach(t -> System.out.println("THREAD " + t + " " + t.getState() + " " + java.util.Arrays.toString(t.getStackTrace())));
        }
        assertTrue(all, "all " + total + " virtual threads ended; missing " + done.getCount());
        assertTrue(violations.isEmpty(), violations.size() + " violations, e.g. " + violations.peek());
        assertEquals(perKind, inMonitor.get());
    }

    @Test
    void aPingPongPairStaysOnOneProcessorAndDoesNotStarveAThird() throws Exception {
        start(1);
        int rounds = 20_000;
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        AtomicLong thirdProgress = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long runnextBefore = scheduler.stats().runnextHits();
        Thread.Builder.OfVirtual b = scheduler.virtualThreadBuilder();
        Thread third = b.start(() -> {
            while (!stop.get()) {
                thirdProgress.incrementAndGet();
                Thread.yield();
            }
        });
        Thread a = b.start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    ping.put(i);
                    pong.take();
                }
            } catch (InterruptedException e) {
                violations.add("ping interrupted");
            }
        });
        Thread c = b.start(() -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                violations.add("pong interrupted");
            }
        });
        assertTrue(a.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertTrue(c.join(java.time.Duration.ofSeconds(WAIT_S)));
        long progress = thirdProgress.get();
        stop.set(true);
        assertTrue(third.join(java.time.Duration.ofSeconds(WAIT_S)));
        long runnext = scheduler.stats().runnextHits() - runnextBefore;
        System.out.printf("ping-pong %d rounds: %d runnext hits, third thread made %d steps meanwhile%n", rounds, runnext, progress);
        assertTrue(runnext >= rounds, "hand-offs went through runnext: " + runnext);
        assertTrue(progress > 0, "the third virtual thread made progress");
        assertTrue(violations.isEmpty(), violations.toString());
    }

    @Test
    void unparksFromAWorkerGoToItsRunnext() throws Exception {
        start(2);
        int hops = 5_000;
        AtomicInteger sameCarrier = new AtomicInteger();
        Thread[] pair = new Thread[2];
        AtomicInteger turn = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(2);
        Thread.Builder.OfVirtual b = scheduler.virtualThreadBuilder();
        Thread[] lastCarrier = new Thread[1];
        for (int k = 0; k < 2; k++) {
            int me = k;
            pair[k] = b.unstarted(() -> {
                for (int i = 0; i < hops; i++) {
                    while (turn.get() % 2 != me) {
                        LockSupport.park();
                    }
                    Thread carrier = VirtualThreadSupport.currentCarrier();
                    if (carrier == lastCarrier[0]) {
                        sameCarrier.incrementAndGet();
                    }
                    lastCarrier[0] = carrier;
                    turn.incrementAndGet();
                    LockSupport.unpark(pair[1 - me]);
                }
                done.countDown();
            });
        }
        pair[0].start();
        pair[1].start();
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS));
        System.out.printf("park/unpark hand-offs: %d of %d on the same carrier as the previous hop%n", sameCarrier.get(), 2 * hops);
        assertTrue(sameCarrier.get() > hops, "most hand-offs stayed on one carrier: " + sameCarrier.get());
    }

    @Test
    void yieldLetsOthersRunOnOneProcessor() throws Exception {
        start(1);
        AtomicBoolean otherRan = new AtomicBoolean();
        Thread.Builder.OfVirtual b = scheduler.virtualThreadBuilder();
        Thread spinner = b.start(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!otherRan.get() && System.nanoTime() < until) {
                Thread.yield();
            }
        });
        Thread other = b.start(() -> otherRan.set(true));
        assertTrue(other.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertTrue(spinner.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertTrue(otherRan.get());
    }

    @Test
    void aYieldGoesBehindLocalWorkAndBehindWaitingOutsideWork() throws Exception {
        start(1);
        Thread.Builder.OfVirtual b = scheduler.virtualThreadBuilder();
        List<String> order = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean running = new AtomicBoolean();
        AtomicBoolean outsideQueued = new AtomicBoolean();
        Thread yielder = b.start(() -> {
            running.set(true);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!outsideQueued.get() && System.nanoTime() < until) {
                Thread.onSpinWait(); // holds the only worker, so the outside task waits in the global queue
            }
            b.start(() -> order.add("local")); // into this processor's runnext
            order.add("yield");
            Thread.yield();
            order.add("resumed");
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!running.get()) {
            assertTrue(System.nanoTime() < deadline, "the yielder started");
            Thread.onSpinWait();
        }
        scheduler.execute(() -> order.add("outside"));
        outsideQueued.set(true);
        assertTrue(yielder.join(java.time.Duration.ofSeconds(WAIT_S)));
        while (order.size() < 4) {
            assertTrue(System.nanoTime() < deadline, "all four steps ran: " + order);
            Thread.onSpinWait();
        }
        assertEquals(List.of("yield", "local", "outside", "resumed"), List.copyOf(order));
    }

    @Test
    void factoryAndPerTaskExecutorUseOurCarriers() throws Exception {
        start(2);
        Thread t = scheduler.virtualThreadFactory().newThread(() -> checkCarrier("factory"));
        t.start();
        t.join();
        try (var executor = scheduler.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                results.add(executor.submit(() -> {
                    checkCarrier("per-task executor");
                    return Thread.currentThread().isVirtual();
                }));
            }
            for (var r : results) {
                assertTrue(r.get(WAIT_S, TimeUnit.SECONDS));
            }
        }
        assertTrue(violations.isEmpty(), violations.toString());
    }

    @Test
    void closeWaitsForStartedVirtualThreadsAndRefusesNewOnes() throws Exception {
        start(2);
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean release = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        Thread vt = scheduler.virtualThreadBuilder().start(() -> {
            parked.countDown();
            while (!release.get()) {
                LockSupport.park();
            }
            finished.set(true);
        });
        assertTrue(parked.await(WAIT_S, TimeUnit.SECONDS));
        scheduler.shutdown();
        assertThrows(RejectedExecutionException.class, () -> scheduler.virtualThreadBuilder().start(() -> { }));
        assertFalse(scheduler.awaitTermination(100, TimeUnit.MILLISECONDS), "a live virtual thread holds the scheduler open");
        assertEquals(1, scheduler.stats().liveVirtualThreads());
        release.set(true);
        LockSupport.unpark(vt); // from outside, after shutdown: the continuation is still accepted
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertTrue(finished.get());
        assertEquals(Thread.State.TERMINATED, vt.getState());
    }

    @Test
    void shutdownNowInterruptsVirtualThreadsAndCarriesThemToTheirEnd() throws Exception {
        start(2);
        int n = 100;
        CountDownLatch sleeping = new CountDownLatch(n);
        AtomicInteger interrupted = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            scheduler.virtualThreadBuilder().start(() -> {
                sleeping.countDown();
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(WAIT_S * 10));
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                }
            });
        }
        assertTrue(sleeping.await(WAIT_S, TimeUnit.SECONDS));
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch gateStarted = new CountDownLatch(1);
        AtomicInteger plainRan = new AtomicInteger();
        scheduler.execute(() -> {
            gateStarted.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(gateStarted.await(WAIT_S, TimeUnit.SECONDS));
        for (int i = 0; i < 50; i++) {
            scheduler.execute(plainRan::incrementAndGet);
        }
        List<Runnable> returned = scheduler.shutdownNow();
        gate.countDown();
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertEquals(n, interrupted.get(), "every virtual thread was interrupted and ran to its end");
        assertEquals(50, returned.size() + plainRan.get(), "plain tasks: returned + run = accepted");
        assertEquals(0, scheduler.stats().liveVirtualThreads());
    }

    @Test
    void aVirtualThreadInACpuLoopWithCheckpointLetsOthersRunOnOneProcessor() throws Exception {
        // 1000 ticks (10 s) before a forced hand-off: the loop yields by itself long before.
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix(PREFIX).handOffTicks(1000).build();
        AtomicBoolean otherRan = new AtomicBoolean();
        AtomicBoolean sawRequest = new AtomicBoolean();
        Thread.Builder.OfVirtual b = scheduler.virtualThreadBuilder();
        Thread looper = b.start(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            while (!otherRan.get() && System.nanoTime() < until) {
                // checkpoint() only after seeing the request, so the other thread can run only
                // through this yield (reading the flag and yielding separately would race the monitor)
                if (WorkStealingScheduler.preemptionRequested()) {
                    sawRequest.set(true);
                    WorkStealingScheduler.checkpoint();
                }
            }
        });
        Thread.sleep(20); // let the loop take the only carrier first (not needed for correctness)
        Thread other = b.start(() -> otherRan.set(true));
        assertTrue(other.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertTrue(looper.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertTrue(otherRan.get());
        assertTrue(sawRequest.get(), "the loop was asked to yield: " + scheduler.stats());
        assertTrue(scheduler.stats().preemptionRequests() >= 1);
        assertEquals(0, scheduler.stats().handOffs(), "the yield, not a hand-off, let the other run");
    }

    @Test
    void aVirtualThreadThatPinsItsCarrierHasItsProcessorHandedOff() throws Exception {
        start(1);
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("mn-fifo");
        java.nio.file.Path fifo = dir.resolve("pipe");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        CountDownLatch reading = new CountDownLatch(1);
        AtomicInteger got = new AtomicInteger(-2);
        Thread.Builder.OfVirtual b = scheduler.virtualThreadBuilder();
        // Opening and reading a FIFO with FileInputStream blocks in native code: the virtual thread
        // pins its carrier, and the JDK compensates only on its own ForkJoinPool carriers.
        Thread reader = b.start(() -> {
            reading.countDown();
            try (var in = new java.io.FileInputStream(fifo.toFile())) {
                got.set(in.read());
            } catch (Exception e) {
                violations.add("fifo read: " + e);
            }
        });
        assertTrue(reading.await(WAIT_S, TimeUnit.SECONDS));
        CountDownLatch othersRan = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            b.start(othersRan::countDown);
        }
        assertTrue(othersRan.await(WAIT_S, TimeUnit.SECONDS), "the others ran while the reader pinned the carrier");
        assertTrue(scheduler.stats().handOffs() >= 1, scheduler.stats().toString());
        try (var out = new java.io.FileOutputStream(fifo.toFile())) {
            out.write(7);
        }
        assertTrue(reader.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertEquals(7, got.get());
        assertTrue(violations.isEmpty(), violations.toString());
        java.nio.file.Files.deleteIfExists(fifo);
        java.nio.file.Files.deleteIfExists(dir);
    }

    @Test
    void closeFromOneOfItsVirtualThreadsDoesNotWaitForItself() throws Exception {
        start(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread vt = scheduler.virtualThreadBuilder().start(() -> {
            scheduler.close(); // waiting here would wait for this very thread
            closed.countDown();
        });
        assertTrue(closed.await(WAIT_S, TimeUnit.SECONDS), "close() returned on a carried virtual thread");
        assertTrue(vt.join(java.time.Duration.ofSeconds(WAIT_S)));
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
    }

    @Test
    void withoutTheFlagAForkedJvmGetsAClearError() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), MissingOpensMain.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("UOE: Virtual threads carried by a WorkStealingScheduler need the JVM flag --add-opens java.base/java.lang=ALL-UNNAMED"), out);
        assertTrue(out.contains("executor still works: 42"), out);
    }
}
