package io.mnscheduler.internal;

import io.mnscheduler.spi.WorkerPlacement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The order in which one processor's worker visits victims: tiers of processors at equal distance,
 * nearest tier first. Within a tier the visit starts at a random member and walks with a random
 * stride coprime to the tier's size (Go's randomOrder), so every member is visited once.
 * Immutable once built.
 *
 * <p>With a placement that does not override {@link WorkerPlacement#distance} (every distance 0,
 * {@link WorkerPlacement#NONE} among them), the one tier of every other processor is implicit:
 * member {@code i} is processor {@code i}, or {@code i + 1} from the own index on. Together with
 * the coprime strides shared by every processor whose tier has the same size ({@link #forAll}),
 * a scheduler's victim orders then take O(parallelism) memory and time to build, instead of the
 * P² of one explicit table per processor (6.6 GB, and no return from {@code build()} in 300 s, at
 * parallelism 32767). A placement with groups ({@link WorkerPlacement#group}, NUMA nodes) has its
 * tiers made of whole groups: every group's member list is shared, and each group's list of groups
 * per tier is shared by its members, so O(parallelism + groups²), with one distance asked per pair
 * of groups. Only a placement with distances and no groups gets explicit tiers, O(P²).
 */
public final class VictimOrder {
    private final int self;          // this processor's index
    private final int others;        // flat only: the size of the one implicit tier (parallelism - 1)
    private final int[][] tiers;     // explicit only: processor ids, by increasing distance; else null
    private final Groups groups;     // grouped only: every group's members, shared by all orders; else null
    private final GroupTiers groupTiers; // grouped only: the tiers of this processor's group, shared by its members
    private final int selfGroup;     // grouped only: this processor's (dense) group
    private final int selfIndex;     // grouped only: this processor's position among its group's members
    private final int[][] strides;   // for each tier, the numbers coprime to its size; arrays shared between orders

    /** Every group's members in processor order, and each processor's group and position; O(parallelism). */
    private record Groups(int[][] members, int[] groupOf, int[] indexInGroup) {
    }

    /** One group's tiers: the (dense) groups at each distance, nearest first, and each tier's size without the thief. */
    private record GroupTiers(int[][] groupsByTier, int[] sizes) {
    }

    private VictimOrder(int self, int others, int[][] tiers, Groups groups, GroupTiers groupTiers,
                        Map<Integer, int[]> coprimesBySize) {
        this.self = self;
        this.others = others;
        this.tiers = tiers;
        this.groups = groups;
        this.groupTiers = groupTiers;
        this.selfGroup = groups == null ? -1 : groups.groupOf[self];
        this.selfIndex = groups == null ? -1 : groups.indexInGroup[self];
        int count = groupTiers != null ? groupTiers.sizes.length
                : tiers == null ? (others > 0 ? 1 : 0) : tiers.length;
        this.strides = new int[count][];
        for (int t = 0; t < count; t++) {
            strides[t] = coprimesBySize.computeIfAbsent(tierSize(t), VictimOrder::coprimes);
        }
    }

    /** The victim order of processor {@code self} among {@code parallelism}, by {@code placement}'s distances. */
    public static VictimOrder of(int self, int parallelism, WorkerPlacement placement) {
        if (distancesAllEqual(placement) || placement.group(0) != WorkerPlacement.NO_GROUP) {
            return forAll(parallelism, placement)[self]; // O(parallelism)
        }
        return explicit(self, parallelism, placement, new HashMap<>());
    }

    /**
     * The victim orders of every processor, sharing what they can: O(parallelism) without distances,
     * O(parallelism + groups²) with groups ({@link WorkerPlacement#group}), O(parallelism²) otherwise.
     */
    static VictimOrder[] forAll(int parallelism, WorkerPlacement placement) {
        Map<Integer, int[]> coprimesBySize = new HashMap<>();
        VictimOrder[] orders = new VictimOrder[parallelism];
        if (distancesAllEqual(placement)) {
            for (int i = 0; i < parallelism; i++) {
                orders[i] = new VictimOrder(i, parallelism - 1, null, null, null, coprimesBySize);
            }
            return orders;
        }
        Groups groups = groups(parallelism, placement);
        if (groups != null) {
            GroupTiers[] byGroup = new GroupTiers[groups.members.length];
            for (int g = 0; g < byGroup.length; g++) {
                byGroup[g] = groupTiers(g, groups, placement);
            }
            for (int i = 0; i < parallelism; i++) {
                orders[i] = new VictimOrder(i, 0, null, groups, byGroup[groups.groupOf[i]], coprimesBySize);
            }
            return orders;
        }
        for (int self = 0; self < parallelism; self++) {
            orders[self] = explicit(self, parallelism, placement, coprimesBySize);
        }
        return orders;
    }

    /** Processor {@code self}'s explicit tiers: every other processor's distance asked. */
    private static VictimOrder explicit(int self, int parallelism, WorkerPlacement placement,
                                        Map<Integer, int[]> coprimesBySize) {
        TreeMap<Integer, List<Integer>> byDistance = new TreeMap<>();
        for (int v = 0; v < parallelism; v++) {
            if (v != self) {
                byDistance.computeIfAbsent(placement.distance(self, v), d -> new ArrayList<>()).add(v);
            }
        }
        int[][] tiers = byDistance.values().stream()
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        return new VictimOrder(self, 0, tiers, null, null, coprimesBySize);
    }

    /** The placement's groups, numbered densely in order of first appearance; null when it has none. */
    private static Groups groups(int parallelism, WorkerPlacement placement) {
        int[] groupOf = new int[parallelism];
        int[] indexInGroup = new int[parallelism];
        Map<Integer, Integer> dense = new HashMap<>();
        List<List<Integer>> members = new ArrayList<>();
        for (int p = 0; p < parallelism; p++) {
            int g = placement.group(p);
            if (g < 0) {
                if (p > 0 && !dense.isEmpty()) {
                    throw new IllegalArgumentException("placement " + placement + ": group(" + p + ") = " + g
                            + " after group(0) = " + placement.group(0)
                            + "; allowed: a group of 0 or more for every processor, or NO_GROUP for every one");
                }
                return null;
            }
            int d = dense.computeIfAbsent(g, k -> {
                members.add(new ArrayList<>());
                return members.size() - 1;
            });
            groupOf[p] = d;
            indexInGroup[p] = members.get(d).size();
            members.get(d).add(p);
        }
        int[][] m = members.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        return new Groups(m, groupOf, indexInGroup);
    }

    /** Group {@code g}'s tiers, from one distance per other group (and one within g, if it has two members). */
    private static GroupTiers groupTiers(int g, Groups groups, WorkerPlacement placement) {
        int[][] members = groups.members;
        int thief = members[g][0];
        TreeMap<Integer, List<Integer>> byDistance = new TreeMap<>();
        for (int h = 0; h < members.length; h++) {
            if (h == g && members[g].length == 1) {
                continue; // alone in its group: no victim there
            }
            int victim = h == g ? members[g][1] : members[h][0];
            byDistance.computeIfAbsent(placement.distance(thief, victim), d -> new ArrayList<>()).add(h);
        }
        int[][] groupsByTier = new int[byDistance.size()][];
        int[] sizes = new int[groupsByTier.length];
        int t = 0;
        for (List<Integer> tier : byDistance.values()) {
            groupsByTier[t] = tier.stream().mapToInt(Integer::intValue).toArray();
            for (int h : groupsByTier[t]) {
                sizes[t] += members[h].length - (h == g ? 1 : 0);
            }
            t++;
        }
        return new GroupTiers(groupsByTier, sizes);
    }

    /** Whether {@code placement} keeps the interface's distance, 0 everywhere: one tier of all others. */
    private static boolean distancesAllEqual(WorkerPlacement placement) {
        try {
            return placement.getClass().getMethod("distance", int.class, int.class).getDeclaringClass()
                    == WorkerPlacement.class;
        } catch (NoSuchMethodException | SecurityException e) {
            return false; // ask it for every distance
        }
    }

    /** The tiers, nearest first, each tier's members ascending (the walk's order within a tier is random anyway); a copy. */
    public int[][] tiers() {
        int[][] copy = new int[tierCount()][];
        for (int t = 0; t < copy.length; t++) {
            copy[t] = new int[tierSize(t)];
            for (int i = 0; i < copy[t].length; i++) {
                copy[t][i] = victim(t, i);
            }
            java.util.Arrays.sort(copy[t]);
        }
        return copy;
    }

    int tierCount() {
        return strides.length;
    }

    /** The number of processors in tier {@code t}. */
    int tierSize(int t) {
        if (groupTiers != null) {
            return groupTiers.sizes[t];
        }
        return tiers == null ? others : tiers[t].length;
    }

    /** Member {@code i} of tier {@code t}: a processor index, never this processor's own. */
    int victim(int t, int i) {
        if (groupTiers != null) {
            return groupVictim(t, i);
        }
        return tiers == null ? (i < self ? i : i + 1) : tiers[t][i];
    }

    /** Member {@code i} of tier {@code t} of a grouped order: the tier's groups laid end to end, this processor left out. */
    private int groupVictim(int t, int i) {
        for (int h : groupTiers.groupsByTier[t]) {
            int[] m = groups.members[h];
            if (h == selfGroup) {
                if (i < m.length - 1) {
                    return m[i < selfIndex ? i : i + 1];
                }
                i -= m.length - 1;
            } else {
                if (i < m.length) {
                    return m[i];
                }
                i -= m.length;
            }
        }
        throw new IndexOutOfBoundsException("member " + i + " past tier " + t);
    }

    /**
     * Whether processor {@code victim} is in this processor's placement group (its NUMA node), for
     * the Steal event; true when the placement has no groups (or, with explicit tiers, when it is
     * in the nearest tier).
     */
    boolean sameGroup(int victim) {
        if (groups != null) {
            return groups.groupOf[victim] == selfGroup;
        }
        if (tiers == null) {
            return true;
        }
        for (int v : tiers[0]) {
            if (v == victim) {
                return true;
            }
        }
        return false;
    }

    /** A stride for tier {@code t} picked by {@code random} (non-negative). */
    int stride(int t, int random) {
        int[] s = strides[t];
        return s[random % s.length];
    }

    private static int[] coprimes(int n) {
        List<Integer> list = new ArrayList<>();
        for (int i = 1; i <= Math.max(n, 1); i++) {
            if (gcd(i, n) == 1) {
                list.add(i);
            }
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
