package io.mnscheduler.spi;

/**
 * Where a scheduler's workers run, and how far apart its processors are. Pass one to
 * {@code WorkStealingScheduler.Builder.placement}; the {@code scheduler-numa} module provides
 * NUMA-aware ones.
 *
 * <p>{@link #place} is called once on each worker thread, before it runs any task; it typically
 * pins the thread. {@link #distance} orders the victims a worker steals from: nearer processors
 * first, and processors at equal distance in random order. Implementations must be thread-safe.
 */
public interface WorkerPlacement {
    /** No placement: workers float, victims are visited in random order. */
    WorkerPlacement NONE = processor -> { };

    /**
     * Places the calling worker thread, which is about to run processor {@code processor}. An
     * exception is logged once and the worker runs unplaced.
     *
     * @param processor the processor's index, from 0 to parallelism - 1
     */
    void place(int processor);

    /**
     * How far processor {@code victim}'s work is from processor {@code thief}'s worker, for steal
     * order; lower is nearer, only the order matters. The default, 0 everywhere, keeps the order
     * random.
     *
     * @param thief  the index of the processor whose worker steals
     * @param victim the index of the processor stolen from
     * @return the distance; any int, only the order matters
     */
    default int distance(int thief, int victim) {
        return 0;
    }

    /** What {@link #group} returns by default: no groups, every distance asked. */
    int NO_GROUP = -1;

    /**
     * The group of processor {@code processor} (its NUMA node, for example), for placements whose
     * distances depend only on groups: {@code distance(a, b)} then equals {@code distance(c, d)}
     * whenever {@code a} and {@code c} share a group, {@code b} and {@code d} share a group,
     * {@code a != b} and {@code c != d}. The scheduler then asks one distance per pair of groups and
     * keeps its victim orders in O(parallelism + groups²) time and memory; without groups it asks
     * every pair of processors and keeps O(parallelism²). The default, {@link #NO_GROUP}, is right
     * for any placement; returning groups is an optimisation for large parallelisms.
     *
     * @param processor the processor's index, from 0 to parallelism - 1
     * @return the group, 0 or more, the same for every processor of a group; or {@link #NO_GROUP}
     *         (then for every processor)
     */
    default int group(int processor) {
        return NO_GROUP;
    }
}
