package io.mnscheduler.internal;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of a processor's holder setting a due timer and
 * running its due timers (Timers.add, Timers.runDue) against a searching worker that takes a busy
 * processor's due timers (Timers.stealDue) and, in the second test, a thread cancelling the timer
 * (DelayedTask.cancel). The timer's task runs exactly once unless a cancel succeeded, then never;
 * afterwards no heap holds it and the pending count is back to 0.
 */
@Tag("interleavings")
class TimerInterleavingTest {

    private static final class Run implements InterleavingExplorer.Execution {
        private final Scheduler engine = ExploredEngines.unstarted(2, 4);
        private final Processor owner = engine.processor(0);
        private final Processor thief = engine.processor(1);
        private final AtomicInteger ran = new AtomicInteger();
        private final boolean cancel;
        private final DelayedTask<Void> timer;
        private volatile boolean cancelled;

        Run(boolean cancel) {
            this.cancel = cancel;
            assertTrue(engine.handOff().claim(owner.owner, owner));
            assertTrue(engine.handOff().claim(thief.owner, thief));
            this.timer = engine.timers().task(ran::incrementAndGet, null, 0L, 0L); // due as soon as it is set
        }

        private static void drain(Processor p) {
            for (Runnable t; (t = p.queue.pop()) != null; ) {
                t.run();
            }
        }

        @Override
        public List<Runnable> threads() {
            List<Runnable> threads = new ArrayList<>(List.of(
                    () -> { // the holder of processor 0: sets the timer, then runs its due timers between tasks
                        assertEquals(Timers.ADDED, engine.timers().add(owner, timer, true));
                        engine.timers().runDue(owner);
                        drain(owner);
                    },
                    () -> { // a searcher holding processor 1: processor 0 counts as busy
                        Runnable due = engine.timers().stealDue(owner, thief, System.nanoTime());
                        if (due != null) {
                            due.run();
                        }
                        drain(thief);
                    }));
            if (cancel) {
                threads.add(() -> cancelled = timer.cancel(false));
            }
            return threads;
        }

        @Override
        public void check() {
            drain(owner); // a timer fired by a thread whose drain came first
            drain(thief);
            assertEquals(cancelled ? 0 : 1, ran.get(), "runs of the timer's task (cancelled: " + cancelled + ")");
            assertEquals(0, owner.timers.count, "no timer left in the holder's heap");
            assertEquals(0, engine.timers().pendingExactly(), "no timer pending");
            long fired = engine.timers().fired();
            assertTrue(fired == 1 || (cancelled && fired == 0), "fired " + fired + " times; cancelled: " + cancelled);
            assertEquals(cancelled ? 1 : 0, engine.timers().cancelledCount());
        }
    }

    @Test
    void holderSettingAndRunningATimerAgainstAThief() {
        InterleavingExplorer.exploreAll(3, () -> new Run(false));
    }

    @Test
    void holderThiefAndCancellerOnOneTimer() {
        InterleavingExplorer.exploreAll(2, () -> new Run(true));
    }
}
