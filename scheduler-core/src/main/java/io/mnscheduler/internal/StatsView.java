package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.queue.InjectionQueue;
import io.mnscheduler.internal.stats.ProcessorCounters;

import java.util.List;

/**
 * The engine's counters and depths as {@code WorkStealingScheduler.stats()} reads them. Writes
 * nothing: each count is kept by the part that changes it (a processor's counters by its holder,
 * hand-offs by {@link HandOff}, preemption requests by {@link MonitorView}, tasks run without a
 * processor by {@link WorkerLoop}), and every read here is racy, without stopping anything.
 */
public final class StatsView {
    private final Processor[] processors;            // final contents
    private final InjectionQueue global;             // final
    private final VirtualThreadRegistry liveVirtual; // final
    private final Spares spares;                     // final
    private final HandOff handOff;                   // final
    private final MonitorView monitorView;           // final
    private final WorkerLoop loop;                   // final
    private final Timers timers;                     // final
    private final Idle<Worker> idle;                 // final

    StatsView(Processor[] processors, InjectionQueue global, VirtualThreadRegistry liveVirtual, Spares spares,
              HandOff handOff, MonitorView monitorView, WorkerLoop loop, Timers timers, Idle<Worker> idle) {
        this.processors = processors;
        this.global = global;
        this.liveVirtual = liveVirtual;
        this.spares = spares;
        this.handOff = handOff;
        this.monitorView = monitorView;
        this.loop = loop;
        this.timers = timers;
        this.idle = idle;
    }

    /** Processors whose worker is inside a task now (blocking() sections included); racy. */
    public int runningProcessors() {
        int n = 0;
        for (Processor p : processors) {
            int st = Processor.status(p.state);
            n += st == Processor.RUNNING || st == Processor.SUBMITTING || st == Processor.STEALING
                    || st == Processor.BLOCKING ? 1 : 0;
        }
        return n;
    }

    /** Processors whose worker is parked, its thread started or not; racy. */
    public int parkedProcessors() {
        int n = 0;
        for (Processor p : processors) {
            n += Processor.status(p.state) == Processor.PARKED ? 1 : 0;
        }
        return n;
    }

    /** Workers searching for work now; racy. */
    public int searchingWorkers() {
        return idle.searchingCount();
    }

    /** Spare workers parked, waiting for a processor. */
    public int parkedSpares() {
        return spares.parked();
    }

    /** Timers set and not yet fired, cancelled or handed back. */
    public long delayedTasks() {
        return timers.pending();
    }

    /** Timers that came due and went onto a run queue. */
    public long timersFired() {
        return timers.fired();
    }

    /** Successful cancellations of scheduled tasks. */
    public long timersCancelled() {
        return timers.cancelledCount();
    }

    /** The counters of processor {@code id}. */
    public ProcessorCounters counters(int id) {
        return processors[id].counters;
    }

    /** Tasks in processor {@code id}'s queue, runnext slot and yield list now. */
    public int localDepth(int id) {
        Processor p = processors[id];
        return p.queue.size() + (p.runnext != null ? 1 : 0) + p.yieldedCount();
    }

    /** Tasks in the global queue now. */
    public int globalDepth() {
        return global.size();
    }

    /** The virtual threads started and not yet seen to end. */
    public List<Thread> liveVirtualThreadList() {
        return List.copyOf(liveVirtual.threads());
    }

    /** Virtual threads started and not yet ended. */
    public int liveVirtualThreads() {
        return liveVirtual.count();
    }

    /** Preemption requests the monitor made. */
    public long preemptionRequests() {
        return monitorView.preemptionRequests();
    }

    /** Processors handed to a spare worker. */
    public long handOffs() {
        return handOff.handOffs();
    }

    /** Hand-offs put off because the worker cap was reached. */
    public long handOffsDelayed() {
        return handOff.handOffsDelayed();
    }

    /** Worker threads now, spares included. */
    public int workerThreads() {
        return spares.threads();
    }

    /** The most worker threads there have been at once. */
    public int peakWorkerThreads() {
        return spares.peak();
    }

    /** Tasks whose worker lost its processor while they ran; not in any processor's count. */
    public long executedWithoutProcessor() {
        return loop.executedWithoutProcessor();
    }
}
