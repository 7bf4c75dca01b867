package io.mnscheduler.internal.carrier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live-thread registry: seeded random sequences checked against a {@link HashMap} model
 * (growth, shrinking and backward-shift deletion included), its argument checks, and concurrent
 * removals of the same task, of which exactly one may succeed.
 */
@Tag("virtual-threads")
class VirtualThreadRegistryTest {
    private static final long WAIT_S = 60;
    private static final AtomicInteger IDS = new AtomicInteger();

    /** A distinct task per call (a lambda that captures nothing is one shared instance). */
    private static Runnable newTask() {
        int id = IDS.incrementAndGet();
        return new Runnable() {
            @Override
            public void run() {
            }

            @Override
            public String toString() {
                return "task " + id;
            }
        };
    }

    @ParameterizedTest(name = "stripes {0}, seed {1}")
    @CsvSource({"1, 1", "2, 2", "3, 3", "17, 4", "2, 5"})
    void randomSequencesMatchTheModel(int stripes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        VirtualThreadRegistry registry = new VirtualThreadRegistry(stripes);
        Map<Runnable, Thread> model = new HashMap<>();
        List<Runnable> known = new ArrayList<>();
        Thread thread = Thread.ofVirtual().unstarted(() -> { });
        for (int step = 0; step < 200_000; step++) {
            String where = "seed " + seed + ", step " + step;
            int op = random.nextInt(100);
            // Phases of growth and of decline, so that tables grow to thousands and shrink back.
            boolean growing = (step / 20_000) % 2 == 0;
            if (op < (growing ? 60 : 30)) {
                Runnable task = newTask();
                Thread t = random.nextBoolean() ? thread : Thread.ofVirtual().unstarted(task);
                int stripe = random.nextInt(stripes);
                assertTrue(registry.register(stripe, task, t, () -> true), where);
                model.put(task, t);
                known.add(task);
            } else if (op < 90 && !known.isEmpty()) {
                Runnable task = known.get(random.nextInt(known.size()));
                Thread expected = model.remove(task);
                assertSame(expected, registry.remove(random.nextInt(stripes), task), "remove, " + where);
            } else if (!known.isEmpty()) {
                Runnable task = known.get(random.nextInt(known.size()));
                assertSame(model.get(task), registry.get(random.nextInt(stripes), task), "get, " + where);
                assertEquals(model.containsKey(task), registry.contains(task), "contains, " + where);
            }
            if (known.size() > 50_000) {
                known.removeIf(t -> !model.containsKey(t));
            }
            assertEquals(model.size(), registry.count(), "count, " + where);
        }
        assertEquals(new HashSet<>(model.values()), new HashSet<>(registry.threads()));
    }

    @Test
    void aTaskRegisteredTwiceIsRefusedAndNotCountedTwice() {
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2);
        Runnable task = newTask();
        assertTrue(registry.register(0, task, Thread.currentThread(), () -> true));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> registry.register(0, task, Thread.currentThread(), () -> true));
        assertTrue(e.getMessage().contains("registered already"), e.getMessage());
        assertEquals(1, registry.count());
    }

    @Test
    void aRefusedStartIsCountedWhileAskedAndNotAfter() {
        // The count must already include the thread when the caller reads its run state.
        VirtualThreadRegistry registry = new VirtualThreadRegistry(3);
        Runnable task = newTask();
        int[] seen = new int[1];
        assertFalse(registry.register(2, task, Thread.currentThread(), () -> {
            seen[0] = registry.count();
            return false;
        }));
        assertEquals(1, seen[0], "counted while the caller decided");
        assertEquals(0, registry.count());
        assertNull(registry.get(0, task));
        assertNull(registry.remove(0, newTask()));
    }

    @Test
    void badStripeCountsAreRefusedWithTheAllowedRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VirtualThreadRegistry(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    @Test
    void concurrentRemovalsOfOneTaskSucceedExactlyOnce() throws Exception {
        // Two workers that both saw a thread TERMINATED race to remove it, from different stripes.
        int rounds = 20_000;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(3);
        Runnable[] tasks = new Runnable[rounds];
        for (int i = 0; i < rounds; i++) {
            tasks[i] = newTask();
            registry.register(i % 3, tasks[i], Thread.currentThread(), () -> true);
        }
        AtomicInteger removed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> removers = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int first = r;
            removers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (Runnable task : tasks) {
                    if (registry.remove(first, task) != null) {
                        removed.incrementAndGet();
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : removers) {
            assertTrue(t.join(java.time.Duration.ofSeconds(WAIT_S)), "remover finished");
        }
        assertEquals(rounds, removed.get(), "each registration removed exactly once");
        assertEquals(0, registry.count());
        assertTrue(registry.threads().isEmpty());
    }

    @Test
    void concurrentStartsAndEndsInOwnStripesKeepAnExactCount() throws Exception {
        int perThread = 50_000;
        int threads = 3;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(threads + 1);
        CountDownLatch done = new CountDownLatch(threads);
        for (int r = 0; r < threads; r++) {
            int stripe = r;
            Thread.ofPlatform().start(() -> {
                List<Runnable> mine = new ArrayList<>();
                SplittableRandom random = new SplittableRandom(stripe);
                for (int i = 0; i < perThread; i++) {
                    Runnable task = newTask();
                    registry.register(stripe, task, Thread.currentThread(), () -> true);
                    mine.add(task);
                    if (random.nextInt(3) == 0) { // an end seen from another stripe first
                        Runnable victim = mine.remove(random.nextInt(mine.size()));
                        registry.remove((stripe + 1) % (threads + 1), victim);
                    }
                }
                for (Runnable task : mine) {
                    registry.remove(stripe, task);
                }
                done.countDown();
            });
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "the threads finished");
        assertEquals(0, registry.count());
    }
}
