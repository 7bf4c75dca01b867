package io.mnscheduler.numa;

import io.mnscheduler.numa.internal.CpuLists;
import io.mnscheduler.numa.internal.LibNuma;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The NUMA nodes a process may use: each node's CPUs and the distance matrix between nodes (10 is
 * local, as in the ACPI SLIT; only the order matters here). Immutable and thread-safe.
 */
public final class NumaTopology {
    private final int[] nodes;        // node ids, ascending, each with at least one CPU
    private final BitSet[] cpus;      // by node index
    private final int[][] distances;  // by node index

    private NumaTopology(int[] nodes, BitSet[] cpus, int[][] distances) {
        this.nodes = nodes;
        this.cpus = cpus;
        this.distances = distances;
    }

    /**
     * This machine's topology, limited to the CPUs this process may use ({@code sched_getaffinity}).
     * It comes from libnuma when present, else from {@code /sys}, else is one node holding every
     * allowed CPU.
     *
     * @return the topology of the CPUs this process may use
     */
    public static NumaTopology detect() {
        BitSet allowed = Affinity.processAffinity();
        LibNuma numa = LibNuma.get();
        if (numa != null) {
            return fromLibNuma(numa, allowed);
        }
        Path sys = Path.of("/sys");
        if (Files.isDirectory(sys.resolve("devices/system/node"))) {
            return fromSysfs(sys).restrictTo(allowed);
        }
        return new NumaTopology(new int[] {0}, new BitSet[] {allowed}, new int[][] {{10}});
    }

