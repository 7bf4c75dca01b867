package io.mnscheduler.internal.queue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sharded injection queue against a model, by seeded random sequences: submitters are real
 * threads (the shard is chosen by the submitting thread), each keeping its tasks in FIFO order;
 * every task polled, alone or in a batch, must be the oldest left of its submitter, every offer
 * before the close is taken exactly once, and every offer after it is refused. A concurrent test
 * races offers from many threads against the close: each is either queued and drained, or refused.
 */
class InjectionQueueModelTest {

    private record Tagged(int submitter, int seq) implements Runnable {
        @Override
        public void run() {
        }
    }

    @ParameterizedTest(name = "parallelism {0}, submitters {1}, seed {2}")
    @CsvSource({"1, 1, 1", "2, 4, 2", "2, 16, 3", "8, 40, 4", "64, 100, 5"})
    void randomSequencesKeepEachSubmittersOrderAndLoseNothing(int parallelism, int submitters, long seed) throws Exception {
        InjectionQueue q = new InjectionQueue(parallelism);
        assertEquals(Integer.bitCount(q.shards()), 1, "a power of two");
        List<ExecutorService> threads = new ArrayList<>();
        for (int i = 0; i < submitters; i++) {
            threads.add(Executors.newSingleThreadExecutor());
        }
        try {
            Random random = new Random(seed);
            Map<Integer, ArrayDeque<Tagged>> model = new HashMap<>();
            int[] next = new int[submitters];
            int total = 0;
            Runnable[] batch = new Runnable[64];
            for (int step = 0; step < 20_000; step++) {
                int op = random.nextInt(10);
                if (op < 5) { // an outside offer, on the submitter's own thread
                    int s = random.nextInt(submitters);
                    Tagged t = new Tagged(s, next[s]++);
                    assertTrue(threads.get(s).submit(() -> q.offerExternal(t)).get(60, TimeUnit.SECONDS));
                    model.computeIfAbsent(s, k -> new ArrayDeque<>()).addLast(t);
                    total++;
                } else if (op < 7) {
                    Runnable r = q.poll();
                    if (total == 0) {
                        assertEquals(null, r, "nothing queued");
                    } else {
                        assertTakenInOrder(model, r);
                        total--;
                    }
                } else {
                    int max = 1 + random.nextInt(batch.length);
                    int n = q.pollBatch(batch, max);
                    assertEquals(Math.min(max, total), n, "a batch takes what it may, across shards");
                    for (int i = 0; i < n; i++) {
                        assertTakenInOrder(model, batch[i]);
                    }
                    total -= n;
                }
                assertEquals(total, q.size());
                assertEquals(total == 0, q.isEmpty());
            }
            AtomicBoolean everAdded = new AtomicBoolean();
            q.close(() -> everAdded.set(q.everAddedWhileClosing()));
            assertTrue(everAdded.get());
            assertFalse(threads.get(0).submit(() -> q.offerExternal(new Tagged(0, -1))).get(60, TimeUnit.SECONDS),
                    "refused after the close");
            List<Runnable> rest = new ArrayList<>();
            assertEquals(total, q.drainTo(rest));
            for (Runnable r : rest) {
                Tagged t = (Tagged) r;
                assertSame(model.get(t.submitter()).pollFirst(), t, "drained in each submitter's order");
            }
            model.values().forEach(d -> assertTrue(d.isEmpty(), "every task came out"));
        } finally {
            threads.forEach(ExecutorService::shutdownNow);
        }
    }

    private static void assertTakenInOrder(Map<Integer, ArrayDeque<Tagged>> model, Runnable r) {
        Tagged t = (Tagged) r;
        assertSame(model.get(t.submitter()).pollFirst(), t, "the oldest task left of submitter " + t.submitter());
    }

    @Test
    void aWorkersAddsAreAllowedAfterTheCloseAndAFreshQueueWasNeverAddedTo() {
        InjectionQueue q = new InjectionQueue(2);
        AtomicBoolean everAdded = new AtomicBoolean(true);
        q.close(() -> everAdded.set(q.everAddedWhileClosing()));
        assertFalse(everAdded.get());
        q.add(new Tagged(0, 0));
        q.addBatch(new Runnable[]{new Tagged(0, 1), new Tagged(0, 2)}, 2);
        assertEquals(3, q.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, ((Tagged) q.poll()).seq());
        }
        assertThrows(IllegalArgumentException.class, () -> new InjectionQueue(0));
    }

    @Test
    void aTaskSentBehindTheWaitingWorkComesAfterTheLargestBacklog() throws Exception {
        // Two outside submitters, 100 and 3 tasks; a worker's demoted task must come after all of the
        // first's 100 (in one queue it came after all 103), not at the next turn of the shards.
        InjectionQueue q = new InjectionQueue(2);
        Thread first = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                assertTrue(q.offerExternal(new Tagged(1, i)));
            }
        });
        assertTrue(first.join(Duration.ofSeconds(60)));
        int big = q.shardOf(first.threadId());
        AtomicBoolean second = new AtomicBoolean();
        for (int tries = 0; !second.get(); tries++) { // a thread whose id falls in another shard
            assertTrue(tries < 1_000, "no thread id fell outside shard " + big);
            Thread t = Thread.ofPlatform().start(() -> {
                if (q.shardOf(Thread.currentThread().threadId()) != big) {
                    for (int i = 0; i < 3; i++) {
                        assertTrue(q.offerExternal(new Tagged(2, i)));
                    }
                    second.set(true);
                }
            });
            assertTrue(t.join(Duration.ofSeconds(60)));
        }
        Tagged demoted = new Tagged(0, 0);
        q.addBehindMost(demoted);
        List<Runnable> order = new ArrayList<>();
        for (Runnable r; (r = q.poll()) != null; ) {
            order.add(r);
        }
        assertEquals(104, order.size());
        int at = order.indexOf(demoted);
        long bigBefore = order.subList(0, at).stream().filter(r -> ((Tagged) r).submitter() == 1).count();
        assertEquals(100, bigBefore, "behind every task of the largest backlog: " + order);

        InjectionQueue empty = new InjectionQueue(2);
        empty.addBehindMost(demoted);
        assertSame(demoted, empty.poll(), "with nothing waiting it goes to the caller's own shard");
        assertTrue(empty.isEmpty());
    }

    @Test
    void offersRacingTheCloseAreEachQueuedOrRefused() throws Exception {
        for (int round = 0; round < 50; round++) {
            InjectionQueue q = new InjectionQueue(2);
            int submitters = 8;
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger seenByClose = new AtomicInteger(-1);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int s = 0; s < submitters; s++) {
                int id = s;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < 2_000; i++) {
                        if (!q.offerExternal(new Tagged(id, i))) {
                            assertFalse(q.offerExternal(new Tagged(id, i + 1)), "once refused, always refused");
                            return;
                        }
                        accepted.incrementAndGet();
                    }
                }));
            }
            go.countDown();
            Thread.onSpinWait();
            q.close(() -> seenByClose.set(q.size())); // every lock held: the count is exact here
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
            assertEquals(accepted.get(), seenByClose.get(), "every accepted offer was queued before the close");
            assertEquals(accepted.get(), q.drainTo(new ArrayList<>()));
        }
    }
}
