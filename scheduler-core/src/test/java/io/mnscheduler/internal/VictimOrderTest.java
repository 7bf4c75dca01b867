package io.mnscheduler.internal;

import io.mnscheduler.spi.WorkerPlacement;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The victim order's properties at sizes that are powers of two, primes and neither: a steal round
 * visits every other processor of each tier exactly once and never the thief itself, for any random
 * start and stride; tiers come nearest first; the implicit tier of a placement without distances
 * equals the explicit one of a placement that returns 0 everywhere; grouped tiers (NUMA nodes) equal
 * the explicit ones and ask one distance per pair of groups; and without distances every processor
 * shares one stride table, so the orders take O(parallelism) memory.
 */
class VictimOrderTest {
    private static final int[] SIZES = {1, 2, 3, 7, 8, 12, 97, 100, 257, 1024};

    /** Distances 0 everywhere, but through an override: the explicit tables. */
    private static final WorkerPlacement EXPLICIT_ZERO = new WorkerPlacement() {
        @Override
        public void place(int processor) {
        }

        @Override
        public int distance(int thief, int victim) {
            return 0;
        }
    };

    /** Two "nodes" of interleaved processors, 10 apart; a third tier for processors divisible by 5. */
    private static final WorkerPlacement TIERED = new WorkerPlacement() {
        @Override
        public void place(int processor) {
        }

        @Override
        public int distance(int thief, int victim) {
            if (victim % 5 == 0) {
                return 30;
            }
            return thief % 2 == victim % 2 ? 10 : 20;
        }
    };

    /** Distances of three interleaved groups (nodes): own group 10; groups 0-1 and 1-2 at 20; 0-2 at 30. */
    private static int groupDistance(int thiefGroup, int victimGroup) {
        if (thiefGroup == victimGroup) {
            return 10;
        }
        return (thiefGroup + victimGroup) % 2 == 1 ? 20 : 30;
    }

    /** The three groups' distances, asked per processor pair: explicit tables. */
    private static final WorkerPlacement PER_PAIR = new WorkerPlacement() {
        @Override
        public void place(int processor) {
        }

        @Override
        public int distance(int thief, int victim) {
            return groupDistance(thief % 3, victim % 3);
        }
    };

    /** The same distances, with the groups declared: compact tiers. Counts the distances asked. */
    private static final class Grouped implements WorkerPlacement {
        final java.util.concurrent.atomic.AtomicLong asked = new java.util.concurrent.atomic.AtomicLong();
        private final int groups;

        Grouped(int groups) {
            this.groups = groups;
        }

        @Override
        public void place(int processor) {
        }

        @Override
        public int distance(int thief, int victim) {
            asked.incrementAndGet();
            return groupDistance(group(thief), group(victim));
        }

        @Override
        public int group(int processor) {
            return processor % groups;
        }
    }

    @Test
    void everyRoundVisitsEachOtherProcessorOnceAndNeverItself() {
        SplittableRandom random = new SplittableRandom(7);
        for (WorkerPlacement placement : new WorkerPlacement[]{WorkerPlacement.NONE, EXPLICIT_ZERO, TIERED, new Grouped(3)}) {
            for (int parallelism : SIZES) {
                VictimOrder[] orders = VictimOrder.forAll(parallelism, placement);
                for (int self = 0; self < parallelism; self++) {
                    VictimOrder order = orders[self];
                    BitSet seen = new BitSet(parallelism);
                    for (int t = 0; t < order.tierCount(); t++) {
                        int n = order.tierSize(t);
                        for (int trial = 0; trial < 3; trial++) { // as Stealing draws them
                            int r = random.nextInt() & Integer.MAX_VALUE;
                            int index = r % n;
                            int stride = order.stride(t, r >>> 16);
                            BitSet round = new BitSet(parallelism);
                            for (int i = 0; i < n; i++, index = (index + stride) % n) {
                                int v = order.victim(t, index);
                                assertTrue(v >= 0 && v < parallelism && v != self, "victim " + v + " of " + self);
                                assertFalse(round.get(v), "victim " + v + " twice in one round of " + self);
                                round.set(v);
                            }
                            assertEquals(n, round.cardinality());
                            if (trial == 0) {
                                assertFalse(seen.intersects(round), "a processor in two tiers");
                                seen.or(round);
                            }
                        }
                    }
                    assertEquals(parallelism - 1, seen.cardinality(), placement + ", parallelism " + parallelism + ", self " + self);
                }
            }
        }
    }