    private static NumaTopology fromLibNuma(LibNuma numa, BitSet allowed) {
        TreeMap<Integer, BitSet> byNode = new TreeMap<>();
        for (int cpu = allowed.nextSetBit(0); cpu >= 0; cpu = allowed.nextSetBit(cpu + 1)) {
            int node = Math.max(0, numa.nodeOfCpu(cpu));
            byNode.computeIfAbsent(node, n -> new BitSet()).set(cpu);
        }
        int[] ids = byNode.keySet().stream().mapToInt(Integer::intValue).toArray();
        int[][] d = new int[ids.length][ids.length];
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < ids.length; j++) {
                d[i][j] = numa.distance(ids[i], ids[j]);
            }
        }
        return new NumaTopology(ids, byNode.values().toArray(BitSet[]::new), d);
    }

    /**
     * The topology described by a sysfs-shaped directory: {@code root/devices/system/node/nodeN/cpulist}
     * and {@code .../distance} for each node N. For tests, and to simulate large machines. Nodes
     * without CPUs are left out.
     *
     * @param root a directory shaped like {@code /sys/devices/system/node}
     * @return the topology it describes
     * @throws IllegalArgumentException naming the file, when a file is missing or malformed, or no
     *                                  node has a CPU
     */
    public static NumaTopology fromSysfs(Path root) {
        Path dir = root.resolve("devices/system/node");
        TreeMap<Integer, Path> nodeDirs = new TreeMap<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(p -> p.getFileName().toString().matches("node\\d+") && Files.isDirectory(p))
                    .forEach(p -> nodeDirs.put(Integer.parseInt(p.getFileName().toString().substring(4)), p));
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot list NUMA nodes in " + dir + ": " + e, e);
        }
        if (nodeDirs.isEmpty()) {
            throw new IllegalArgumentException("No node directories (nodeN) in " + dir);
        }
        int n = nodeDirs.size();
        List<Integer> keep = new ArrayList<>();
        BitSet[] allCpus = new BitSet[n];
        int[][] allDist = new int[n][];
        int i = 0;
        for (Path nodeDir : nodeDirs.values()) {
            Path cpulist = nodeDir.resolve("cpulist");
            allCpus[i] = CpuLists.parse(read(cpulist), cpulist.toString());
            Path distance = nodeDir.resolve("distance");
            allDist[i] = parseDistances(read(distance), distance, n);
            if (!allCpus[i].isEmpty()) {
                keep.add(i);
            }
            i++;
        }
        if (keep.isEmpty()) {
            throw new IllegalArgumentException("No NUMA node in " + dir + " has a CPU");
        }
        return select(nodeDirs.keySet().stream().mapToInt(Integer::intValue).toArray(), allCpus, allDist, keep);
    }

    /** The topology made of the nodes at indices {@code keep} of the given arrays. */
    private static NumaTopology select(int[] allIds, BitSet[] allCpus, int[][] allDist, List<Integer> keep) {
        int[] ids = new int[keep.size()];
        BitSet[] cpus = new BitSet[keep.size()];
        int[][] d = new int[keep.size()][keep.size()];
        for (int a = 0; a < keep.size(); a++) {
            ids[a] = allIds[keep.get(a)];
            cpus[a] = allCpus[keep.get(a)];
            for (int b = 0; b < keep.size(); b++) {
                d[a][b] = allDist[keep.get(a)][keep.get(b)];
            }
        }
        return new NumaTopology(ids, cpus, d);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read " + file + ": " + e, e);
        }
    }

    private static int[] parseDistances(String text, Path file, int nodes) {
        String[] parts = text.strip().split("\\s+");
        if (parts.length != nodes) {
            throw new IllegalArgumentException("Malformed distance row in " + file + ": '" + text.strip() + "' has "
                    + parts.length + " entries; expected one per node (" + nodes + ")");
        }
        int[] row = new int[nodes];
        for (int j = 0; j < nodes; j++) {
            try {
                row[j] = Integer.parseInt(parts[j]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Malformed distance row in " + file + ": '" + parts[j]
                        + "' is not a number", e);
            }
            if (row[j] <= 0) {
                throw new IllegalArgumentException("Malformed distance row in " + file + ": " + row[j]
                        + " is not a positive distance");
            }
        }
        return row;
    }

    /**
     * This topology with only the CPUs in {@code allowed}; nodes left without CPUs are dropped.
     *
     * @param allowed the CPUs to keep
     * @return a new topology
     * @throws IllegalArgumentException when no CPU of this topology is allowed
     */
    public NumaTopology restrictTo(BitSet allowed) {
        List<Integer> keep = new ArrayList<>();
        BitSet[] cut = new BitSet[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            cut[i] = (BitSet) cpus[i].clone();
            cut[i].and(allowed);
            if (!cut[i].isEmpty()) {
                keep.add(i);
            }
        }
        if (keep.isEmpty()) {
            throw new IllegalArgumentException("None of the allowed CPUs (" + CpuLists.format(allowed)
                    + ") is in this topology (" + CpuLists.format(allCpus()) + ")");
        }
        return select(nodes, cut, distances, keep);
    }

    /**
     * The node ids, ascending.
     *
     * @return an unmodifiable list
     */
    public List<Integer> nodes() {
        return java.util.Arrays.stream(nodes).boxed().toList();
    }

    /**
     * The CPUs of {@code node}; a copy.
     *
     * @param node a node id
     * @return the node's CPUs, a new set
     * @throws IllegalArgumentException when {@code node} is not one of {@link #nodes()}
     */
    public BitSet cpusOf(int node) {
        return (BitSet) cpus[indexOf(node)].clone();
    }

    /**
     * The node that holds {@code cpu}.
     *
     * @param cpu a CPU number
     * @return its node's id
     * @throws IllegalArgumentException when {@code cpu} is not one of this topology's CPUs
     */
    public int nodeOfCpu(int cpu) {
        for (int i = 0; i < nodes.length; i++) {
            if (cpu >= 0 && cpus[i].get(cpu)) {
                return nodes[i];
            }
        }
        throw new IllegalArgumentException("CPU " + cpu + " is not in this topology; allowed: " + CpuLists.format(allCpus()));
    }

    /**
     * The distance from node {@code a} to node {@code b}; 10 is local by convention.
     *
     * @param a a node id
     * @param b a node id
     * @return the distance, as the kernel reports it
     * @throws IllegalArgumentException when either is not one of {@link #nodes()}
     */
    public int distance(int a, int b) {
        return distances[indexOf(a)][indexOf(b)];
    }

    /**
     * Every CPU of every node.
     *
     * @return the CPUs, a new set
     */
    public BitSet allCpus() {
        BitSet all = new BitSet();
        for (BitSet c : cpus) {
            all.or(c);
        }
        return all;
    }

    private int indexOf(int node) {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == node) {
                return i;
            }
        }
        throw new IllegalArgumentException("Node " + node + " is not in this topology; nodes: " + nodes());
    }

    /** One line per node: its CPUs and its distance row. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nodes.length; i++) {
            sb.append("node ").append(nodes[i]).append(": cpus ").append(CpuLists.format(cpus[i]))
                    .append(", distances ").append(java.util.Arrays.toString(distances[i])).append('\n');
        }
        return sb.toString();
    }
}
