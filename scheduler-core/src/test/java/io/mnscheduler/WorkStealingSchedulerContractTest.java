package io.mnscheduler;

import java.util.concurrent.ScheduledExecutorService;

/** The contract suite against {@code WorkStealingScheduler}. */
class WorkStealingSchedulerContractTest extends ScheduledExecutorContract {
    @Override
    ScheduledExecutorService create(int parallelism, boolean cancelDelayedOnShutdown) {
        return WorkStealingScheduler.builder().parallelism(parallelism).threadNamePrefix("contract-")
                .cancelDelayedTasksOnShutdown(cancelDelayedOnShutdown).build();
    }
}
