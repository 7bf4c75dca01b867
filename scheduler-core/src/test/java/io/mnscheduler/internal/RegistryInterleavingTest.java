package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of the end of a virtual thread's first run
 * (VirtualThreadRegistry.afterFirstRun: its run parked the thread) against later runs on other
 * workers (afterLaterRun), the last of which ends the thread: the thread is taken off the live
 * count exactly once, whichever order the state reads, the track and the removals take, and no
 * table keeps it. The state is a volatile flag here, as VirtualThread.state is there.
 */
@Tag("interleavings")
class RegistryInterleavingTest {

    private static final class Run implements InterleavingExplorer.Execution {
        private final VirtualThreadRegistry registry = new VirtualThreadRegistry(3, 2);
        private final Thread thread = Thread.ofVirtual().unstarted(() -> { });
        private final AtomicInteger off = new AtomicInteger();
        private final boolean parksAgain;
        private volatile boolean ended;

        Run(boolean parksAgain) {
            this.parksAgain = parksAgain;
            assertTrue(registry.start(-1, thread, () -> true)); // started from outside
        }

        private boolean ended(Thread t) {
            Interleavings.point();
            return ended;
        }

        @Override
        public List<Runnable> threads() {
            Runnable first = () -> off.addAndGet(registry.afterFirstRun(0, thread, this::ended) ? 1 : 0);
            Runnable last = () -> {
                Interleavings.point();
                ended = true; // this run ended the thread
                off.addAndGet(registry.afterLaterRun(1, thread, this::ended) ? 1 : 0);
            };
            if (!parksAgain) {
                return List.of(first, last);
            }
            // A second run on processor 1 parked it again; a third, on processor 2, ends it.
            Runnable middle = () -> off.addAndGet(registry.afterLaterRun(1, thread, this::ended) ? 1 : 0);
            Runnable third = () -> {
                Interleavings.point();
                ended = true;
                off.addAndGet(registry.afterLaterRun(2, thread, this::ended) ? 1 : 0);
            };
            return List.of(first, middle, third);
        }

        @Override
        public void check() {
            assertEquals(1, off.get(), "taken off the live count exactly once");
            assertEquals(0, registry.count(), "no live thread counted");
            assertTrue(registry.threads().isEmpty(), "no table keeps it");
        }
    }

    @Test
    void aFirstRunsEndAgainstTheRunThatEndsTheThread() {
        InterleavingExplorer.exploreAll(4, () -> new Run(false));
    }

    @Test
    void aFirstRunsEndAgainstARunThatParksAgainAndOneThatEnds() {
        InterleavingExplorer.exploreAll(3, () -> new Run(true));
    }
}