    @Test
    void tiersComeNearestFirst() {
        for (int parallelism : SIZES) {
            for (int self = 0; self < parallelism; self++) {
                int[][] tiers = VictimOrder.of(self, parallelism, TIERED).tiers();
                int last = Integer.MIN_VALUE;
                for (int[] tier : tiers) {
                    int d = TIERED.distance(self, tier[0]);
                    assertTrue(d > last, "tiers by increasing distance");
                    for (int v : tier) {
                        assertEquals(d, TIERED.distance(self, v), "one distance per tier");
                    }
                    last = d;
                }
            }
        }
    }

    @Test
    void groupedTiersEqualTheExplicitOnesAndAskOneDistancePerPairOfGroups() {
        for (int parallelism : SIZES) {
            Grouped grouped = new Grouped(3);
            VictimOrder[] compact = VictimOrder.forAll(parallelism, grouped);
            assertTrue(grouped.asked.get() <= 9, "at most one distance per ordered pair of groups: " + grouped.asked.get());
            VictimOrder[] explicit = VictimOrder.forAll(parallelism, PER_PAIR);
            for (int self = 0; self < parallelism; self++) {
                assertArrayEquals(explicit[self].tiers(), compact[self].tiers(), "parallelism " + parallelism + ", self " + self);
            }
        }
    }

    @Test
    void groupedOrdersAtTheLargestParallelismAreCompactAndComplete() {
        int parallelism = 32_767;
        Grouped grouped = new Grouped(4); // 4 groups of 8,192 or 8,191: "nodes"
        VictimOrder[] orders = VictimOrder.forAll(parallelism, grouped);
        assertTrue(grouped.asked.get() <= 16, "distances asked: " + grouped.asked.get());
        SplittableRandom random = new SplittableRandom(11);
        for (int self : new int[]{0, 1, 2, 3, 4_097, parallelism - 1}) {
            VictimOrder order = orders[self];
            BitSet seen = new BitSet(parallelism);
            int last = Integer.MIN_VALUE;
            for (int t = 0; t < order.tierCount(); t++) {
                int n = order.tierSize(t);
                int d = grouped.distance(self, order.victim(t, 0));
                assertTrue(d > last, "nearest tier first");
                last = d;
                int r = random.nextInt() & Integer.MAX_VALUE;
                int index = r % n;
                int stride = order.stride(t, r >>> 16);
                for (int i = 0; i < n; i++, index = (index + stride) % n) {
                    int v = order.victim(t, index);
                    assertTrue(v != self && !seen.get(v), "victim " + v + " of " + self);
                    assertEquals(d, grouped.distance(self, v), "one distance per tier");
                    seen.set(v);
                }
            }
            assertEquals(parallelism - 1, seen.cardinality(), "self " + self);
        }
    }

    @Test
    void theImplicitTierEqualsTheExplicitOne() {
        for (int parallelism : SIZES) {
            for (int self = 0; self < parallelism; self++) {
                assertArrayEquals(VictimOrder.of(self, parallelism, EXPLICIT_ZERO).tiers(),
                        VictimOrder.of(self, parallelism, WorkerPlacement.NONE).tiers(), "self " + self);
                assertArrayEquals(VictimOrder.of(self, parallelism, EXPLICIT_ZERO).tiers(),
                        VictimOrder.of(self, parallelism, p -> { }).tiers(), "a lambda placement has no distances either");
            }
        }
    }

    @Test
    void withoutDistancesTheLargestParallelismSharesOneStrideTable() {
        int parallelism = 32_767; // the documented maximum: P² tables took 6.6 GB here
        VictimOrder[] orders = VictimOrder.forAll(parallelism, WorkerPlacement.NONE);
        for (VictimOrder order : orders) {
            assertEquals(1, order.tierCount());
            assertEquals(parallelism - 1, order.tierSize(0));
        }
        int[] shared = strideTable(orders[0]);
        for (VictimOrder order : orders) {
            assertSame(shared, strideTable(order), "one stride table for all: O(parallelism) memory");
        }
        assertEquals(parallelism - 2, orders[parallelism - 1].victim(0, parallelism - 2));
        assertEquals(1, orders[0].victim(0, 0));
    }

    private static int[] strideTable(VictimOrder order) {
        try {
            java.lang.reflect.Field f = VictimOrder.class.getDeclaredField("strides");
            f.setAccessible(true);
            return ((int[][]) f.get(order))[0];
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
