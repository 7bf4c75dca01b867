package io.mnscheduler.internal;

import io.mnscheduler.spi.WorkerPlacement;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The order in which one processor's worker visits victims: tiers of processors at equal distance,
 * nearest tier first. Within a tier the visit starts at a random member and walks with a random
 * stride coprime to the tier's size (Go's randomOrder), so every member is visited once.
 * Immutable once built.
 */
public final class VictimOrder {
    private final int[][] tiers;    // processor ids, by increasing distance
    private final int[][] strides;  // for each tier, the numbers coprime to its size

    private VictimOrder(int[][] tiers) {
        this.tiers = tiers;
        this.strides = new int[tiers.length][];
        for (int t = 0; t < tiers.length; t++) {
            strides[t] = coprimes(tiers[t].length);
        }
    }

    /** The victim order of processor {@code self} among {@code parallelism}, by {@code placement}'s distances. */
    public static VictimOrder of(int self, int parallelism, WorkerPlacement placement) {
        TreeMap<Integer, List<Integer>> byDistance = new TreeMap<>();
        for (int v = 0; v < parallelism; v++) {
            if (v != self) {
                byDistance.computeIfAbsent(placement.distance(self, v), d -> new ArrayList<>()).add(v);
            }
        }
        return new VictimOrder(byDistance.values().stream()
                .map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new));
    }

    /** The tiers, nearest first; a copy. */
    public int[][] tiers() {
        int[][] copy = new int[tiers.length][];
        for (int i = 0; i < tiers.length; i++) {
            copy[i] = tiers[i].clone();
        }
        return copy;
    }

    int tierCount() {
        return tiers.length;
    }

    int[] tier(int t) {
        return tiers[t];
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
