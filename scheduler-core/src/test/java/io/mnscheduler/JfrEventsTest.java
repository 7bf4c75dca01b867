package io.mnscheduler;

import jdk.jfr.Configuration;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static io.mnscheduler.ObservabilityTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each JFR event provoked and its fields read back from a recording stream, which runs with the
 * settings of the {@code .jfc} file shipped in the jar (every event on; steals and overflows
 * throttled to 100 a second), a short sample period, and overflows unthrottled. Each test names its scheduler and looks only at
 * events of that name.
 */
class JfrEventsTest {
    private static final Queue<RecordedEvent> EVENTS = new ConcurrentLinkedQueue<>();
    private static RecordingStream stream;

    @BeforeAll
    static void record() throws Exception {
        try (Reader jfc = new InputStreamReader(Objects.requireNonNull(
                WorkStealingScheduler.class.getResourceAsStream("/io/mnscheduler/mn-scheduler.jfc"),
                "mn-scheduler.jfc in the jar"), StandardCharsets.UTF_8)) {
            stream = new RecordingStream(Configuration.create(jfc));
        }
        stream.enable("io.mnscheduler.ProcessorSample").withPeriod(Duration.ofMillis(100));
        stream.enable("io.mnscheduler.Overflow").with("throttle", "off"); // one event per overflow, to count them
        stream.setMaxAge(Duration.ofMinutes(5));
        stream.onEvent(e -> {
            if (e.getEventType().getName().startsWith("io.mnscheduler.")) {
                EVENTS.add(e);
            }
        });
        stream.startAsync();
    }

    @AfterAll
    static void stop() {
        stream.close();
    }

    private static RecordedEvent awaitEvent(String type, String scheduler, Predicate<RecordedEvent> also)
            throws InterruptedException {
        Predicate<RecordedEvent> match = e -> e.getEventType().getName().equals("io.mnscheduler." + type)
                && scheduler.equals(e.getString("scheduler")) && also.test(e);
        await(() -> EVENTS.stream().anyMatch(match), type + " of " + scheduler + " recorded");
        return EVENTS.stream().filter(match).findFirst().orElseThrow();
    }

