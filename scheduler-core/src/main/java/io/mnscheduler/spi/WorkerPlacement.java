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
}
