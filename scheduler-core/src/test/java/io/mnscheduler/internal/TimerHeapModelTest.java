package io.mnscheduler.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The timer heap against a model (a sorted set by deadline, then sequence), under seeded random
 * sequences of adds, removals of random members, and takes of the due ones: the same timers come
 * out in the same order, removed ones never, and each task's index and heap stay right.
 */
class TimerHeapModelTest {

    @Test
    void randomSequencesAgreeWithASortedSet() {
        Timers timers = ExploredEngines.unstarted(1, 2).timers();
        for (long seed = 0; seed < 200; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            TimerHeap heap = new TimerHeap();
            TreeSet<DelayedTask<?>> model = new TreeSet<>(DelayedTask::compareTo);
            List<DelayedTask<?>> live = new ArrayList<>();
            long now = 0;
            for (int step = 0; step < 400; step++) {
                int op = random.nextInt(10);
                if (op < 5) {
                    long deadline = now + random.nextInt(50); // equal deadlines are common: the sequence decides
                    DelayedTask<Void> t = timers.task(() -> { }, null, 0L, 0L);
                    t.deadline = deadline;
                    heap.add(t);
                    model.add(t);
                    live.add(t);
                } else if (op < 8 && !live.isEmpty()) {
                    DelayedTask<?> t = live.remove(random.nextInt(live.size()));
                    assertTrue(heap.remove(t, true));
                    assertTrue(model.remove(t));
                    assertFalse(heap.remove(t, true), "a second removal finds nothing");
                    assertNull(t.heap);
                    assertEquals(-1, t.heapIndex);
                } else {
                    now += random.nextInt(20);
                    List<DelayedTask<?>> due = new ArrayList<>();
                    heap.takeDue(now, due, Integer.MAX_VALUE);
                    for (DelayedTask<?> t : due) {
                        DelayedTask<?> expected = model.pollFirst();
                        assertSame(expected, t, "seed " + seed + ", step " + step);
                        assertTrue(t.deadline - now <= 0);
                        live.remove(t);
                    }
                    assertTrue(model.isEmpty() || model.first().deadline - now > 0, "every due timer was taken");
                }
                assertEquals(model.size(), heap.count);
                if (!model.isEmpty()) {
                    assertEquals(model.first().deadline, heap.earliest);
                }
            }
        }
    }
}
