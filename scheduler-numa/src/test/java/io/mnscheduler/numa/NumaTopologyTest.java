package io.mnscheduler.numa;

import io.mnscheduler.numa.internal.CpuLists;
import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Topologies read from the sysfs fixtures, and bad input. */
class NumaTopologyTest {

    @Test
    void thisMachinesShapeOneNodeTwoCpus() {
        NumaTopology t = Fixtures.topology("one-node");
        assertEquals(List.of(0), t.nodes());
        assertEquals("0-1", CpuLists.format(t.cpusOf(0)));
        assertEquals(10, t.distance(0, 0));
        assertEquals(0, t.nodeOfCpu(1));
    }

    @Test
    void twoSocketMachine() {
        NumaTopology t = Fixtures.topology("two-socket");
        assertEquals(List.of(0, 1), t.nodes());
        assertEquals("0-3", CpuLists.format(t.cpusOf(0)));
        assertEquals("4-7", CpuLists.format(t.cpusOf(1)));
        assertEquals(21, t.distance(0, 1));
        assertEquals(10, t.distance(1, 1));
        assertEquals(1, t.nodeOfCpu(5));
    }

    @Test
    void eightNodeMachineWithANonUniformMatrix() {
        NumaTopology t = Fixtures.topology("eight-node");
        assertEquals(8, t.nodes().size());
        assertEquals(16, t.distance(0, 1));
        assertEquals(22, t.distance(0, 2));
        assertEquals(28, t.distance(0, 7));
        assertEquals(28, t.distance(7, 0));
        assertEquals(3, t.nodeOfCpu(7));
        assertEquals("0-15", CpuLists.format(t.allCpus()));
    }

    @Test
    void nodesWithoutCpusAreLeftOut() {
        NumaTopology t = Fixtures.topology("memory-only-node");
        assertEquals(List.of(0), t.nodes());
    }

    @Test
    void restrictingToAllowedCpusDropsEmptyNodes() {
        BitSet allowed = CpuLists.parse("4-5", "test");
        NumaTopology t = Fixtures.topology("two-socket").restrictTo(allowed);
        assertEquals(List.of(1), t.nodes());
        assertEquals("4-5", CpuLists.format(t.cpusOf(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Fixtures.topology("two-socket").restrictTo(CpuLists.parse("64", "test")));
        assertTrue(e.getMessage().contains("64"), e.getMessage());
    }

    @Test
    void malformedFilesAreNamed() {
        IllegalArgumentException cpulist = assertThrows(IllegalArgumentException.class, () -> Fixtures.topology("malformed-cpulist"));
        assertTrue(cpulist.getMessage().contains("node0/cpulist") && cpulist.getMessage().contains("0-x"), cpulist.getMessage());
        IllegalArgumentException distance = assertThrows(IllegalArgumentException.class, () -> Fixtures.topology("short-distance"));
        assertTrue(distance.getMessage().contains("distance") && distance.getMessage().contains("expected one per node (2)"),
                distance.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> NumaTopology.fromSysfs(Fixtures.root("one-node").resolve("nowhere")));
        assertTrue(missing.getMessage().contains("nowhere"), missing.getMessage());
    }

    @Test
    void unknownNodesAndCpusAreRefusedByName() {
        NumaTopology t = Fixtures.topology("two-socket");
        IllegalArgumentException node = assertThrows(IllegalArgumentException.class, () -> t.cpusOf(5));
        assertTrue(node.getMessage().contains("Node 5"), node.getMessage());
        IllegalArgumentException cpu = assertThrows(IllegalArgumentException.class, () -> t.nodeOfCpu(99));
        assertTrue(cpu.getMessage().contains("CPU 99") && cpu.getMessage().contains("0-7"), cpu.getMessage());
    }

    @Test
    void cpuListsParseAndFormat() {
        assertEquals("0-3,8,10-11", CpuLists.format(CpuLists.parse("0-3,8,10-11\n", "x")));
        assertTrue(CpuLists.parse("  ", "x").isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuLists.parse("3-1", "some/file"));
        assertTrue(e.getMessage().contains("some/file") && e.getMessage().contains("3-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuLists.parse("-1", "x"));
    }

    @Test
    void detectSeesThisMachine() {
        NumaTopology t = NumaTopology.detect();
        assertEquals(Affinity.currentThreadAffinity().cardinality() >= 1, true);
        assertEquals(Runtime.getRuntime().availableProcessors(), t.allCpus().cardinality());
        assertTrue(t.toString().startsWith("node "), t.toString());
    }
}
