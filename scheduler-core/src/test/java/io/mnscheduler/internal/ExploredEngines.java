package io.mnscheduler.internal;

import io.mnscheduler.spi.WorkerPlacement;

/** The engine as the interleaving tests drive it: no threads of its own, small queues, a 10 ms tick. */
final class ExploredEngines {
    private ExploredEngines() {
    }

    /** An engine with {@code parallelism} processors of 4-task queues and at most {@code maxWorkers} threads, none started. */
    static Scheduler unstarted(int parallelism, int maxWorkers) {
        return new Scheduler("explored", parallelism, 4, "explored-", null, null, null, WorkerPlacement.NONE,
                10_000_000L, 2, maxWorkers, 1_000_000_000L, false, 0, false);
    }
}
