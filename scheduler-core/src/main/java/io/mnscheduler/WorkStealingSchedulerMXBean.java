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
    /**
     * The scheduler's name, as {@link WorkStealingScheduler#name()} gives it.
     *
     * @return the scheduler's name, as {@link WorkStealingScheduler#name()} gives it
     */
    String getName();

    /**
     * The number of processors.
     *
     * @return the number of processors
     */
    int getParallelism();

    /**
     * Worker threads now, spares included.
     *
     * @return worker threads now, spares included
     */
    int getWorkerThreads();

    /**
     * The most worker threads at once so far.
     *
     * @return the most worker threads at once so far
     */
    int getPeakWorkerThreads();

    /**
     * The cap on worker threads ({@link WorkStealingScheduler.Builder#maxWorkers}).
     *
     * @return the cap on worker threads ({@link WorkStealingScheduler.Builder#maxWorkers})
     */
    int getMaxWorkers();

    /**
     * Processors whose worker is inside a task now.
     *
     * @return processors whose worker is inside a task now
     */
    int getRunningProcessors();

    /**
     * Workers searching for work now.
     *
     * @return workers searching for work now
     */
    int getSearchingWorkers();

    /**
     * Processors whose worker is parked now.
     *
     * @return processors whose worker is parked now
     */
    int getParkedProcessors();

    /**
     * Worker threads without a processor now (spares, and workers finishing a task after a hand-off).
     *
     * @return worker threads without a processor now (spares, and workers finishing a task after a hand-off)
     */
    int getWorkersWithoutProcessor();

    /**
     * Tasks in the local queues and runnext slots now.
     *
     * @return tasks in the local queues and runnext slots now
     */
    int getLocalQueuedTasks();

    /**
     * Tasks in the global queue now.
     *
     * @return tasks in the global queue now
     */
    int getGlobalQueuedTasks();

    /**
     * Tasks run so far.
     *
     * @return tasks run so far
     */
    long getTasksExecuted();

    /**
     * Tasks taken from another processor so far.
     *
     * @return tasks taken from another processor so far
     */
    long getTasksStolen();

    /**
     * Steal operations that moved work so far.
     *
     * @return steal operations that moved work so far
     */
    long getStealOperations();

    /**
     * Preemption requests the monitor made so far.
     *
     * @return preemption requests the monitor made so far
     */
    long getPreemptionRequests();

    /**
     * Processors handed to a spare worker so far.
     *
     * @return processors handed to a spare worker so far
     */
    long getHandOffs();

    /**
     * Hand-offs put off at the worker cap, or for want of a thread, so far.
     *
     * @return hand-offs put off at the worker cap, or for want of a thread, so far
     */
    long getHandOffsDelayed();

    /**
     * Hand-offs of long-running tasks declined so far, because the worker's thread, though runnable,
     * was barely given a CPU since it was asked to yield (the machine is overloaded).
     *
     * @return hand-offs declined so far, one per preemption request at most
     */
    long getHandOffsDeclined();

    /**
     * Virtual threads carried by the scheduler, started and not yet ended.
     *
     * @return virtual threads carried by the scheduler, started and not yet ended
     */
    int getLiveVirtualThreads();

    /**
     * Live virtual threads running on a processor's worker now.
     *
     * @return live virtual threads running on a processor's worker now
     */
    int getMountedVirtualThreads();

    /**
     * Live virtual threads that are runnable but not running now (queued), as far as their states tell.
     *
     * @return live virtual threads that are runnable but not running now (queued), as far as their states tell
     */
    int getQueuedVirtualThreads();

    /**
     * Scheduled tasks waiting for their time.
     *
     * @return scheduled tasks waiting for their time
     */
    long getDelayedTasks();

    /**
     * Milliseconds the processors' workers have spent awake, summed over the processors.
     *
     * @return milliseconds the processors' workers have spent awake, summed over the processors
     */
    long getBusyTimeMillis();

    /**
     * Sampled submissions timed so far.
     *
     * @return sampled submissions timed so far
     */
    long getSchedulingLatencySamples();

    /**
     * The median of the sampled scheduling latencies, in microseconds (within 25%).
     *
     * @return the median of the sampled scheduling latencies, in microseconds (within 25%)
     */
    double getSchedulingLatencyP50Micros();

    /**
     * The 99th percentile of the sampled scheduling latencies, in microseconds (within 25%).
     *
     * @return the 99th percentile of the sampled scheduling latencies, in microseconds (within 25%)
     */
    double getSchedulingLatencyP99Micros();

    /**
     * Whether {@code shutdown()} or {@code shutdownNow()} was called.
     *
     * @return whether {@code shutdown()} or {@code shutdownNow()} was called
     */
    boolean isShutdown();

    /**
     * Whether the scheduler has terminated.
     *
     * @return whether the scheduler has terminated
     */
    boolean isTerminated();
}
