package io.mnscheduler;

/**
 * The management interface of a {@link WorkStealingScheduler}, registered on the platform MBean
 * server as {@code io.mnscheduler:type=WorkStealingScheduler,name=<name>} when the scheduler is
 * built, and unregistered when it terminates (see
 * {@link WorkStealingScheduler.Builder#registerMXBean}). Every attribute is a plain type, so
 * JConsole, VisualVM and JDK Mission Control show them; each read is a racy snapshot, as
 * {@link WorkStealingScheduler#stats()} is.
 */
public interface WorkStealingSchedulerMXBean {
    /** @return the scheduler's name, as {@link WorkStealingScheduler#name()} gives it */
    String getName();

    /** @return the number of processors */
    int getParallelism();

    /** @return worker threads now, spares included */
    int getWorkerThreads();

    /** @return the most worker threads at once so far */
    int getPeakWorkerThreads();

    /** @return the cap on worker threads ({@link WorkStealingScheduler.Builder#maxWorkers}) */
    int getMaxWorkers();

    /** @return processors whose worker is inside a task now */
    int getRunningProcessors();

    /** @return workers searching for work now */
    int getSearchingWorkers();

    /** @return processors whose worker is parked now */
    int getParkedProcessors();

    /** @return worker threads without a processor now (spares, and workers finishing a task after a hand-off) */
    int getWorkersWithoutProcessor();

    /** @return tasks in the local queues and runnext slots now */
    int getLocalQueuedTasks();

    /** @return tasks in the global queue now */
    int getGlobalQueuedTasks();

    /** @return tasks run so far */
    long getTasksExecuted();

    /** @return tasks taken from another processor so far */
    long getTasksStolen();

    /** @return steal operations that moved work so far */
    long getStealOperations();

    /** @return preemption requests the monitor made so far */
    long getPreemptionRequests();

    /** @return processors handed to a spare worker so far */
    long getHandOffs();

    /** @return hand-offs put off at the worker cap, or for want of a thread, so far */
    long getHandOffsDelayed();

    /** @return virtual threads carried by the scheduler, started and not yet ended */
    int getLiveVirtualThreads();

    /** @return live virtual threads running on a processor's worker now */
    int getMountedVirtualThreads();

    /** @return live virtual threads that are runnable but not running now (queued), as far as their states tell */
    int getQueuedVirtualThreads();

    /** @return scheduled tasks waiting for their time */
    long getDelayedTasks();

    /** @return milliseconds the processors' workers have spent awake, summed over the processors */
    long getBusyTimeMillis();

    /** @return sampled submissions timed so far */
    long getSchedulingLatencySamples();

    /** @return the median of the sampled scheduling latencies, in microseconds (within 25%) */
    double getSchedulingLatencyP50Micros();

    /** @return the 99th percentile of the sampled scheduling latencies, in microseconds (within 25%) */
    double getSchedulingLatencyP99Micros();

    /** @return whether {@code shutdown()} or {@code shutdownNow()} was called */
    boolean isShutdown();

    /** @return whether the scheduler has terminated */
    boolean isTerminated();
}
