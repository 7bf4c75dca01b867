package io.mnscheduler.internal.idle;

import io.mnscheduler.internal.InterleavingExplorer;
import io.mnscheduler.internal.Interleavings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of workers going to park against submitters: no
 * wake-up may be lost. After each schedule, if a task was made visible, some worker must be awake
 * (it saw the task in its final check) or have been handed to a submitter to wake; and the counts of
 * unparked and searching workers must match what the workers did. Any other outcome is forbidden.
 */
@Tag("interleavings")
class IdleInterleavingTest {

    /** Workers 0..n-1 each try to search, then park; submitters each publish one task and notify. */
    private static final class ParkRun implements InterleavingExplorer.Execution {
        private final Idle<Integer> idle;
        private final int workers;
        private final int alreadyParked;
        private final int submitters;
        private final AtomicInteger queued = new AtomicInteger();      // tasks made visible
        private final AtomicIntegerArray asleep = new AtomicIntegerArray(8);    // 1: decided to block
        private final AtomicIntegerArray notified = new AtomicIntegerArray(8);  // 1: a submitter will wake it
        private final AtomicIntegerArray searching = new AtomicIntegerArray(8); // 1: counted as searching at the end

        ParkRun(int workers, int alreadyParked, int submitters) {
            this.idle = new Idle<>(workers);
            this.workers = workers;
            this.alreadyParked = alreadyParked;
            this.submitters = submitters;
            for (int w = 0; w < alreadyParked; w++) {
                assertTrue(idle.prepareToPark(w, false, () -> false));
                asleep.set(w, 1);
            }
        }

        @Override
        public List<Runnable> threads() {
            List<Runnable> threads = new ArrayList<>();
            for (int w = alreadyParked; w < workers; w++) {
                int id = w;
                threads.add(() -> {
                    boolean search = idle.tryStartSearching();
                    // ... the steal rounds found nothing ...
                    if (idle.prepareToPark(id, search, () -> queued.get() > 0)) {
                        asleep.set(id, 1);
                    } else {
                        searching.set(id, 1); // its final check saw work: it searches again
                    }
                });
            }
            for (int k = 0; k < submitters; k++) {
                threads.add(() -> {
                    Interleavings.point();
                    queued.incrementAndGet();
                    Integer w = idle.workerToNotify();
                    if (w != null) {
                        notified.set(w, 1);
                        searching.set(w, 1);
                    }
                });
            }
            return threads;
        }

        @Override
        public void check() {
            int awake = 0;
            int unparked = 0;
            int searchers = 0;
            for (int w = 0; w < workers; w++) {
                boolean up = asleep.get(w) == 0 || notified.get(w) == 1;
                awake += up ? 1 : 0;
                unparked += up ? 1 : 0;
                searchers += searching.get(w);
            }
            if (queued.get() > 0) {
                assertTrue(awake > 0, "lost wake-up: a task is visible and every worker sleeps unnotified");
            }
            assertEquals(unparked, idle.unparkedCount(), "unparked count");
            assertEquals(searchers, idle.searchingCount(), "searching count");
            assertEquals(workers - unparked, idle.parkedCount(), "parked count");
        }
    }


    @Test
    void oneWorkerParksAsOneTaskArrives() {
        InterleavingExplorer.exploreAll(4, () -> new ParkRun(1, 0, 1));
    }

    @Test
    void theLastSearcherParksWhileTheOtherWorkerSleeps() {
        InterleavingExplorer.exploreAll(4, () -> new ParkRun(2, 1, 1));
    }

    @Test
    void twoWorkersParkAsOneTaskArrives() {
        InterleavingExplorer.exploreAll(3, () -> new ParkRun(2, 0, 1));
    }

    @Test
    void twoWorkersParkAsTwoTasksArrive() {
        InterleavingExplorer.exploreAll(2, () -> new ParkRun(2, 0, 2));
    }
}
