package io.mnscheduler.internal.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Long seeded random sequences of every queue operation, checked step by step against a plain
 * {@link ArrayDeque} model (head = oldest). Two queues take turns as victim and thief so that
 * tasks move both ways. A failure prints the seed and the step, which replays it exactly.
 */
class RunQueueModelTest {

    @ParameterizedTest(name = "initial slots {0}, capacity {1}, seed {2}")
    @CsvSource({"2, 2, 1", "4, 4, 2", "4, 4, 3", "8, 8, 4", "16, 16, 5", "64, 64, 6", "256, 256, 7", "4, 4, 8", "32, 32, 9",
            "2, 8, 10", "2, 64, 11", "4, 256, 12", "2, 4, 13"})
    void randomSequencesMatchTheModel(int initial, int capacity, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RunQueue[] queues = {new RunQueue(initial, capacity), new RunQueue(initial, capacity)};
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
                int want = Math.min(m.size() - m.size() / 2, dst.slots() - dm.size()); // a steal never grows its destination
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
            int slots = q.slots();
            assertTrue(slots >= m.size() && slots >= initial && slots <= capacity,
                    "slots " + slots + " for " + m.size() + " tasks, initial " + initial + ", capacity " + capacity + ", " + where);
        }
    }

    @Test
    void theArrayDoublesWhenFullUpToTheCapacityAndKeepsEveryTaskInOrder() {
        RunQueue q = new RunQueue(2, 16);
        assertEquals(2, q.slots());
        assertEquals(16, q.capacity());
        List<Task> pushed = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Task t = new Task(i);
            assertTrue(q.offer(t), "offer " + i);
            pushed.add(t);
            assertEquals(Math.max(2, Integer.highestOneBit(2 * i + 1)), q.slots(), "slots after " + (i + 1) + " offers");
        }
        assertFalse(q.offer(new Task(16)), "full at its capacity");
        assertEquals(16, q.slots());
        RunQueue thief = new RunQueue(16);
        assertEquals(8, q.stealInto(thief));
        for (int i = 0; i < 8; i++) {
            assertEquals(pushed.get(i), thief.pollOldest(), "stolen, oldest first: " + i);
        }
        for (int i = 15; i >= 8; i--) {
            assertEquals(pushed.get(i), q.pop(), "popped, newest first: " + i);
        }
        assertNull(q.pop());
        assertEquals(16, q.slots(), "a queue never shrinks");
    }

    @Test
    void growingAcrossTheIndexWrapKeepsTheOrder() {
        RunQueue q = new RunQueue(2, 8);
        for (int round = 0; round < 5; round++) { // the indices advance past the slots several times
            for (int i = 0; i < 3; i++) {
                assertTrue(q.offer(new Task(round * 10 + i)));
                assertEquals(new Task(round * 10 + i), q.pollOldest());
            }
        }
        List<Task> pushed = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Task t = new Task(100 + i);
            assertTrue(q.offer(t));
            pushed.add(t);
        }
        List<Runnable> out = new ArrayList<>();
        q.drainTo(out);
        assertEquals(pushed, out);
    }

    @Test
    void anInitialSizeAboveTheCapacityIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RunQueue(16, 8));
        assertTrue(e.getMessage().contains("initialCapacity = 16") && e.getMessage().contains("at most capacity (8)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RunQueue(3, 8));
        assertTrue(e.getMessage().contains("initialCapacity = 3") && e.getMessage().contains("power of two"), e.getMessage());
    }
}
