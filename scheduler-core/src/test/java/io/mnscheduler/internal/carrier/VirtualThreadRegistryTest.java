package io.mnscheduler.internal.carrier;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live-thread registry: seeded random sequences of starts, first-run ends, tracks and removals
 * checked against a model (a live count and a {@link HashSet} of tracked threads; growth,
 * shrinking and backward-shift deletion of the tables included, processor and off-processor
 * stripes both), its argument checks, and real threads racing: removals of one thread, of which
 * exactly one may succeed, and a first run's end against a later run's, of which exactly one may
 * take the thread off. {@code RegistryInterleavingTest} explores the last race schedule by schedule.
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
        int live = 0;
        List<Thread> firstRunning = new ArrayList<>(); // started, first run not ended
        Set<Thread> tracked = new HashSet<>();
        List<Thread> known = new ArrayList<>();
        for (int step = 0; step < 200_000; step++) {
            String where = "seed " + seed + ", step " + step;
            int op = random.nextInt(100);
            // Phases of growth and of decline, so that tables grow to thousands and shrink back.
            boolean growing = (step / 20_000) % 2 == 0;
            if (op < (growing ? 40 : 20)) {
                Thread t = newThread();
                assertTrue(registry.start(anyProcessor(random, processors), t, () -> true), where);
                live++;
                firstRunning.add(t);
            } else if (op < 60 && !firstRunning.isEmpty()) {
                Thread t = firstRunning.remove(random.nextInt(firstRunning.size()));
                if (processors > 0 && random.nextInt(4) == 0) {
                    registry.endedUntracked(random.nextInt(processors));
                    live--;
                } else {
                    registry.track(anyProcessor(random, processors), t);
                    tracked.add(t);
                    known.add(t);
                }
            } else if (op < 90 && !known.isEmpty()) {
                Thread t = known.get(random.nextInt(known.size()));
                boolean expected = tracked.remove(t);
                assertEquals(expected, registry.remove(anyProcessor(random, processors), t), "remove, " + where);
                live -= expected ? 1 : 0;
            } else if (!known.isEmpty()) {
                Thread t = known.get(random.nextInt(known.size()));
                assertEquals(tracked.contains(t), registry.contains(t), "contains, " + where);
            }
            if (known.size() > 50_000) {
                known.removeIf(t -> !tracked.contains(t));
            }
            assertEquals(live, registry.count(), "count, " + where);
        }
        assertEquals(tracked, new HashSet<>(registry.threads()));
    }

    /** A processor's stripe, or -1 (off-processor) about a third of the time. */
    private static int anyProcessor(SplittableRandom random, int processors) {
        return processors == 0 || random.nextInt(3) == 0 ? -1 : random.nextInt(processors);
    }

    @Test
    void aThreadTrackedTwiceIsRefused() {
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2, 4);
        Thread t = newThread();
        assertTrue(registry.start(0, t, () -> true));
        registry.track(0, t);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> registry.track(0, t));
        assertTrue(e.getMessage().contains("tracked already"), e.getMessage());
        assertEquals(1, registry.count());
        assertEquals(List.of(t), registry.threads());
    }

    @Test
    void aRefusedStartIsCountedWhileAskedAndNotAfter() {
        // The count must already include the thread when the caller reads its run state.
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2, 2);
        for (int processor : new int[] {1, -1}) {
            Thread t = newThread();
            int[] seen = new int[1];
            assertFalse(registry.start(processor, t, () -> {
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
    void anEndCountedInAnotherStripeStillSumsToZero() {
        // Started off the processors, ended untracked on processor 1; started on 0, removed by 1.
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2, 4);
        Thread a = newThread();
        Thread b = newThread();
        assertTrue(registry.start(-1, a, () -> true));
        assertTrue(registry.start(0, b, () -> true));
        assertEquals(2, registry.count());
        registry.endedUntracked(1);
        registry.track(0, b);
        assertTrue(registry.remove(1, b));
        assertEquals(0, registry.count());
        assertTrue(registry.threads().isEmpty());
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
    void concurrentRemovalsOfOneThreadSucceedExactlyOnce() throws Exception {
        // Two workers that both saw a thread TERMINATED race to remove it, from different stripes.
        int rounds = 20_000;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(3, 4);
        Thread[] threads = new Thread[rounds];
        for (int i = 0; i < rounds; i++) {
            threads[i] = newThread();
            registry.start(i % 4 - 1, threads[i], () -> true);
            registry.track(i % 3, threads[i]);
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
            assertTrue(t.join(Duration.ofSeconds(WAIT_S)), "remover finished");
        }
        assertEquals(rounds, removed.get(), "each tracked thread removed exactly once");
        assertEquals(0, registry.count());
        assertTrue(registry.threads().isEmpty());
    }

    @Test
    void aFirstRunsEndRacingALaterRunsEndTakesTheThreadOffOnce() throws Exception {
        // Real threads, many rounds: the worker whose run parked the thread (afterFirstRun) against
        // the worker whose run ended it, which marks it ended just before its look (afterLaterRun).
        int rounds = 20_000;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(2, 2);
        Set<Thread> ended = ConcurrentHashMap.newKeySet();
        CyclicBarrier barrier = new CyclicBarrier(2);
        AtomicReference<Thread> current = new AtomicReference<>();
        AtomicInteger off = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable first = () -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    Thread t = newThread();
                    registry.start(0, t, () -> true);
                    current.set(t);
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                    off.addAndGet(registry.afterFirstRun(0, t, ended::contains) ? 1 : 0);
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
        Runnable later = () -> {
            try {
                for (int i = 0; i < rounds; i++) {
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                    Thread t = current.get();
                    ended.add(t);
                    off.addAndGet(registry.afterLaterRun(1, t, ended::contains) ? 1 : 0);
                    barrier.await(WAIT_S, TimeUnit.SECONDS);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        };
        Thread a = Thread.ofPlatform().start(first);
        Thread b = Thread.ofPlatform().start(later);
        assertTrue(a.join(Duration.ofSeconds(WAIT_S * 4)) && b.join(Duration.ofSeconds(WAIT_S * 4)), "finished");
        assertNull(failure.get());
        assertEquals(rounds, off.get(), "each thread taken off exactly once");
        assertEquals(0, registry.count());
        assertEquals(Collections.emptyList(), registry.threads());
    }

    @Test
    void concurrentStartsAndEndsKeepAnExactCount() throws Exception {
        // Each worker starts in its own stripe or an off-processor one; a first run ends untracked,
        // or parks (tracked) and ends later with a removal that first looks in a neighbour's stripe.
        int perThread = 50_000;
        int threads = 3;
        VirtualThreadRegistry registry = new VirtualThreadRegistry(threads, 4);
        CountDownLatch done = new CountDownLatch(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int r = 0; r < threads; r++) {
            int processor = r;
            Thread.ofPlatform().start(() -> {
                try {
                    List<Thread> parked = new ArrayList<>();
                    SplittableRandom random = new SplittableRandom(processor);
                    for (int i = 0; i < perThread; i++) {
                        Thread t = newThread();
                        registry.start(random.nextInt(4) == 0 ? -1 : processor, t, () -> true);
                        if (random.nextBoolean()) {
                            registry.endedUntracked(processor);
                        } else {
                            registry.track(processor, t);
                            parked.add(t);
                        }
                        if (!parked.isEmpty() && random.nextInt(3) == 0) {
                            Thread victim = parked.remove(random.nextInt(parked.size()));
                            assertTrue(registry.remove(random.nextInt(threads), victim));
                        }
                    }
                    for (Thread t : parked) {
                        assertTrue(registry.remove(processor, t));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        assertTrue(done.await(WAIT_S, TimeUnit.SECONDS), "the threads finished");
        assertNull(failure.get());
        assertEquals(0, registry.count());
    }
}
