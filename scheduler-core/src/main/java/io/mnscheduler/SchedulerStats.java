package io.mnscheduler;

import io.mnscheduler.internal.StatsView;
import io.mnscheduler.internal.stats.LatencyRecorder;
import io.mnscheduler.internal.stats.ProcessorCounters;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a {@link WorkStealingScheduler}'s counters: totals over all processors, and the
 * same counters for each processor. Counters only grow; the queue depths are the values at the
 * moment of reading. The snapshot is read without stopping the scheduler, so totals taken while it
 * runs are each recent but not from one instant.
 *
 * @param tasksExecuted    tasks run to completion (or to an exception), on a processor or, after a hand-off, without one
 * @param tasksStolen      tasks taken from another processor's queue or runnext slot
 * @param stealOperations  steal operations that moved at least one task
 * @param overflows        times a full local queue moved half of its tasks to the global queue
 * @param globalPolls      polls of the global queue that returned work (a batch counts once)
 * @param runnextHits      tasks taken from a processor's own {@code runnext} slot
 * @param parks            times a worker parked for lack of work
 * @param unparks          times a parked worker was woken
 * @param localQueueDepth  tasks in all local queues and runnext slots now
 * @param globalQueueDepth tasks in the global queue now
 * @param liveVirtualThreads virtual threads carried by the scheduler, started and not yet ended
 * @param preemptionRequests times the monitor asked a long-running task to yield
 * @param handOffs         times a processor went from a blocked or long-running task's worker to a spare
 * @param handOffsDelayed  hand-offs put off because the worker cap was reached or no thread could be made
 * @param handOffsDeclined preemption requests whose hand-off was declined because the worker's thread, though
 *                         runnable, barely ran on a CPU since the request (under a quarter of the time): the machine is
 *                         overloaded or the container throttled, and another thread could not run either
 * @param capStalls        times every processor's task was found blocked or waiting while hand-offs waited at the
 *                         cap, each logged once as a warning with the workers' stacks
 * @param workerThreads    worker threads now, spares included (a processor's worker counts from {@code build()},
 *                         though its thread starts only when the worker is first needed)
 * @param peakWorkerThreads the most worker threads at once so far
 * @param delayedTasks     scheduled tasks waiting for their time now (set, not yet due, cancelled or handed back)
 * @param timersFired      timers that came due and went onto a run queue
 * @param timersCancelled  scheduled tasks cancelled ({@code cancel} returned true), periodic ones stopped by shutdown included
 * @param runningProcessors processors whose worker is inside a task now ({@code blocking()} sections included)
 * @param searchingWorkers workers searching for work now (each holds its processor)
 * @param parkedProcessors processors whose worker is parked now, its thread started or not
 * @param workersWithProcessor workers holding a processor now: the processors neither stopped nor waiting for a spare
 * @param workersWithoutProcessor worker threads without a processor now: spares, parked or on their way, and workers
 *                         finishing a task whose processor was handed off
 * @param busyNanos        nanoseconds the processors' workers have spent awake, not parked, summed over processors
 *                         (Tokio's {@code worker_total_busy_duration}; at most parallelism times the elapsed time)
 * @param schedulingLatency time from submission to start of the sampled submissions
 * @param processors       the same counters per processor, by processor id
 */
public record SchedulerStats(long tasksExecuted, long tasksStolen, long stealOperations, long overflows,
                             long globalPolls, long runnextHits, long parks, long unparks,
                             int localQueueDepth, int globalQueueDepth, int liveVirtualThreads,
                             long preemptionRequests, long handOffs, long handOffsDelayed, long handOffsDeclined,
                             long capStalls,
                             int workerThreads, int peakWorkerThreads,
                             long delayedTasks, long timersFired, long timersCancelled,
                             int runningProcessors, int searchingWorkers, int parkedProcessors,
                             int workersWithProcessor, int workersWithoutProcessor, long busyNanos,
                             LatencyHistogram schedulingLatency, List<ProcessorStats> processors) {

    /** Copies {@code processors}; neither it nor {@code schedulingLatency} may be null. */
    public SchedulerStats {
        Objects.requireNonNull(schedulingLatency, "schedulingLatency");
        processors = List.copyOf(Objects.requireNonNull(processors, "processors"));
    }

    /**
     * One processor's counters; the fields mean what the totals of {@link SchedulerStats} mean.
     *
     * @param id              the processor's number, 0 to parallelism - 1
     * @param tasksExecuted   tasks run on this processor
     * @param tasksStolen     tasks this processor's worker stole from others
     * @param stealOperations steal operations by this processor's worker that moved work
     * @param overflows       overflows of this processor's queue into the global queue
     * @param globalPolls     polls of the global queue by this processor's worker that returned work
     * @param runnextHits     tasks taken from this processor's runnext slot by its own worker
     * @param parks           parks of this processor's worker
     * @param unparks         wake-ups of this processor's worker
     * @param localQueueDepth tasks in this processor's queue and runnext slot now
     * @param busyNanos       nanoseconds this processor's workers have spent awake, not parked
     */
    public record ProcessorStats(int id, long tasksExecuted, long tasksStolen, long stealOperations,
                                 long overflows, long globalPolls, long runnextHits, long parks,
                                 long unparks, int localQueueDepth, long busyNanos) {
    }

    /** {@code WorkStealingScheduler.toString()}: the name, the state and the counts ForkJoinPool prints, and ours. */
    static String describe(String name, String state, int parallelism, StatsView view, SchedulerStats s) {
        return "WorkStealingScheduler[" + name + ", " + state + ", parallelism = " + parallelism
                + ", threads = " + s.workerThreads() + ", running = " + s.runningProcessors()
                + ", searching = " + s.searchingWorkers() + ", parked = " + s.parkedProcessors()
                + ", spares parked = " + view.parkedSpares() + ", executed = " + s.tasksExecuted()
                + ", steals = " + s.stealOperations() + ", stolen = " + s.tasksStolen()
                + ", local queued = " + s.localQueueDepth() + ", global queued = " + s.globalQueueDepth()
                + ", hand-offs = " + s.handOffs() + ", preemptions = " + s.preemptionRequests()
                + ", delayed = " + s.delayedTasks() + ", virtual threads = " + s.liveVirtualThreads() + "]";
    }

    /** A snapshot of the engine's counters, read racily. */
    static SchedulerStats of(StatsView view, int parallelism) {
        List<ProcessorStats> list = new ArrayList<>(parallelism);
        for (int i = 0; i < parallelism; i++) {
            ProcessorCounters c = view.counters(i);
            list.add(new ProcessorStats(i, c.get(Event.EXECUTED), c.get(Event.STOLEN), c.get(Event.STEAL_OPERATION),
                    c.get(Event.OVERFLOW), c.get(Event.GLOBAL_POLL), c.get(Event.RUNNEXT_HIT),
                    c.get(Event.PARK), c.get(Event.UNPARK), view.localDepth(i), view.busyNanos(i)));
        }
        long[] buckets = new long[LatencyRecorder.BUCKETS];
        long latencySum = view.schedulingLatency(buckets);
        int threads = view.workerThreads();
        int held = view.heldProcessors();
        long executed = view.executedWithoutProcessor(), stolen = 0, steals = 0, overflows = 0, polls = 0, runnext = 0;
        long parks = 0, unparks = 0, busy = 0;
        int depth = 0;
        for (ProcessorStats p : list) {
            executed += p.tasksExecuted();
            stolen += p.tasksStolen();
            steals += p.stealOperations();
            overflows += p.overflows();
            polls += p.globalPolls();
            runnext += p.runnextHits();
            parks += p.parks();
            unparks += p.unparks();
            depth += p.localQueueDepth();
            busy += p.busyNanos();
        }
        return new SchedulerStats(executed, stolen, steals, overflows, polls, runnext, parks, unparks,
                depth, view.globalDepth(), view.liveVirtualThreads(), view.preemptionRequests(), view.handOffs(),
                view.handOffsDelayed(), view.handOffsDeclined(), view.capStalls(), threads, view.peakWorkerThreads(), view.delayedTasks(), view.timersFired(),
                view.timersCancelled(), view.runningProcessors(), view.searchingWorkers(), view.parkedProcessors(),
                held, Math.max(0, threads - held), busy, new LatencyHistogram(buckets, latencySum, view.sampleOneIn()),
                list);
    }
}
