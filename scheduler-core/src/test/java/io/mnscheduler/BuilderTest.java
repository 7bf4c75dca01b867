package io.mnscheduler;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

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
    void createUsesTheAvailableProcessors() {
        try (WorkStealingScheduler s = WorkStealingScheduler.create()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), s.parallelism());
        }
    }
}
