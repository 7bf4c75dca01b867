package io.mnscheduler.internal.queue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The run queue's single-threaded contract, written once and run for several capacities (one thin
 * subclass each), so that small capacities force the indices to wrap around the ring many times.
 */
abstract class RunQueueContractTest {
    private final int capacity;

    RunQueueContractTest(int capacity) {
        this.capacity = capacity;
    }

    static final class Capacity2 extends RunQueueContractTest {
        Capacity2() {
            super(2);
        }
    }

    static final class Capacity4 extends RunQueueContractTest {
        Capacity4() {
            super(4);
        }
    }

    static final class Capacity16 extends RunQueueContractTest {
        Capacity16() {
            super(16);
        }
    }

    static final class Capacity256 extends RunQueueContractTest {
        Capacity256() {
            super(256);
        }
    }

    private RunQueue queue() {
        return new RunQueue(capacity);
    }

    @Test
    void emptyQueueYieldsNothing() {
        RunQueue q = queue();
        assertNull(q.pop());
        assertNull(q.pollOldest());
        assertEquals(0, q.stealInto(queue()));
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
    }

    @Test
    void popIsLifoAndPollOldestIsFifo() {
        RunQueue q = queue();
        for (int i = 0; i < capacity; i++) {
            assertTrue(q.offer(new Task(i)));
        }
        assertEquals(new Task(0), q.pollOldest());
        if (capacity > 1) {
            assertEquals(new Task(capacity - 1), q.pop());
        }
        assertEquals(Math.max(0, capacity - 2), q.size());
    }

    @Test
    void offerFailsWhenFullAndSucceedsAfterAPop() {
        RunQueue q = queue();
        for (int i = 0; i < capacity; i++) {
            assertTrue(q.offer(new Task(i)), "slot " + i);
        }
        assertFalse(q.offer(new Task(-1)));
        assertEquals(capacity, q.size());
        assertEquals(new Task(capacity - 1), q.pop());
        assertTrue(q.offer(new Task(99)));
        assertEquals(capacity, q.size());
    }

    @Test
    void stealTakesTheOlderHalfRoundedUp() {
        for (int n = 1; n <= capacity; n++) {
            RunQueue victim = queue();
            RunQueue thief = queue();
            for (int i = 0; i < n; i++) {
                victim.offer(new Task(i));
            }
            int want = n - n / 2;
            assertEquals(want, victim.stealInto(thief), "size " + n);
            assertEquals(n - want, victim.size());
            assertEquals(want, thief.size());
            for (int i = 0; i < want; i++) {
                assertEquals(new Task(i), thief.pollOldest(), "stolen in order, size " + n);
            }
            for (int i = n - 1; i >= want; i--) {
                assertEquals(new Task(i), victim.pop());
            }
            assertNull(victim.pop());
        }
    }

    @Test
    void stealIsBoundedByRoomInTheThief() {
        RunQueue victim = queue();
        RunQueue thief = queue();
        for (int i = 0; i < capacity; i++) {
            victim.offer(new Task(i));
            thief.offer(new Task(100 + i));
        }
        assertEquals(0, victim.stealInto(thief));
        thief.pop();
        assertEquals(1, victim.stealInto(thief));
        assertEquals(capacity - 1, victim.size());
    }

    @Test
    void overflowMovesTheOlderHalf() {
        RunQueue q = queue();
        for (int i = 0; i < capacity; i++) {
            q.offer(new Task(i));
        }
        Runnable[] batch = new Runnable[capacity / 2 + 1];
        int n = q.takeHalfForOverflow(batch);
        assertEquals(capacity / 2, n);
        for (int i = 0; i < n; i++) {
            assertEquals(new Task(i), batch[i]);
        }
        assertEquals(capacity - n, q.size());
        assertTrue(q.offer(new Task(-1)));
    }

    @Test
    void wrapsAroundManyTimesWithoutLosingOrDuplicating() {
        RunQueue q = queue();
        RunQueue thief = queue();
        Set<Integer> seen = new HashSet<>();
        int next = 0;
        for (int round = 0; round < 10_000; round++) {
            while (q.offer(new Task(next))) {
                next++;
            }
            // Alternate the ways out so head and tail both lap the ring.
            Runnable t = switch (round % 3) {
                case 0 -> q.pop();
                case 1 -> q.pollOldest();
                default -> {
                    q.stealInto(thief);
                    yield thief.pop();
                }
            };
            assertTrue(seen.add(((Task) t).id()), "duplicate " + t);
            for (Runnable r; (r = thief.pop()) != null; ) {
                assertTrue(seen.add(((Task) r).id()), "duplicate " + r);
            }
        }
        List<Runnable> rest = new ArrayList<>();
        q.drainTo(rest);
        for (Runnable r : rest) {
            assertTrue(seen.add(((Task) r).id()), "duplicate " + r);
        }
        assertEquals(next, seen.size(), "every task came out exactly once");
        assertTrue(q.isEmpty());
    }

    @Test
    void drainTakesEverythingInOrder() {
        RunQueue q = queue();
        for (int i = 0; i < capacity; i++) {
            q.offer(new Task(i));
        }
        List<Runnable> out = new ArrayList<>();
        assertEquals(capacity, q.drainTo(out));
        for (int i = 0; i < capacity; i++) {
            assertEquals(new Task(i), out.get(i));
        }
        assertTrue(q.isEmpty());
        assertNull(q.pop());
    }

    @Test
    void rejectsCapacitiesThatAreNotPowersOfTwo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RunQueue(3));
        assertTrue(e.getMessage().contains("capacity = 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RunQueue(1));
        assertThrows(IllegalArgumentException.class, () -> new RunQueue(0));
    }
}
