package io.mnscheduler.numa;

import io.mnscheduler.numa.internal.LibNuma;
import io.mnscheduler.spi.WorkerPlacement;

import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * NUMA-aware placement for {@code WorkStealingScheduler.Builder.placement}: it pins each worker
 * and makes thieves try processors on their own node first, then remote nodes nearest first.
 *
 * <pre>{@code
 * WorkStealingScheduler.builder().placement(NumaPlacement.pinToCpu()).build();
 * }</pre>
 *
 * Pinned workers also ask libnuma, where present, to allocate their memory on their own node
 * ({@code numa_set_preferred}). Needs {@code --enable-native-access=ALL-UNNAMED} (on the module path:
 * {@code --enable-native-access=io.mnscheduler.numa}); without native
 * access, or off Linux, pinning becomes a no-op (one log line says so) while the steal order still
 * follows the topology. Immutable and thread-safe.
 */
public final class NumaPlacement implements WorkerPlacement {
    /** How {@link #pinToCpu(Spread)} spreads processors over the nodes. */
    public enum Spread {
        /** Processor i on node i mod nodes, so consecutive processors alternate between nodes. */
        ROUND_ROBIN,
        /** Fill the first node's CPUs, then the next node's. */
        PACKED
    }

    private enum Mode { CPU, NODE, NONE }

    private final NumaTopology topology;
    private final Mode mode;
    private final Spread spread;
    private final int[] nodeIds;          // topology.nodes()
    private final int[][] cpusByNode;     // each node's CPUs, ascending
    private final int[] packed;           // every CPU, node by node

    private NumaPlacement(NumaTopology topology, Mode mode, Spread spread) {
        this.topology = Objects.requireNonNull(topology, "topology = null; allowed: a NumaTopology");
        this.mode = mode;
        this.spread = spread;
        List<Integer> nodes = topology.nodes();
        this.nodeIds = nodes.stream().mapToInt(Integer::intValue).toArray();
        this.cpusByNode = new int[nodeIds.length][];
        for (int i = 0; i < nodeIds.length; i++) {
            cpusByNode[i] = topology.cpusOf(nodeIds[i]).stream().toArray();
        }
        this.packed = java.util.Arrays.stream(cpusByNode).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    /**
     * One worker per CPU, processors spread round-robin over this machine's nodes.
     *
     * @return a placement over the detected topology
     */
    public static NumaPlacement pinToCpu() {
        return pinToCpu(Spread.ROUND_ROBIN);
    }

    /**
     * One worker per CPU, spread as given over this machine's nodes.
     *
     * @param spread how processors are spread over the nodes
     * @return a placement over the detected topology
     */
    public static NumaPlacement pinToCpu(Spread spread) {
        return pinToCpu(spread, NumaTopology.detect());
    }

    /**
     * One worker per CPU of {@code topology}, spread as given; more processors than CPUs wrap around.
     *
     * @param spread   how processors are spread over the nodes
     * @param topology the nodes and CPUs to pin to
     * @return a placement over {@code topology}
     */
    public static NumaPlacement pinToCpu(Spread spread, NumaTopology topology) {
        return new NumaPlacement(topology, Mode.CPU, Objects.requireNonNull(spread, "spread = null; allowed: ROUND_ROBIN or PACKED"));
    }

    /**
     * Each worker may float among its node's CPUs; processors round-robin over this machine's nodes.
     *
     * @return a placement over the detected topology
     */
    public static NumaPlacement pinToNode() {
        return pinToNode(NumaTopology.detect());
    }

    /**
     * Each worker may float among its node's CPUs; processors round-robin over {@code topology}'s nodes.
     *
     * @param topology the nodes to place workers on
     * @return a placement over {@code topology}
     */
    public static NumaPlacement pinToNode(NumaTopology topology) {
        return new NumaPlacement(topology, Mode.NODE, Spread.ROUND_ROBIN);
    }

    /**
     * No pinning; thieves still try their own node first. For comparison runs.
     *
     * @return a placement that pins nothing, over the detected topology
     */
    public static NumaPlacement none() {
        return new NumaPlacement(NumaTopology.detect(), Mode.NONE, Spread.ROUND_ROBIN);
    }

    /**
     * The topology this placement follows.
     *
     * @return the topology given or detected
     */
    public NumaTopology topology() {
        return topology;
    }

    /**
     * The node processor {@code processor} belongs to.
     *
     * @param processor a processor index, 0 or more
     * @return the node id
     */
    public int nodeOf(int processor) {
        checkProcessor(processor);
        if (mode == Mode.CPU && spread == Spread.PACKED) {
            return topology.nodeOfCpu(packed[processor % packed.length]);
        }
        return nodeIds[processor % nodeIds.length];
    }

    /**
     * The CPUs processor {@code processor}'s worker is pinned to; empty for {@link #none()}.
     *
     * @param processor a processor index, 0 or more
     * @return the CPUs, a new set
     */
    public BitSet cpusOf(int processor) {
        checkProcessor(processor);
        BitSet set = new BitSet();
        switch (mode) {
            case CPU -> {
                if (spread == Spread.PACKED) {
                    set.set(packed[processor % packed.length]);
                } else {
                    int node = processor % nodeIds.length;
                    int[] cpus = cpusByNode[node];
                    set.set(cpus[(processor / nodeIds.length) % cpus.length]);
                }
            }
            case NODE -> set.or(topology.cpusOf(nodeOf(processor)));
            case NONE -> { }
        }
        return set;
    }

    private static void checkProcessor(int processor) {
        if (processor < 0) {
            throw new IllegalArgumentException("processor = " + processor + "; allowed: 0 or more");
        }
    }

    @Override
    public void place(int processor) {
        if (mode == Mode.NONE) {
            return;
        }
        Affinity.pinCurrentThread(cpusOf(processor));
        LibNuma numa = LibNuma.get();
        if (numa != null) {
            numa.setPreferred(nodeOf(processor));
        }
    }

    @Override
    public int distance(int thief, int victim) {
        return topology.distance(nodeOf(thief), nodeOf(victim));
    }

    /**
     * The processor's node ({@link #nodeOf}): distances depend on nodes only, so the scheduler asks
     * one distance per pair of nodes and keeps its victim orders in O(parallelism + nodes²).
     *
     * @param processor the processor's index, 0 or more
     * @return its node id
     */
    @Override
    public int group(int processor) {
        return nodeOf(processor);
    }

    @Override
    public String toString() {
        return "NumaPlacement[" + (mode == Mode.CPU ? "pinToCpu " + spread : mode == Mode.NODE ? "pinToNode" : "none")
                + ", " + topology.nodes().size() + " nodes]";
    }
}
