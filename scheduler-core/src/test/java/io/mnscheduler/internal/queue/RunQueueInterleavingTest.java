package io.mnscheduler.internal.queue;

import io.mnscheduler.internal.InterleavingExplorer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every interleaving, up to a preemption bound, of the races the run queue must survive: push
 * against steal, pop against the steal of the last task, two thieves on one victim, the tail ABA of
 * a pop followed by a push, the owner's head-side operations against a thief, and pushes that grow
 * the array while a thief copies from the old one. After each
 * schedule, every accepted task must have come out exactly once and no refused task at all. Any other
 * outcome is forbidden.
 */
@Tag("interleavings")
class RunQueueInterleavingTest {
    private static final int CAPACITY = 4;

    /** One run: an owner program against thief programs, on a queue prefilled with {@code initial} tasks. */
    private static final class QueueRun implements InterleavingExplorer.Execution {
        private final RunQueue queue;
        private final AtomicIntegerArray seen = new AtomicIntegerArray(32);
        private final boolean[] accepted = new boolean[32];
        private final String owner;
        private final String[] thieves;
        private int next;

        QueueRun(int initial, String owner, String... thieves) {
            this(new RunQueue(CAPACITY), initial, owner, thieves);
        }

        QueueRun(RunQueue queue, int initial, String owner, String... thieves) {
            this.queue = queue;
            for (int i = 0; i < initial; i++) {
                push();
            }
            this.owner = owner;
            this.thieves = thieves;
        }

        private void push() {
            int id = next++;
            accepted[id] = queue.offer(new Task(id));
        }

        private void out(Runnable r) {
            if (r != null) {
                seen.incrementAndGet(((Task) r).id());
            }
        }

        private void steal() {
            RunQueue mine = new RunQueue(CAPACITY);
            queue.stealInto(mine);
            for (Runnable r; (r = mine.pop()) != null; ) {
                out(r);
            }
        }

        @Override
        public List<Runnable> threads() {
            List<Runnable> threads = new ArrayList<>();
            threads.add(() -> {
                Runnable[] batch = new Runnable[CAPACITY / 2 + 1];
                for (char op : owner.toCharArray()) {
                    switch (op) {
                        case 'u' -> push();
                        case 'p' -> out(queue.pop());
                        case 'o' -> out(queue.pollOldest());
                        case 'f' -> {
                            int n = queue.takeHalfForOverflow(batch);
                            for (int i = 0; i < n; i++) {
                                out(batch[i]);
                            }
                        }
                        default -> throw new IllegalArgumentException("owner op " + op);
                    }
                }
            });
            for (String thief : thieves) {
                threads.add(() -> {
                    for (int i = 0; i < thief.length(); i++) {
                        steal();
                    }
                });
            }
            return threads;
        }

        @Override
        public void check() {
            List<Runnable> rest = new ArrayList<>();
            queue.drainTo(rest);
            rest.forEach(this::out);
            for (int id = 0; id < next; id++) {
                assertEquals(accepted[id] ? 1 : 0, seen.get(id), "times task " + id + " came out");
            }
        }
    }


    @Test
    void popAgainstStealOfTheLastTask() {
        InterleavingExplorer.exploreAll(4, () -> new QueueRun(1, "p", "s"));
    }

    @Test
    void popAgainstStealOfOneOfTwo() {
        InterleavingExplorer.exploreAll(4, () -> new QueueRun(2, "pp", "s"));
    }

    @Test
    void pushAgainstSteal() {
        InterleavingExplorer.exploreAll(3, () -> new QueueRun(2, "uuu", "ss"));
    }

    @Test
    void twoThievesOnOneVictim() {
        InterleavingExplorer.exploreAll(2, () -> new QueueRun(3, "pp", "s", "s"));
    }

    @Test
    void popThenPushAgainstTwoThievesTheTailAba() {
        // The schedule that lost a task in an earlier version needs 3 preemptions here: a second thief
        // reads the tail, the owner pops, the thief claims and copies, the owner pushes into the slot.
        InterleavingExplorer.exploreAll(3, () -> new QueueRun(3, "pu", "s", "s"));
    }

    @Test
    void overflowAndPollOldestAgainstSteal() {
        InterleavingExplorer.exploreAll(3, () -> new QueueRun(4, "fuo", "ss"));
    }

    @Test
    void pushesThatGrowTheArrayAgainstSteals() {
        // Two slots, full: the first push doubles the array while the thief's claim may be pending
        // on the old one, the second fills it, the third doubles it again.
        InterleavingExplorer.exploreAll(3, () -> new QueueRun(new RunQueue(2, 8), 2, "uuu", "ss"));
    }

    @Test
    void growThenPopAgainstSteal() {
        InterleavingExplorer.exploreAll(3, () -> new QueueRun(new RunQueue(2, 8), 2, "upp", "ss"));
    }
}
