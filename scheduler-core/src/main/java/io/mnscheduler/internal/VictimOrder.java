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
 * parallelism 32767). A placement with distances still gets explicit tiers.
 */
public final class VictimOrder {
    private final int self;          // this processor's index
    private final int others;        // flat only: the size of the one implicit tier (parallelism - 1)
    private final int[][] tiers;     // processor ids, by increasing distance; null when flat
    private final int[][] strides;   // for each tier, the numbers coprime to its size; arrays shared between orders

    private VictimOrder(int self, int others, int[][] tiers, Map<Integer, int[]> coprimesBySize) {
        this.self = self;
        this.others = others;
        this.tiers = tiers;
        int count = tiers == null ? (others > 0 ? 1 : 0) : tiers.length;
        this.strides = new int[count][];
        for (int t = 0; t < count; t++) {
            strides[t] = coprimesBySize.computeIfAbsent(tiers == null ? others : tiers[t].length, VictimOrder::coprimes);
        }
    }

    /** The victim order of processor {@code self} among {@code parallelism}, by {@code placement}'s distances. */
    public static VictimOrder of(int self, int parallelism, WorkerPlacement placement) {
        return of(self, parallelism, placement, distancesAllEqual(placement), new HashMap<>());
    }

    /** The victim orders of every processor, sharing what they can; O(parallelism) without distances. */
    static VictimOrder[] forAll(int parallelism, WorkerPlacement placement) {
        boolean flat = distancesAllEqual(placement);
        Map<Integer, int[]> coprimesBySize = new HashMap<>();
        VictimOrder[] orders = new VictimOrder[parallelism];
        for (int i = 0; i < parallelism; i++) {
            orders[i] = of(i, parallelism, placement, flat, coprimesBySize);
        }
        return orders;
    }

    private static VictimOrder of(int self, int parallelism, WorkerPlacement placement, boolean flat,
                                  Map<Integer, int[]> coprimesBySize) {
        if (flat) {
            return new VictimOrder(self, parallelism - 1, null, coprimesBySize);
        }
        TreeMap<Integer, List<Integer>> byDistance = new TreeMap<>();
        for (int v = 0; v < parallelism; v++) {
            if (v != self) {
                byDistance.computeIfAbsent(placement.distance(self, v), d -> new ArrayList<>()).add(v);
            }
        }
        int[][] tiers = byDistance.values().stream()
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        return new VictimOrder(self, 0, tiers, coprimesBySize);
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

    /** The tiers, nearest first; a copy. */
    public int[][] tiers() {
        int[][] copy = new int[tierCount()][];
        for (int t = 0; t < copy.length; t++) {
            copy[t] = new int[tierSize(t)];
            for (int i = 0; i < copy[t].length; i++) {
                copy[t][i] = victim(t, i);
            }
        }
        return copy;
    }

    int tierCount() {
        return strides.length;
    }

    /** The number of processors in tier {@code t}. */
    int tierSize(int t) {
        return tiers == null ? others : tiers[t].length;
    }

    /** Member {@code i} of tier {@code t}: a processor index, never this processor's own. */
    int victim(int t, int i) {
        return tiers == null ? (i < self ? i : i + 1) : tiers[t][i];
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
