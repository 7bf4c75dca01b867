package io.mnscheduler.internal;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The explorer must find a planted race, and must count schedules as the combinatorics say. */
@Tag("interleavings")
class InterleavingExplorerSelfInterleavingTest {

    /** Two threads each do a non-atomic increment: read, then write. */
    private static final class LostUpdate implements InterleavingExplorer.Execution {
        private volatile int value;

        @Override
        public List<Runnable> threads() {
            Runnable increment = () -> {
                Interleavings.point();
                int v = value;
                Interleavings.point();
                value = v + 1;
            };
            return List.of(increment, increment);
        }

        @Override
        public void check() {
            assertEquals(2, value, "lost update");
        }
    }

    @Test
    void findsALostUpdate() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> InterleavingExplorer.explore(LostUpdate::new, 1, 1_000));
        assertTrue(e.getMessage().contains("lost update"), e.getMessage());
    }

    @Test
    void runsEveryScheduleOfTwoThreadsOfTwoStepsWithUnboundedPreemption() {
        // Each thread has 3 steps (start, after point 1, after point 2): C(6, 3) = 20 interleavings.
        var result = InterleavingExplorer.explore(() -> new InterleavingExplorer.Execution() {
            @Override
            public List<Runnable> threads() {
                Runnable twoPoints = () -> {
                    Interleavings.point();
                    Interleavings.point();
                };
                return List.of(twoPoints, twoPoints);
            }

            @Override
            public void check() {
            }
        }, 10, 1_000);
        assertTrue(result.exhaustive());
        assertEquals(20, result.schedules());
    }
}
