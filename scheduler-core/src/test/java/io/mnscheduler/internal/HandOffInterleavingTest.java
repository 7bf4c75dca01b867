package io.mnscheduler.internal;

import io.mnscheduler.internal.queue.Task;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of the hand-off protocol on the real engine: an
 * owner worker runs a task that submits children onto its processor, the monitor hands the
 * processor off at some point, and a spare claims it (or the owner, having lost it, takes it back).
 * The engine is built without its own threads; the explorer's threads call its real runTask,
 * submitLocal, handOff, claim and takeHandedOff, and whoever holds the processor afterwards drains
 * it as its owner. While a worker holds the processor between tasks, nobody else may change its
 * state word (checked before each of its steps), and after each schedule every accepted child must
 * have come out exactly once, from the processor or the global queue. Any other outcome is forbidden.
 */
@Tag("interleavings")
class HandOffInterleavingTest {


    private static final class Run implements InterleavingExplorer.Execution {
        private final Scheduler engine = ExploredEngines.unstarted(1, 4);
        private final Processor processor = engine.processor(0);
        private final Worker owner = processor.owner;
        private final Worker spare = new Worker(engine, null, "explored-spare", null, 1, null);
        private final AtomicIntegerArray seen = new AtomicIntegerArray(8);
        private final int children;
        private final int handOffAttempts;

        Run(int children, int handOffAttempts) {
            this.children = children;
            this.handOffAttempts = handOffAttempts;
            spare.markStarted(); // played by a thread of the explorer: a wake-up must not start the worker's own
            engine.spares().park(spare); // so that a hand-off wakes this spare instead of starting one
        }

        /** Drains {@code p} as its holder {@code w}, checking before each step that nobody else changed its word. */
        private void drainAsOwner(Worker w, Processor p) {
            stillHeld(w, p);
            Runnable r = p.runnext;
            p.runnext = null;
            Task.countRun(r, seen);
            for (;;) {
                stillHeld(w, p);
                Runnable t = p.queue.pop();
                if (t == null) {
                    return;
                }
                Task.countRun(t, seen);
            }
        }

        private static void stillHeld(Worker w, Processor p) {
            assertEquals(Processor.word(w.epoch, Processor.SCHEDULING), p.word(),
                    "the word of a processor held by " + w.thread.getName() + " changed under it");
        }

        @Override
        public List<Runnable> threads() {
            return List.of(
                    () -> { // the owner worker
                        assertTrue(engine.handOff().claim(owner, processor));
                        int outcome = engine.loop().runTask(owner, processor, () -> {
                            for (int i = 0; i < children; i++) {
                                engine.submission().submitLocal(owner, new Task(i), false);
                            }
                        });
                        if (owner.processor != null) {
                            drainAsOwner(owner, owner.processor); // KEEP: still ours
                        } else if (outcome != WorkerLoop.PROCESSOR_STOPPED && engine.handOff().takeHandedOff(owner)) {
                            drainAsOwner(owner, owner.processor); // lost it, and took it back before the spare
                        }
                    },
                    () -> { // the monitor: hands off from whatever word it reads, as a careless caller would
                        for (int i = 0; i < handOffAttempts; i++) {
                            engine.handOff().handOff(processor, processor.word(), io.mnscheduler.internal.jfr.HandOffEvent.Reason.RAN_TOO_LONG, 0L);
                        }
                    },
                    () -> { // the spare
                        Interleavings.point();
                        Processor given = spare.processor;
                        if (given != null && engine.handOff().claim(spare, given)) {
                            drainAsOwner(spare, given);
                        }
                    });
        }

        @Override
        public void check() {
            List<Runnable> rest = new ArrayList<>();
            Runnable r = processor.runnext;
            if (r != null) {
                rest.add(r);
            }
            processor.queue.drainTo(rest);
            engine.global().drainTo(rest);
            rest.forEach(t -> Task.countRun(t, seen));
            for (int i = 0; i < children; i++) {
                assertEquals(1, seen.get(i), "times child " + i + " came out");
            }
        }
    }


    @Test
    void handOffAgainstATaskThatSubmits() {
        InterleavingExplorer.exploreAll(2, () -> new Run(3, 1));
    }

    @Test
    void repeatedHandOffAttemptsAgainstATaskThatSubmits() {
        InterleavingExplorer.exploreAll(2, () -> new Run(2, 2));
    }
}
