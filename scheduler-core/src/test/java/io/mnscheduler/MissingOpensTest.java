package io.mnscheduler;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * This test JVM runs without any flag: asking for virtual threads fails with a message that names
 * the flag, and the executor side keeps working.
 */
class MissingOpensTest {
    @Test
    void virtualThreadsNeedTheFlagAndSayWhich() throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, s::virtualThreadBuilder);
            assertTrue(e.getMessage().contains("--add-opens java.base/java.lang=ALL-UNNAMED"), e.getMessage());
            assertTrue(e.getCause() instanceof RuntimeException, "the JDK's refusal is chained as the cause: " + e.getCause());
            assertTrue(e.getMessage().contains(e.getCause().toString()), e.getMessage());
            assertThrows(UnsupportedOperationException.class, s::virtualThreadFactory);
            assertThrows(UnsupportedOperationException.class, s::newVirtualThreadPerTaskExecutor);
            assertEquals(3, s.submit(() -> 3).get(30, TimeUnit.SECONDS));
        }
    }
}
