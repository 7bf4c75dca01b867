package io.mnscheduler.internal.queue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Long seeded random sequences of every queue operation, checked step by step against a plain
 * {@link ArrayDeque} model (head = oldest). Two queues take turns as victim and thief so that
 * tasks move both ways. A failure prints the seed and the step, which replays it exactly.
 */
class RunQueueModelTest {

    @ParameterizedTest(name = "capacity {0}, seed {1}")
    @CsvSource({"2, 1", "4, 2", "4, 3", "8, 4", "16, 5", "64, 6", "256, 7", "4, 8", "32, 9"})
    void randomSequencesMatchTheModel(int capacity, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RunQueue[] queues = {new RunQueue(capacity), new RunQueue(capacity)};
        List<ArrayDeque<Runnable>> models = List.of(new ArrayDeque<>(), new ArrayDeque<>());
        Runnable[] batch = new Runnable[capacity / 2 + 1];
        int next = 0;
        for (int step = 0; step < 200_000; step++) {
            String where = "seed " + seed + ", step " + step;
            int a = random.nextInt(2);
            RunQueue q = queues[a];
            ArrayDeque<Runnable> m = models.get(a);
            int op = random.nextInt(100);
            if (op < 40) {
                Task t = new Task(next++);
                boolean accepted = q.offer(t);
                assertEquals(m.size() < capacity, accepted, "offer, " + where);
                if (accepted) {
                    m.addLast(t);
                }
            } else if (op < 60) {
                assertEquals(m.pollLast(), q.pop(), "pop, " + where);
            } else if (op < 68) {
                assertEquals(m.pollFirst(), q.pollOldest(), "pollOldest, " + where);
            } else if (op < 88) {
                RunQueue dst = queues[1 - a];
                ArrayDeque<Runnable> dm = models.get(1 - a);
                int want = Math.min(m.size() - m.size() / 2, capacity - dm.size());
                assertEquals(want, q.stealInto(dst), "steal count, " + where);
                for (int i = 0; i < want; i++) {
                    dm.addLast(m.pollFirst());
                }
            } else if (op < 96) {
                int n = q.takeHalfForOverflow(batch);
                assertEquals(m.size() / 2, n, "overflow count, " + where);
                for (int i = 0; i < n; i++) {
                    assertEquals(m.pollFirst(), batch[i], "overflow order, " + where);
                }
            } else {
                List<Runnable> out = new ArrayList<>();
                q.drainTo(out);
                assertEquals(new ArrayList<>(m), out, "drain, " + where);
                m.clear();
            }
            assertEquals(m.size(), q.size(), "size, " + where);
        }
    }
}
