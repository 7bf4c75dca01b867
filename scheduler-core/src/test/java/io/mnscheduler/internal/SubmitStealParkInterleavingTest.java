package io.mnscheduler.internal;

import io.mnscheduler.internal.queue.Task;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of a worker's own submissions against a thief and
 * a worker going to park, on the real engine: the task running on processor 0 submits children
 * through the real submitLocal (runnext filled by a releasing store when empty, swapped otherwise;
 * the wake-up check made only when the queue was empty), while
 * the worker of processor 1 searches with the real search (steal rounds, the runnext steal on the
 * last round, the global poll) and parks through Idle's real final check, and the worker of
 * processor 2 sleeps from the start.
 *
 * The thief takes runnext by holding processor 0's state word in STEALING for a few steps; in one
 * variant the task then ends, and its worker, waiting out the thief, takes what is left as owner.
 *
 * <p>After each schedule: every child came out exactly once (stolen, taken by its owner, still on
 * processor 0, or in the global queue); and if a child is still in processor 0's queue, where its
 * busy worker cannot run it until its task ends, some other worker is awake or was handed to a
 * submitter to wake. A child left only in processor 0's runnext slot is its own worker's next
 * task (taken when the task ends, as the variant that ends it shows, or by a spare if the monitor
 * hands the processor off): it needs no other worker. The second property is what skipping the
 * wake-up check must not break. Any other outcome is forbidden.
 */
@Tag("interleavings")
class SubmitStealParkInterleavingTest {


    private static final class Run implements InterleavingExplorer.Execution {
        private final Scheduler engine = ExploredEngines.unstarted(3, 6);
        private final Processor busy = engine.processor(0);
        private final Processor thiefs = engine.processor(1);
        private final Worker submitter = busy.owner;
        private final Worker thief = thiefs.owner;
        private final Worker sleeper = engine.processor(2).owner;
        private final AtomicIntegerArray seen = new AtomicIntegerArray(8);
        private final int children;
        private final int searches;
        private final boolean endsTask;
        private volatile boolean thiefBlocked; // written by the thief's thread, read by check() after it ended

        Run(int children, int searches, boolean endsTask) {
            this.children = children;
            this.searches = searches;
            this.endsTask = endsTask;
            assertTrue(engine.handOff().claim(submitter, busy));
            assertTrue(engine.handOff().claim(thief, thiefs));
            assertTrue(engine.handOff().claim(sleeper, engine.processor(2)));
            assertTrue(engine.parking().mayBlock(sleeper), "nothing is visible yet: the sleeper parks");
            busy.releaseWord(Processor.word(submitter.epoch, Processor.RUNNING)); // its task has started
        }

        @Override
        public List<Runnable> threads() {
            return List.of(
                    () -> { // the task on processor 0 submits its children, then runs on or ends
                        Runnable task = () -> {
                            for (int i = 0; i < children; i++) {
                                assertTrue(engine.submission().submitLocal(submitter, new Task(i), false));
                            }
                        };
                        if (!endsTask) {
                            task.run();
                            return;
                        }
                        assertEquals(WorkerLoop.KEEP, engine.loop().runTask(submitter, busy, task), "the processor is kept");
                        Task.countRun(busy.takeRunnext(), seen); // as its owner again, between tasks
                        for (Runnable t; (t = busy.queue.pop()) != null; ) {
                            Task.countRun(t, seen);
                        }
                    },
                    () -> { // the worker of processor 1: searches, runs what it stole, parks when it finds nothing
                        for (int i = 0; i < searches; i++) {
                            Runnable t = engine.stealing().search(thief, thiefs);
                            if (t == null) {
                                if (engine.parking().mayBlock(thief)) {
                                    thiefBlocked = true;
                                    return;
                                }
                                thief.searching = true; // its park was cancelled: it searches again
                                continue;
                            }
                            if (thief.searching) {
                                engine.stealing().stopSearching(thief);
                            }
                            Task.countRun(t, seen);
                            for (Runnable more; (more = thiefs.queue.pop()) != null; ) {
                                Task.countRun(more, seen); // the rest of what it stole, run by its owner
                            }
                        }
                    });
        }

        @Override
        public void check() {
            List<Runnable> left = new ArrayList<>();
            busy.queue.drainTo(left);
            boolean leftInBusyQueue = !left.isEmpty();
            Runnable r = busy.runnext;
            if (r != null) {
                assertFalse(endsTask, "the task ended: its worker took its runnext task as owner");
                left.add(r);
            }
            assertFalse(thiefs.runnext != null || !thiefs.queue.isEmpty(), "the thief left stolen work unrun");
            engine.global().drainTo(left);
            left.forEach(t -> Task.countRun(t, seen));
            for (int i = 0; i < children; i++) {
                assertEquals(1, seen.get(i), "times child " + i + " came out");
            }
            if (leftInBusyQueue) {
                boolean someoneAwake = !thiefBlocked || thief.notified || sleeper.notified;
                assertTrue(someoneAwake, "lost wake-up: stealable work waits on a busy processor while every other worker sleeps unnotified");
            }
        }
    }


    @Test
    void twoSubmissionsAgainstAThiefThatParks() {
        InterleavingExplorer.exploreAll(2, () -> new Run(2, 2, false));
    }

    @Test
    void submissionsOntoAProcessorHoldingWorkSkipTheWakeUpCheck() {
        InterleavingExplorer.exploreAll(3, () -> new Run(3, 2, false));
    }

    @Test
    void theTaskEndsWhileAThiefTakesItsRunnext() {
        InterleavingExplorer.exploreAll(2, () -> new Run(2, 2, true));
    }
}
