package io.mnscheduler;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builder arguments are checked at once; messages name the parameter, the value and what is allowed. */
class BuilderTest {

    private static void assertRejected(Runnable call, String... fragments) {
        RuntimeException e = assertThrows(RuntimeException.class, call::run);
        assertTrue(e instanceof IllegalArgumentException || e instanceof NullPointerException, e.toString());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void parallelismIsChecked() {
        assertRejected(() -> WorkStealingScheduler.builder().parallelism(0), "parallelism = 0", "allowed: 1 to 32767");
        assertRejected(() -> WorkStealingScheduler.builder().parallelism(-3), "parallelism = -3");
        assertRejected(() -> WorkStealingScheduler.builder().parallelism(40_000), "parallelism = 40000");
    }

    @Test
    void localQueueCapacityIsChecked() {
        assertRejected(() -> WorkStealingScheduler.builder().localQueueCapacity(100), "localQueueCapacity = 100", "power of two");
        assertRejected(() -> WorkStealingScheduler.builder().localQueueCapacity(1), "localQueueCapacity = 1");
        assertRejected(() -> WorkStealingScheduler.builder().localQueueCapacity(1 << 25), "localQueueCapacity = 33554432");
    }

    @Test
    void nullsAreRefusedByName() {
        assertRejected(() -> WorkStealingScheduler.builder().threadNamePrefix(null), "threadNamePrefix = null");
        assertRejected(() -> WorkStealingScheduler.builder().uncaughtExceptionHandler(null), "uncaughtExceptionHandler = null");
        assertRejected(() -> WorkStealingScheduler.builder().idleStrategy((org.agrona.concurrent.IdleStrategy) null), "idleStrategy = null");
    }

    @Test
    void durationsAreCheckedInTheirSettersIncludingOverflow() {
        java.time.Duration centuries = java.time.Duration.ofDays(365_000);
        assertRejected(() -> WorkStealingScheduler.builder().preemptionTick(centuries),
                "preemptionTick = " + centuries, "allowed: 100 µs (PT0.0001S) to PT2562047H47M16.854775807S");
        assertRejected(() -> WorkStealingScheduler.builder().preemptionTick(java.time.Duration.ofNanos(99_999)),
                "preemptionTick = PT0.000099999S");
        assertRejected(() -> WorkStealingScheduler.builder().spareKeepAlive(centuries),
                "spareKeepAlive = " + centuries, "allowed: a positive Duration up to PT2562047H47M16.854775807S");
        assertRejected(() -> WorkStealingScheduler.builder().spareKeepAlive(java.time.Duration.ZERO), "spareKeepAlive = PT0S");
        // The largest values accepted build and run: nothing overflows later.
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1)
                .preemptionTick(WorkStealingScheduler.Builder.MAX_DURATION)
                .spareKeepAlive(WorkStealingScheduler.Builder.MAX_DURATION).build()) {
            assertEquals(7, assertDoesNotThrow(() -> s.submit(() -> 7).get(30, TimeUnit.SECONDS)));
        }
    }

    @Test
    void settingsTakeEffect() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(3).localQueueCapacity(8)
                .threadNamePrefix("custom-").idleStrategy(() -> new BackoffIdleStrategy()).build()) {
            assertEquals(3, s.parallelism());
            assertEquals(3, s.stats().processors().size());
            String name = s.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS);
            assertTrue(name.startsWith("custom-"), name);
        }
    }

    @Test
    void twoSchedulersNeverShareAThreadNameAndToStringShowsTheCounts() throws Exception {
        try (WorkStealingScheduler a = WorkStealingScheduler.builder().parallelism(1).build();
             WorkStealingScheduler b = WorkStealingScheduler.builder().parallelism(1).build()) {
            assertTrue(a.name().matches("mn-\\d+") && b.name().matches("mn-\\d+"), a.name() + ", " + b.name());
            assertTrue(!a.name().equals(b.name()));
            assertEquals(a.name() + "-worker-0", a.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS));
            assertEquals(b.name() + "-worker-0", b.submit(() -> Thread.currentThread().getName()).get(30, TimeUnit.SECONDS));
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(a.name() + "-worker-monitor")));
            String text = a.toString();
            assertTrue(text.startsWith("WorkStealingScheduler[" + a.name() + ", running, parallelism = 1, threads = 1, "), text);
            for (String field : new String[]{"running = ", "searching = ", "parked = ", "executed = 1", "steals = ",
                    "local queued = 0", "global queued = 0", "hand-offs = 0", "delayed = 0", "virtual threads = 0"}) {
                assertTrue(text.contains(field), "'" + text + "' should contain '" + field + "'");
            }
        }
        try (WorkStealingScheduler c = WorkStealingScheduler.builder().parallelism(1).threadNamePrefix("app-").build()) {
            assertEquals("app-", c.name(), "a given prefix names the scheduler");
        }
    }

    @Test
    void createUsesTheAvailableProcessors() {
        try (WorkStealingScheduler s = WorkStealingScheduler.create()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), s.parallelism());
        }
    }
}
