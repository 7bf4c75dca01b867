package io.mnscheduler;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Builder.threadFactory}: every thread of the scheduler (workers, spares, the monitor) comes
 * from the factory, keeps its daemon status and its name if it has one, and a factory that fails
 * gets a clear error at {@code build()}, or, at a hand-off, leaves the scheduler running on the
 * threads it has. Waits are on conditions, with generous timeouts.
 */
class ThreadFactoryTest {
    private static final long WAIT_S = 60;

    private WorkStealingScheduler scheduler;

    @AfterEach
    void close() throws InterruptedException {
        if (scheduler != null) {
            scheduler.shutdownNow();
            assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        }
    }

    /** Records every thread it makes; fails (throws, or returns null) on the calls {@code fails} picks. */
    private static final class RecordingFactory implements ThreadFactory {
        final List<Thread> made = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        private final boolean daemon;
        private final String names;   // null: leave the JDK's default name
        private final IntPredicate throwsOnCall;
        private final IntPredicate nullOnCall;
        final ClassLoader loader = new ClassLoader(ThreadFactoryTest.class.getClassLoader()) { };

        RecordingFactory(boolean daemon, String names, IntPredicate throwsOnCall, IntPredicate nullOnCall) {
            this.daemon = daemon;
            this.names = names;
            this.throwsOnCall = throwsOnCall;
            this.nullOnCall = nullOnCall;
        }

        RecordingFactory(boolean daemon, String names) {
            this(daemon, names, n -> false, n -> false);
        }

        @Override
        public Thread newThread(Runnable body) {
            int n = calls.incrementAndGet();
            if (throwsOnCall.test(n)) {
                throw new IllegalStateException("no threads today (call " + n + ")");
            }
            if (nullOnCall.test(n)) {
                return null;
            }
            Thread t = names == null ? new Thread(body) : new Thread(body, names + n);
            t.setDaemon(daemon);
            t.setContextClassLoader(loader);
            made.add(t);
            return t;
        }

        @Override
        public String toString() {
            return "RecordingFactory";
        }
    }

