package io.mnscheduler;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** The contract suite against the JDK's {@code ScheduledThreadPoolExecutor}: proves the suite itself. */
class ScheduledThreadPoolExecutorContractTest extends ScheduledExecutorContract {
    @Override
    ScheduledExecutorService create(int parallelism, boolean cancelDelayedOnShutdown) {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(parallelism);
        e.setExecuteExistingDelayedTasksAfterShutdownPolicy(!cancelDelayedOnShutdown);
        return e;
    }
}