    private static void awaitRelease(CountDownLatch started, CountDownLatch release) {
        started.countDown();
        try {
            release.await(); // the blocking method the hand-off's stack must name; WAITING throughout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBlockedTaskGivesAHandOffWithItsStackAndASpareStart() throws Exception {
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).name("jfr-handoff")
                .preemptionTick(Duration.ofMillis(1)).spareKeepAlive(Duration.ofMillis(50)).build();
             AutoCloseable unblock = release::countDown) { // closed first: a failed assertion cannot hang close()
            s.execute(() -> awaitRelease(started, release));
            assertTrue(started.await(60, TimeUnit.SECONDS));
            Future<?> behind = s.submit(() -> { });
            behind.get(60, TimeUnit.SECONDS); // runs only once the processor is handed off
            RecordedEvent handOff = awaitEvent("HandOff", "jfr-handoff", e -> true);
            assertEquals(0, handOff.getInt("processor"));
            assertEquals("parked at Java level", handOff.getString("reason"));
            assertTrue(handOff.getString("threadState").startsWith("WAITING"), handOff.getString("threadState"));
            assertTrue(handOff.getLong("runTime") > 0);
            assertEquals("jfr-handoff-worker-0", handOff.getThread("worker").getJavaName());
            String stack = handOff.getString("taskStack");
            assertTrue(stack.contains("java.util.concurrent.CountDownLatch.await"), stack);
            assertTrue(stack.contains("JfrEventsTest.awaitRelease"), stack);
            assertFalse(stack.contains("WorkerLoop"), "cut at the scheduler's frames: " + stack);
            RecordedEvent spare = awaitEvent("SpareWorkerStart", "jfr-handoff", e -> true);
            assertEquals(0, spare.getInt("processor"));
            assertTrue(spare.getThread("spare").getJavaName().startsWith("jfr-handoff-worker-spare-"));
            assertTrue(spare.getInt("workerThreads") >= 2);
            release.countDown();
            RecordedEvent exit = awaitEvent("SpareWorkerExit", "jfr-handoff", e -> true); // keep-alive 50 ms
            assertTrue(exit.getString("worker").startsWith("jfr-handoff-worker-"), exit.getString("worker"));
        }
    }

    @Test
    void blockingAndCheckpointAreTheirOwnReasons() throws Exception {
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).name("jfr-reasons")
                .preemptionTick(Duration.ofMillis(1)).build();
             AutoCloseable unblock = release::countDown) {
            s.execute(() -> WorkStealingScheduler.blocking(() -> awaitRelease(inside, release)));
            assertTrue(inside.await(60, TimeUnit.SECONDS));
            s.submit(() -> { }).get(60, TimeUnit.SECONDS);
            RecordedEvent blocking = awaitEvent("HandOff", "jfr-reasons", e -> e.getString("reason").equals("blocking()"));
            assertTrue(blocking.getString("taskStack").contains("JfrEventsTest.awaitRelease"));
            release.countDown();

            CountDownLatch spinning = new CountDownLatch(1);
            s.execute(() -> {
                spinning.countDown();
                while (!WorkStealingScheduler.preemptionRequested()) {
                    Thread.onSpinWait();
                }
                WorkStealingScheduler.checkpoint();
            });
            assertTrue(spinning.await(60, TimeUnit.SECONDS));
            s.submit(() -> { }).get(60, TimeUnit.SECONDS);
            RecordedEvent request = awaitEvent("PreemptionRequest", "jfr-reasons", e -> true); // a running task's
            assertEquals(0, request.getInt("processor"));
            assertTrue(request.getLong("runTime") >= Duration.ofMillis(1).toNanos(), "a whole tick");
            RecordedEvent checkpoint = awaitEvent("HandOff", "jfr-reasons", e -> e.getString("reason").equals("checkpoint()"));
            assertTrue(checkpoint.getString("taskStack").startsWith("at io.mnscheduler.WorkStealingScheduler.checkpoint"),
                    checkpoint.getString("taskStack"));
        }
    }

    @Test
    void theCapGivesHandOffDelayed() throws Exception {
        CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1);
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).maxWorkers(1).name("jfr-cap")
                .preemptionTick(Duration.ofMillis(1)).build();
             AutoCloseable unblock = release::countDown) {
            s.execute(() -> awaitRelease(started, release));
            assertTrue(started.await(60, TimeUnit.SECONDS));
            Future<?> behind = s.submit(() -> { });
            RecordedEvent delayed = awaitEvent("HandOffDelayed", "jfr-cap", e -> true);
            assertEquals(1, delayed.getInt("maxWorkers"));
            assertEquals("maxWorkers reached", delayed.getString("reason"));
            release.countDown();
            behind.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void stealsAndSamplesAreRecorded() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).name("jfr-steal")
                .preemptionTick(Duration.ofHours(1)).build()) {
            int n = 64;
            AtomicInteger ranElsewhere = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(n);
            s.execute(() -> {
                Thread self = Thread.currentThread();
                for (int i = 0; i < n; i++) { // into this processor's queue (256 places): nothing goes global
                    s.execute(() -> {
                        if (Thread.currentThread() != self) {
                            ranElsewhere.incrementAndGet();
                        }
                        done.countDown();
                    });
                }
                try {
                    // Hold the processor until the other worker has run some: only a steal can give it
                    // any, as the hour-long tick rules out a hand-off.
                    while (ranElsewhere.get() == 0) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(done.await(60, TimeUnit.SECONDS));
            RecordedEvent steal = awaitEvent("Steal", "jfr-steal", e -> true);
            assertTrue(steal.getInt("thief") != steal.getInt("victim"));
            assertTrue(steal.getInt("tasks") >= 1);
            assertTrue(steal.getBoolean("sameGroup"), "no placement groups: every victim counts as near");
            RecordedEvent sample = awaitEvent("ProcessorSample", "jfr-steal", e -> e.getLong("tasksExecuted") > 0);
            assertTrue(sample.getLong("busyTime") > 0);
            awaitEvent("ProcessorSample", "jfr-steal", e -> e.getInt("processor") == 1); // one per processor
        }
    }

    @Test
    void overflowsAreRecorded() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).localQueueCapacity(4)
                .name("jfr-overflow").build()) {
            CountDownLatch done = new CountDownLatch(20);
            s.execute(() -> {
                for (int i = 0; i < 20; i++) {
                    s.execute(done::countDown);
                }
            });
            assertTrue(done.await(60, TimeUnit.SECONDS));
            RecordedEvent overflow = awaitEvent("Overflow", "jfr-overflow", e -> true);
            assertEquals(0, overflow.getInt("processor"));
            assertEquals(3, overflow.getInt("tasks"), "half of a full queue of 4, and the task pushed");
            long overflows = s.stats().overflows(); // all done: no more overflows come
            // The stream delivers events in batches, at its flushes: wait for every one to arrive.
            ObservabilityTest.await(() -> EVENTS.stream().filter(e -> e.getEventType().getName()
                    .equals("io.mnscheduler.Overflow") && "jfr-overflow".equals(e.getString("scheduler"))).count() >= overflows,
                    "one event per overflow arrives");
            assertEquals(overflows, EVENTS.stream().filter(e -> e.getEventType().getName()
                    .equals("io.mnscheduler.Overflow") && "jfr-overflow".equals(e.getString("scheduler"))).count(),
                    "one event per overflow, with the throttle off: no more");
        }
    }
}
