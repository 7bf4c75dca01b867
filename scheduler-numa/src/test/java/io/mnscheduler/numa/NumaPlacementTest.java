package io.mnscheduler.numa;

import io.mnscheduler.internal.VictimOrder;
import io.mnscheduler.numa.internal.CpuLists;
import io.mnscheduler.spi.WorkerPlacement;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Placement plans and the steal order they give the core, on each fixture. */
class NumaPlacementTest {

    private static String cpus(NumaPlacement p, int processor) {
        return CpuLists.format(p.cpusOf(processor));
    }

    private static int[][] tiers(NumaPlacement p, int self, int parallelism) {
        return VictimOrder.of(self, parallelism, p).tiers();
    }

    @Test
    void oneNodeTwoCpus() {
        NumaPlacement p = NumaPlacement.pinToCpu(NumaPlacement.Spread.ROUND_ROBIN, Fixtures.topology("one-node"));
        assertEquals("0", cpus(p, 0));
        assertEquals("1", cpus(p, 1));
        assertEquals("0", cpus(p, 2), "more processors than CPUs wrap around");
        assertArrayEquals(new int[][] {{1}}, tiers(p, 0, 2), "one node: one tier, random order");
    }

    @Test
    void twoSocketRoundRobinAlternatesNodesAndStealsLocalFirst() {
        NumaPlacement p = NumaPlacement.pinToCpu(NumaPlacement.Spread.ROUND_ROBIN, Fixtures.topology("two-socket"));
        assertEquals("0", cpus(p, 0));
        assertEquals("4", cpus(p, 1));
        assertEquals("1", cpus(p, 2));
        assertEquals("5", cpus(p, 3));
        assertEquals(0, p.nodeOf(2));
        assertEquals(1, p.nodeOf(3));
        // Processor 0 (node 0) tries 2, 4, 6 (node 0) before 1, 3, 5, 7 (node 1).
        assertArrayEquals(new int[][] {{2, 4, 6}, {1, 3, 5, 7}}, tiers(p, 0, 8));
        assertArrayEquals(new int[][] {{1, 5, 7}, {0, 2, 4, 6}}, tiers(p, 3, 8));
    }

    @Test
    void twoSocketPackedFillsTheFirstNode() {
        NumaPlacement p = NumaPlacement.pinToCpu(NumaPlacement.Spread.PACKED, Fixtures.topology("two-socket"));
        assertEquals("0", cpus(p, 0));
        assertEquals("3", cpus(p, 3));
        assertEquals("4", cpus(p, 4));
        assertEquals(1, p.nodeOf(4));
        assertArrayEquals(new int[][] {{1, 2, 3}, {4, 5, 6, 7}}, tiers(p, 0, 8));
    }

    @Test
    void pinToNodeLetsAWorkerFloatOverItsNode() {
        NumaPlacement p = NumaPlacement.pinToNode(Fixtures.topology("two-socket"));
        assertEquals("0-3", cpus(p, 0));
        assertEquals("4-7", cpus(p, 1));
        assertEquals("0-3", cpus(p, 2));
    }

    @Test
    void eightNodesStealNearestFirst() {
        NumaPlacement p = NumaPlacement.pinToNode(Fixtures.topology("eight-node"));
        // 8 processors, one per node: node 0 sees node 1 at 16, nodes 2-3 at 22, nodes 4-7 at 28.
        assertArrayEquals(new int[][] {{1}, {2, 3}, {4, 5, 6, 7}}, tiers(p, 0, 8));
        assertArrayEquals(new int[][] {{4}, {6, 7}, {0, 1, 2, 3}}, tiers(p, 5, 8));
        // 16 processors: processor 8 shares node 0 with processor 0, so it is tried first.
        assertEquals("[0]", Arrays.toString(tiers(p, 8, 16)[0]));
    }

    @Test
    void nodesAreTheGroupsSoTheOrdersStayCompactAndEqualThePerPairOnes() {
        NumaPlacement numa = NumaPlacement.pinToNode(Fixtures.topology("eight-node"));
        WorkerPlacement perPair = new WorkerPlacement() { // the same distances, groups not declared
            @Override
            public void place(int processor) {
            }

            @Override
            public int distance(int thief, int victim) {
                return numa.distance(thief, victim);
            }
        };
        for (int parallelism : new int[] {1, 7, 8, 13, 64, 101}) {
            for (int self = 0; self < parallelism; self++) {
                assertEquals(numa.nodeOf(self), numa.group(self));
                assertArrayEquals(VictimOrder.of(self, parallelism, perPair).tiers(), tiers(numa, self, parallelism),
                        "parallelism " + parallelism + ", self " + self);
            }
        }
        // The largest parallelism: one distance per pair of nodes, not per pair of processors.
        int[][] large = tiers(numa, 0, 32_767);
        assertEquals(4, large.length, "own node, then the three distances of the fixture");
        assertEquals(4_096 - 1, large[0].length, "node 0 holds 4,096 of 32,767 processors spread over 8 nodes");
    }

    @Test
    void negativeProcessorsAreRefused() {
        NumaPlacement p = NumaPlacement.pinToNode(Fixtures.topology("two-socket"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.cpusOf(-1));
        assertEquals("processor = -1; allowed: 0 or more", e.getMessage());
    }
}
