package io.mnscheduler;

import org.junit.jupiter.api.Test;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MXBean, the scheduling-latency histogram, busy time and state counts, and schedtrace. */
class ObservabilityTest {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(5);
        }
    }

    private static ObjectName beanName(String name) throws Exception {
        return new ObjectName("io.mnscheduler:type=WorkStealingScheduler,name=" + name);
    }

    private static void runAndWait(WorkStealingScheduler s, int tasks) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(tasks);
        for (int i = 0; i < tasks; i++) {
            s.execute(done::countDown);
        }
        assertTrue(done.await(60, TimeUnit.SECONDS));
    }

    @Test
    void everyAttributeIsReadableAndTheBeanLeavesAtTermination() throws Exception {
        WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).name("jmx-attrs").build();
        ObjectName on = beanName("jmx-attrs");
        try {
            assertTrue(SERVER.isRegistered(on));
            runAndWait(s, 500);
            MBeanAttributeInfo[] attributes = SERVER.getMBeanInfo(on).getAttributes();
            assertTrue(attributes.length >= 27, "attributes: " + attributes.length);
            for (MBeanAttributeInfo a : attributes) {
                Object value = SERVER.getAttribute(on, a.getName());
                assertNotNull(value, a.getName());
                assertTrue(value instanceof Number || value instanceof String || value instanceof Boolean,
                        a.getName() + " is a plain type: " + value.getClass());
            }
            assertEquals("jmx-attrs", SERVER.getAttribute(on, "Name"));
            assertEquals(2, SERVER.getAttribute(on, "Parallelism"));
            assertEquals(2, SERVER.getAttribute(on, "WorkerThreads"));
            assertEquals(s.stats().tasksExecuted(), (long) SERVER.getAttribute(on, "TasksExecuted"));
            assertTrue((long) SERVER.getAttribute(on, "TasksExecuted") >= 500);
            assertEquals(0, SERVER.getAttribute(on, "GlobalQueuedTasks"));
            assertEquals(false, SERVER.getAttribute(on, "Shutdown"));
        } finally {
            s.close();
        }
        assertFalse(SERVER.isRegistered(on), "unregistered once terminated");
    }

    @Test
    void twoSchedulersCoexistAndNamesNeverClashSilently() throws Exception {
        try (WorkStealingScheduler a = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("shared-").build();
             WorkStealingScheduler b = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("shared-").build();
             WorkStealingScheduler c = WorkStealingScheduler.builder().parallelism(1).build();
             WorkStealingScheduler d = WorkStealingScheduler.builder().parallelism(1).name("taken").build()) {
            assertEquals("shared-", a.name());
            assertEquals("shared-#2", b.name(), "a derived name gets a suffix");
            assertTrue(SERVER.isRegistered(beanName("shared-")) && SERVER.isRegistered(beanName("shared-#2")));
            assertTrue(SERVER.isRegistered(beanName(c.name())));
            IllegalStateException clash = assertThrows(IllegalStateException.class,
                    () -> WorkStealingScheduler.builder().parallelism(1).name("taken").build());
            assertTrue(clash.getMessage().contains("\"taken\"") && clash.getMessage().contains("registerMXBean(false)"),
                    clash.getMessage());
            try (WorkStealingScheduler unregistered = WorkStealingScheduler.builder().parallelism(1).name("taken")
                    .registerMXBean(false).build()) {
                assertEquals("taken", unregistered.name());
                assertEquals(1, unregistered.submit(() -> 1).get(30, TimeUnit.SECONDS));
            }
            assertTrue(SERVER.isRegistered(beanName("taken")), "the first one keeps its bean");
            assertEquals(d.name(), SERVER.getAttribute(beanName("taken"), "Name"));
        }
        assertFalse(SERVER.isRegistered(beanName("shared-#2")));
    }

    @Test
    void namesWithSpecialCharactersAreQuoted() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).name("a,b=c").build()) {
            assertTrue(SERVER.isRegistered(new ObjectName("io.mnscheduler:type=WorkStealingScheduler,name="
                    + ObjectName.quote("a,b=c"))));
            assertEquals("a,b=c", s.name());
        }
        assertThrows(IllegalArgumentException.class, () -> WorkStealingScheduler.builder().name(" "));
        assertThrows(NullPointerException.class, () -> WorkStealingScheduler.builder().name(null));
    }

    @Test
    void everySubmissionIsTimedWhenSamplingIsOne() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).schedulingLatencySampling(1).build()) {
            runAndWait(s, 2_000);
            LatencyHistogram h = s.stats().schedulingLatency();
            assertEquals(2_000, h.count());
            assertEquals(1, h.sampleOneIn());
            long sum = 0;
            for (int i = 0; i < h.buckets(); i++) {
                sum += h.countAt(i);
                assertTrue(h.lowerBoundNanos(i) <= h.upperBoundNanos(i));
            }
            assertEquals(h.count(), sum);
            assertTrue(h.valueAtQuantile(0.5).compareTo(h.valueAtQuantile(0.99)) <= 0);
            assertTrue(h.valueAtQuantile(0.99).compareTo(h.valueAtQuantile(1)) <= 0);
            assertTrue(h.totalTime().toNanos() > 0 && h.mean().toNanos() > 0);
            assertThrows(IllegalArgumentException.class, () -> h.valueAtQuantile(1.5));
        }
    }

    @Test
    void samplingIsOffByDefault() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).build()) {
            runAndWait(s, 1_000);
            LatencyHistogram h = s.stats().schedulingLatency();
            assertEquals(0, h.sampleOneIn());
            assertEquals(0, h.count());
        }
    }

    @Test
    void theSamplingRateIsHonoured() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).schedulingLatencySampling(8).build();
             WorkStealingScheduler off = WorkStealingScheduler.builder().parallelism(2).schedulingLatencySampling(0).build()) {
            runAndWait(s, 16_000);
            long n = s.stats().schedulingLatency().count();
            // Binomial(16000, 1/8): mean 2000, sd 42; 700 is more than 16 sd away.
            assertTrue(n > 1_300 && n < 2_700, "samples: " + n);
            runAndWait(off, 1_000);
            assertEquals(0, off.stats().schedulingLatency().count());
            assertEquals(Duration.ZERO, off.stats().schedulingLatency().valueAtQuantile(0.5));
        }
        assertThrows(IllegalArgumentException.class, () -> WorkStealingScheduler.builder().schedulingLatencySampling(-1));
        assertThrows(IllegalArgumentException.class, () -> WorkStealingScheduler.builder().schedulingLatencySampling((1 << 20) + 1));
    }

    @Test
    void submissionsFromWorkersAndVirtualThreadWakeUpsAreTimedAndUnwrappedTasksAreHandedBack() throws Exception {
        WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).schedulingLatencySampling(1).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        List<Runnable> queued = new ArrayList<>();
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
            Runnable r = () -> { };
            queued.add(r);
            s.execute(r);
        }
        List<Runnable> handedBack = s.shutdownNow();
        assertEquals(queued.size(), handedBack.size());
        assertTrue(handedBack.containsAll(queued), "the tasks themselves, not the sampling wrappers");
        release.countDown();
        assertTrue(s.awaitTermination(60, TimeUnit.SECONDS));
    }

    @Test
    void busyTimeAndStateCountsFollowTheWork() throws Exception {
        long before = System.nanoTime();
        WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(2).preemptionTick(Duration.ofMillis(1)).build();
        try {
            runAndWait(s, 1_000);
            await(() -> s.stats().parkedProcessors() == 2, "both processors park");
            SchedulerStats idle = s.stats();
            assertEquals(0, idle.runningProcessors());
            assertEquals(2, idle.workersWithProcessor());
            assertEquals(0, idle.workersWithoutProcessor());
            assertTrue(idle.busyNanos() > 0, "busy " + idle.busyNanos());
            assertEquals(idle.busyNanos(), idle.processors().stream().mapToLong(SchedulerStats.ProcessorStats::busyNanos).sum());

            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(2);
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
            assertEquals(2, s.stats().runningProcessors());
            Future<?> behind = s.submit(() -> { });
            await(() -> s.stats().handOffs() >= 1, "a blocked processor is handed off");
            behind.get(60, TimeUnit.SECONDS);
            await(() -> s.stats().workersWithoutProcessor() >= 1, "the blocked worker counts as one without a processor");
            release.countDown();
        } finally {
            s.close();
        }
        long elapsed = System.nanoTime() - before;
        assertTrue(s.stats().busyNanos() <= 2 * elapsed, "busy " + s.stats().busyNanos() + " within 2 x " + elapsed);
    }

    @Test
    void schedtraceLogsAtTheIntervalAndStopsAtTermination() throws Exception {
        List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger("io.mnscheduler.schedtrace");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        WorkStealingScheduler s;
        System.setProperty("io.mnscheduler.schedtrace", "20ms");
        try {
            s = WorkStealingScheduler.builder().parallelism(2).name("traced").build();
        } finally {
            System.clearProperty("io.mnscheduler.schedtrace");
        }
        try {
            runAndWait(s, 100);
            await(() -> lines.stream().filter(l -> l.startsWith("SCHED traced ")).count() >= 3, "three schedtrace lines");
            String line = lines.stream().filter(l -> l.startsWith("SCHED traced ")).findFirst().orElseThrow();
            assertTrue(line.matches("SCHED traced \\d+ms: parallelism=2 idle=\\d+"
                    + " searching=\\d+ running=\\d+ threads=\\d+ spares=\\d+ handoffs=\\d+ delayed=\\d+ global=\\d+ \\[\\d+ \\d+]"),
                    line);
            Thread trace = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("traced-schedtrace"))
                    .findFirst().orElseThrow();
            s.close();
            trace.join(60_000);
            assertFalse(trace.isAlive(), "schedtrace stops at termination");
        } finally {
            s.close();
            logger.removeHandler(handler);
        }
        assertEquals(null, Observability.schedtraceInterval(null));
        assertEquals(Duration.ofSeconds(1), Observability.schedtraceInterval("1s"));
        assertEquals(Duration.ofMillis(500), Observability.schedtraceInterval("500ms"));
        assertEquals(Duration.ofSeconds(2), Observability.schedtraceInterval("PT2S"));
        assertEquals(null, Observability.schedtraceInterval("soon"), "malformed: a warning, and no trace");
        assertEquals(null, Observability.schedtraceInterval("10us"), "below 1 ms");
    }
}
