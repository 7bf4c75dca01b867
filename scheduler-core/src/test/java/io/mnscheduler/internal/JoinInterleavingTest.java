package io.mnscheduler.internal;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of a waiter running its awaited task inline
 * (Joining.helpInline) against a thief that steals the task's queue entry and runs it, and
 * against the monitor handing the waiter's processor off to a spare that drains it. The engine is
 * the real one, without threads of its own. After each schedule, and after whatever entries are
 * left have been run, the task's body must have run exactly once and its future be done; any other
 * outcome is forbidden.
 */
@Tag("interleavings")
class JoinInterleavingTest {

    private static void runAll(List<Runnable> entries) {
        entries.forEach(Runnable::run);
    }

    /** The helper on processor 0 against the worker of processor 1 stealing the task. */
    private static final class AgainstThief implements InterleavingExplorer.Execution {
        private final Scheduler engine = ExploredEngines.unstarted(2, 4);
        private final Processor busy = engine.processor(0);
        private final Processor thiefs = engine.processor(1);
        private final Worker helper = busy.owner;
        private final Worker thief = thiefs.owner;
        private final AtomicInteger bodyRuns = new AtomicInteger();
        private final JoinableTask<Integer> task;

        AgainstThief() {
            assertTrue(engine.handOff().claim(helper, busy));
            assertTrue(engine.handOff().claim(thief, thiefs));
            busy.releaseWord(Processor.word(helper.epoch, Processor.RUNNING)); // the waiting task runs
            task = engine.newTaskFor(() -> bodyRuns.incrementAndGet());
            assertTrue(engine.submission().submitLocal(helper, task, false)); // into processor 0's runnext
        }

        @Override
        public List<Runnable> threads() {
            return List.of(
                    () -> engine.joining().helpInline(helper, task),
                    () -> {
                        Runnable stolen = engine.stealing().search(thief, thiefs);
                        if (stolen != null) {
                            stolen.run();
                            for (Runnable more; (more = thiefs.queue.pop()) != null; ) {
                                more.run();
                            }
                        }
                    });
        }

        @Override
        public void check() {
            List<Runnable> left = new ArrayList<>();
            Runnable r = busy.runnext;
            if (r != null) {
                left.add(r);
            }
            busy.queue.drainTo(left);
            thiefs.queue.drainTo(left);
            runAll(left); // an entry nobody took runs now, as its worker would
            assertEquals(1, bodyRuns.get(), "times the awaited task ran");
            assertTrue(task.isDone());
        }
    }

    /** The helper's processor handed off by the monitor while it helps; a spare claims and drains it. */
    private static final class AgainstHandOff implements InterleavingExplorer.Execution {
        private final Scheduler engine = ExploredEngines.unstarted(1, 4);
        private final Processor processor = engine.processor(0);
        private final Worker owner = processor.owner;
        private final Worker spare = new Worker(engine, null, "explored-spare", null, 1, null);
        private final AtomicInteger bodyRuns = new AtomicInteger();
        private final JoinableTask<Integer> task = engine.newTaskFor(() -> bodyRuns.incrementAndGet());

        AgainstHandOff() {
            spare.markStarted();
            engine.spares().park(spare);
        }

        private static void drain(Processor p) {
            List<Runnable> entries = new ArrayList<>();
            Runnable r = p.runnext;
            p.runnext = null;
            if (r != null) {
                entries.add(r);
            }
            for (Runnable t; (t = p.queue.pop()) != null; ) {
                entries.add(t);
            }
            runAll(entries);
        }

        @Override
        public List<Runnable> threads() {
            return List.of(
                    () -> { // the waiting task: submits the task, then helps
                        assertTrue(engine.handOff().claim(owner, processor));
                        int outcome = engine.loop().runTask(owner, processor, () -> {
                            engine.submission().submitLocal(owner, task, false);
                            engine.joining().helpInline(owner, task);
                        });
                        if (owner.processor != null) {
                            drain(owner.processor);
                        } else if (outcome != WorkerLoop.PROCESSOR_STOPPED && engine.handOff().takeHandedOff(owner)) {
                            drain(owner.processor);
                        }
                    },
                    () -> engine.handOff().handOff(processor, processor.word(),
                            io.mnscheduler.internal.jfr.HandOffEvent.Reason.PARKED, 0L),
                    () -> { // the spare
                        Interleavings.point();
                        Processor given = spare.processor;
                        if (given != null && engine.handOff().claim(spare, given)) {
                            drain(given);
                        }
                    });
        }

        @Override
        public void check() {
            List<Runnable> left = new ArrayList<>();
            Runnable r = processor.runnext;
            if (r != null) {
                left.add(r);
            }
            processor.queue.drainTo(left);
            engine.global().drainTo(left);
            runAll(left);
            assertEquals(1, bodyRuns.get(), "times the awaited task ran");
            assertTrue(task.isDone());
        }
    }

    @Test
    void aHelperAndAThiefRunTheTaskOnce() {
        InterleavingExplorer.exploreAll(3, AgainstThief::new);
    }

    @Test
    void aHelperAndAHandOffRunTheTaskOnce() {
        InterleavingExplorer.exploreAll(2, AgainstHandOff::new);
    }
}
