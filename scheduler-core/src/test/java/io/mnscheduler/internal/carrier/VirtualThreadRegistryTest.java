package io.mnscheduler.internal.carrier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live-thread registry: seeded random sequences checked against a {@link HashSet} model
 * (growth, shrinking and backward-shift deletion included, processor and off-processor stripes
 * both), its argument checks, and concurrent removals of the same thread, of which exactly one may
 * succeed.
 */
@Tag("virtual-threads")
class VirtualThreadRegistryTest {
    private static final long WAIT_S = 60;

    /** A distinct unstarted virtual thread: the registry keys by thread and hashes its id. */
    private static Thread newThread() {
        return Thread.ofVirtual().unstarted(() -> { });
    }

    @ParameterizedTest(name = "processor stripes {0}, off-processor stripes {1}, seed {2}")
    @CsvSource({"0, 1, 1", "1, 2, 2", "2, 16, 3", "17, 4, 4", "2, 1, 5"})
    void randomSequencesMatchTheModel(int processors, int off, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        VirtualThreadRegistry registry = new VirtualThreadRegistry(processors, off);
        Set<Thread> model = new HashSet<>();
        List<Thread> known = new ArrayList<>();
        for (int step = 0; step < 200_000; step++) {
            String where = "seed " + seed + ", step " + step;
            int op = random.nextInt(100);
            // Phases of growth and of decline, so that tables grow to thousands and shrink back.
            boolean growing = (step / 20_000) % 2 == 0;
            if (op < (growing ? 60 : 30)) {
                Thread t = newThread();
                assertTrue(registry.register(anyProcessor(random, processors), t, () -> true), where);
                model.add(t);
                known.add(t);
            } else if (op < 90 && !known.isEmpty()) {
                Thread t = known.get(random.nextInt(known.size()));
                assertEquals(model.remove(t), registry.remove(anyProcessor(random, processors), t), "remove, " + where);
            } else if (!known.isEmpty()) {
                Thread t = known.get(random.nextInt(known.size()));
                assertEquals(model.contains(t), registry.contains(t), "contains, " + where);
            }
            if (known.size() > 50_000) {
                known.removeIf(t -> !model.contains(t));
            }
            assertEquals(model.size(), registry.count(), "count, " + where);
        }
        assertEquals(model, new HashSet<>(registry.threads()));
    }

    /** A processor's stripe, or -1 (off-processor) about a third of the time. */
    private static int anyProcessor(SplittableRandom random, int processors) {
        return processors == 0 || random.nextInt(3) == 0 ? -1 : random.nextInt(processors);
    }

    @Test
    void aThreadRegisteredTwiceIsRefusedAndNotCountedTwice() {
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2, 4);
        Thread t = newThread();
        assertTrue(registry.register(0, t, () -> true));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry.register(0, t, () -> true));
        assertTrue(e.getMessage().contains("registered already"), e.getMessage());
        assertEquals(1, registry.count());
    }

    @Test
    void aRefusedStartIsCountedWhileAskedAndNotAfter() {
        // The count must already include the thread when the caller reads its run state.
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2, 2);
        for (int processor : new int[] {1, -1}) {
            Thread t = newThread();
            int[] seen = new int[1];
            assertFalse(registry.register(processor, t, () -> {
                seen[0] = registry.count();
                return false;
            }));
            assertEquals(1, seen[0], "counted while the caller decided");
            assertEquals(0, registry.count());
            assertFalse(registry.contains(t));
            assertFalse(registry.remove(0, t));
        }
    }

    @Test
    void badStripeCountsAreRefusedWithTheAllowedRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VirtualThreadRegistry(-1, 1));
        assertTrue(e.getMessage().contains("at least 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new VirtualThreadRegistry(2, 0));
        assertTrue(e.getMessage().contains("a power of two, at least 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new VirtualThreadRegistry(2, 12));
        assertTrue(e.getMessage().contains("offProcessorStripes = 12"), e.getMessage());
    }

    @Test
    void aContinuationTaskIsFoundByItsThread() throws Exception {
        // Shutdown asks by task: the registry finds the thread bound into a real continuation task.
        VirtualThreadRegistry registry = new VirtualThreadRegistry(1, 2);
        java.util.concurrent.atomic.AtomicReference<Runnable> task = new java.util.concurrent.atomic.AtomicReference<>();
        Thread.Builder.OfVirtual builder = VirtualThreadSupport.newBuilder(r -> {
            task.compareAndSet(null, r);
            Thread.ofPlatform().start(r);
        });
        CountDownLatch release = new CountDownLatch(1);
        Thread vt = builder.start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(VirtualThreadSupport.threadOf(task.get()) == vt, "the continuation task carries its thread");
        assertFalse(registry.containsTask(task.get()));
        assertTrue(registry.register(-1, vt, () -> true));
        assertTrue(registry.containsTask(task.get()));
        assertFalse(registry.containsTask(() -> { }), "a plain task is no continuation");
        release.countDown();
        assertTrue(vt.join(java.time.Duration.ofSeconds(WAIT_S)), "the virtual thread ended");
        assertTrue(registry.remove(0, vt));
        assertFalse(registry.containsTask(task.get()));
    }

    @Test
    void concurrentRemovalsOfOneThreadSucceedExactlyOnce() throws Exception {
        // Two workers that both saw a thread TERMINATED race to remove it, from different stripes.
        int rounds = 20_000;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(3, 4);
        Thread[] threads = new Thread[rounds];
        for (int i = 0; i < rounds; i++) {
            threads[i] = newThread();
            registry.register(i % 4 - 1, threads[i], () -> true);
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
                for (Thread t : threads) {
                    if (registry.remove(first, t)) {
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
    void concurrentStartsAndEndsKeepAnExactCount() throws Exception {
        // Each worker starts in its own stripe or an off-processor one, and sometimes ends a thread
        // first looking in a neighbour's stripe; one outside thread starts off-processor meanwhile.
        int perThread = 50_000;
        int threads = 3;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(threads, 4);
        CountDownLatch done = new CountDownLatch(threads + 1);
        for (int r = 0; r <= threads; r++) {
            int processor = r == threads ? -1 : r;
            Thread.ofPlatform().start(() -> {
                List<Thread> mine = new ArrayList<>();
                SplittableRandom random = new SplittableRandom(processor);
                for (int i = 0; i < perThread; i++) {
                    Thread t = newThread();
                    registry.register(random.nextInt(4) == 0 ? -1 : processor, t, () -> true);
                    mine.add(t);
                    if (random.nextInt(3) == 0) { // an end seen from another stripe first
                        Thread victim = mine.remove(random.nextInt(mine.size()));
                        assertTrue(registry.remove(random.nextInt(threads), victim));
                    }
                }
                for (Thread t : mine) {
                    assertTrue(registry.remove(processor, t));
                }
                done.countDown();
            });
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "the threads finished");
        assertEquals(0, registry.count());
    }
}