    private static Set<Thread> liveThreadsNamed(String prefix) {
        Set<Thread> live = ConcurrentHashMap.newKeySet();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                live.add(t);
            }
        }
        return live;
    }

    @Test
    void everyWorkerAndTheMonitorComeFromTheFactoryKeepingItsDaemonStatusAndLoader() throws Exception {
        RecordingFactory factory = new RecordingFactory(false, null);
        scheduler = WorkStealingScheduler.builder().parallelism(2).threadNamePrefix("made-").threadFactory(factory).build();
        assertEquals(3, factory.calls.get(), "build() makes one thread per processor and the monitor");
        Future<Thread> ran = scheduler.submit(Thread::currentThread);
        Thread worker = ran.get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(factory.made.contains(worker), "the task ran on a thread the factory made");
        assertFalse(worker.isDaemon(), "the factory's daemon status is kept");
        assertSame(factory.loader, scheduler.submit(() -> Thread.currentThread().getContextClassLoader())
                .get(WAIT_S, TimeUnit.SECONDS), "what the factory set up on its threads is there for tasks");
        assertTrue(worker.getName().matches("made-\\d"), "an unnamed thread is named after the scheduler: " + worker.getName());
        assertTrue(factory.made.stream().anyMatch(t -> t.getName().equals("made-monitor")), factory.made.toString());
    }

    @Test
    void aTaskOnTheFactorysThreadSubmitsToItsOwnProcessor() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadFactory(new RecordingFactory(true, "local-"))
                .preemptionTick(java.time.Duration.ofSeconds(1)).handOffTicks(1000).build(); // no hand-off meanwhile
        CountDownLatch childRan = new CountDownLatch(1);
        SchedulerStats seen = scheduler.submit(() -> {
            scheduler.execute(childRan::countDown);
            return scheduler.stats(); // one worker, no spare: the child waits in this processor's runnext slot
        }).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(childRan.await(WAIT_S, TimeUnit.SECONDS));
        assertEquals(1, seen.localQueueDepth(), "the worker was found from its thread, so the child went local: " + seen);
        assertEquals(0, seen.globalQueueDepth(), seen.toString());
    }

    @Test
    void namesTheFactoryGaveAreKeptAndTheDefaultIsDaemon() throws Exception {
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadFactory(new RecordingFactory(true, "app-pool-")).build();
        Thread worker = scheduler.submit(Thread::currentThread).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(worker.getName().startsWith("app-pool-"), worker.getName());
        scheduler.close();
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("plain-").build();
        Thread plain = scheduler.submit(Thread::currentThread).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(plain.isDaemon(), "without a factory the workers are daemons");
        assertEquals("plain-0", plain.getName());
    }

    /** A task that announces a blocking section and waits there for {@code release}; returns once it is inside. */
    private Future<?> blockTheOnlyWorker(CountDownLatch release) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        Future<?> blocker = scheduler.submit(() -> WorkStealingScheduler.blocking(() -> {
            blocked.countDown();
            return release.await(WAIT_S, TimeUnit.SECONDS);
        }));
        assertTrue(blocked.await(WAIT_S, TimeUnit.SECONDS));
        return blocker;
    }

    @Test
    void aSpareMadeByAHandOffComesFromTheFactory() throws Exception {
        RecordingFactory factory = new RecordingFactory(true, null);
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("spare-test-").threadFactory(factory).build();
        CountDownLatch release = new CountDownLatch(1);
        Future<?> blocker = blockTheOnlyWorker(release);
        Thread behind = scheduler.submit(Thread::currentThread).get(WAIT_S, TimeUnit.SECONDS); // runs only on a spare
        release.countDown();
        blocker.get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(factory.made.contains(behind), "the spare's thread came from the factory");
        assertEquals("spare-test-spare-1", behind.getName());
        assertEquals(3, factory.calls.get(), "worker, monitor, one spare");
    }

    @Test
    void aFactoryReturningNullOrAVirtualThreadOrThrowingFailsBuildNamingItAndStartsNothing() {
        RecordingFactory nulls = new RecordingFactory(true, "null-", n -> false, n -> n == 2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkStealingScheduler.builder().parallelism(3).threadFactory(nulls).build());
        assertTrue(e.getMessage().contains("threadFactory RecordingFactory returned null"), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: a new, unstarted platform thread"), e.getMessage());
        assertTrue(nulls.made.stream().noneMatch(Thread::isAlive), "nothing was started");

        RecordingFactory throwing = new RecordingFactory(true, "throw-", n -> n == 3, n -> false);
        e = assertThrows(IllegalStateException.class,
                () -> WorkStealingScheduler.builder().parallelism(3).threadFactory(throwing).build());
        assertTrue(e.getMessage().contains("threadFactory RecordingFactory threw"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("no threads today"));
        assertTrue(throwing.made.stream().noneMatch(Thread::isAlive), "nothing was started");

        ThreadFactory virtual = Thread.ofVirtual().factory();
        e = assertThrows(IllegalStateException.class,
                () -> WorkStealingScheduler.builder().parallelism(1).threadFactory(virtual).build());
        assertTrue(e.getMessage().contains("returned a virtual thread"), e.getMessage());
    }

    @Test
    void aFirstWorkerThatCannotStartFailsBuildAndLeavesNothingRunning() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ThreadFactory refusing = body -> {
            int n = calls.incrementAndGet();
            return new Thread(body, "refused-" + n) {
                @Override
                public synchronized void start() {
                    throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
                }
            };
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WorkStealingScheduler.builder().parallelism(4).threadFactory(refusing).build());
        assertTrue(e.getMessage().startsWith("Could not start worker thread refused-1"), e.getMessage());
        assertInstanceOf(OutOfMemoryError.class, e.getCause());

        // The first worker starts, the monitor (the third thread made) cannot: the worker is stopped again.
        CopyOnWriteArrayList<Thread> made = new CopyOnWriteArrayList<>();
        ThreadFactory noMonitor = body -> {
            Thread t = new Thread(body, "nm-" + (made.size() + 1)) {
                @Override
                public synchronized void start() {
                    if (getName().equals("nm-3")) {
                        throw new OutOfMemoryError("unable to create native thread");
                    }
                    super.start();
                }
            };
            made.add(t);
            return t;
        };
        e = assertThrows(IllegalStateException.class,
                () -> WorkStealingScheduler.builder().parallelism(2).threadFactory(noMonitor).build());
        assertTrue(e.getMessage().startsWith("Could not start the monitor thread nm-3"), e.getMessage());
        assertEquals(3, made.size());
        for (Thread t : made) {
            t.join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertFalse(t.isAlive(), t + " still runs after the failed build()");
        }
    }

    @Test
    void aWorkerThreadThatCannotStartWhenFirstNeededLeavesTheSchedulerRunningOnTheOthers() throws Exception {
        AtomicInteger refusedStarts = new AtomicInteger();
        ThreadFactory secondRefuses = body -> new Thread(body) {
            @Override
            public synchronized void start() {
                if (getName().equals("lazy-1")) {
                    refusedStarts.incrementAndGet();
                    throw new OutOfMemoryError("unable to create native thread");
                }
                super.start();
            }
        };
        scheduler = WorkStealingScheduler.builder().parallelism(2).threadNamePrefix("lazy-").threadFactory(secondRefuses).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = scheduler.submit(() -> {
            started.countDown();
            return release.await(WAIT_S, TimeUnit.SECONDS);
        });
        assertTrue(started.await(WAIT_S, TimeUnit.SECONDS));
        // Worker 0 runs a task and does not search: this submission wakes worker 1, whose thread cannot start.
        Future<String> second = scheduler.submit(() -> Thread.currentThread().getName());
        assertEquals(1, refusedStarts.get(), "the second submission needed worker 1, and its start was refused");
        release.countDown();
        holder.get(WAIT_S, TimeUnit.SECONDS);
        String ranOn = second.get(WAIT_S, TimeUnit.SECONDS);
        // On worker 0, or on a spare if the monitor handed processor 0 off while worker 1 counted as waking.
        assertTrue(ranOn.equals("lazy-0") || ranOn.startsWith("lazy-spare-"), ranOn);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1000; i++) {
            scheduler.execute(ran::incrementAndGet);
        }
        scheduler.shutdown();
        assertTrue(scheduler.awaitTermination(WAIT_S, TimeUnit.SECONDS));
        assertEquals(1000, ran.get(), "every task accepted ran once");
        assertEquals(1, refusedStarts.get(), "a retired worker is not started again");
    }

    @Test
    void aFactoryThatFailsAtAHandOffLeavesTheSchedulerRunningOnTheThreadsItHas() throws Exception {
        RecordingFactory failsAfterBuild = new RecordingFactory(true, null, n -> n > 2, n -> false);
        scheduler = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("no-spare-")
                .threadFactory(failsAfterBuild).build();
        CountDownLatch release = new CountDownLatch(1);
        Future<?> blocker = blockTheOnlyWorker(release);
        Future<String> behind = scheduler.submit(() -> Thread.currentThread().getName());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (scheduler.stats().handOffsDelayed() == 0 && System.nanoTime() < until) {
            Thread.sleep(1); // polling a condition: the monitor tried a hand-off and found no thread
        }
        assertTrue(scheduler.stats().handOffsDelayed() > 0, "the failed hand-off is counted: " + scheduler.stats());
        assertTrue(failsAfterBuild.calls.get() > 2, "a spare was asked of the factory");
        assertFalse(behind.isDone(), "no spare: the task waits behind the blocked one");
        release.countDown();
        blocker.get(WAIT_S, TimeUnit.SECONDS);
        assertEquals("no-spare-0", behind.get(WAIT_S, TimeUnit.SECONDS), "the worker it had ran it");
        assertNotNull(scheduler.stats());
        assertTrue(liveThreadsNamed("no-spare-spare").isEmpty(), "no spare thread exists");
    }

    @Test
    void aNullFactoryIsRefusedByName() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> WorkStealingScheduler.builder().threadFactory(null));
        assertTrue(e.getMessage().contains("threadFactory = null; allowed: any non-null ThreadFactory"), e.getMessage());
    }
}
