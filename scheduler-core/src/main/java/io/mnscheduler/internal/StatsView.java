package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.queue.InjectionQueue;
import io.mnscheduler.internal.stats.ProcessorCounters;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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
    private final int sampleOneIn;                   // final
    private final RunState runState;                 // final

    StatsView(Processor[] processors, InjectionQueue global, VirtualThreadRegistry liveVirtual, Spares spares,
              HandOff handOff, MonitorView monitorView, WorkerLoop loop, Timers timers, Idle<Worker> idle,
              int sampleOneIn, RunState runState) {
        this.sampleOneIn = sampleOneIn;
        this.runState = runState;
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

    /** Processors held by a worker (its thread started or not): neither stopped nor waiting for a spare; racy. */
    public int heldProcessors() {
        int n = 0;
        for (Processor p : processors) {
            int st = Processor.status(p.state);
            n += st == Processor.STOPPED || st == Processor.HANDOFF ? 0 : 1;
        }
        return n;
    }

    /**
     * Nanoseconds processor {@code id}'s workers have spent awake so far (Tokio's busy duration):
     * the sum up to the last park, plus the time since the last wake-up unless parked or stopped now.
     */
    public long busyNanos(int id) {
        Processor p = processors[id];
        long done = p.counters.get(ProcessorCounters.Event.BUSY_NANOS);
        int st = Processor.status(p.state);
        if (st == Processor.PARKED || st == Processor.STOPPED) {
            return done;
        }
        return done + Math.max(0, System.nanoTime() - p.busySince);
    }

    /** Adds every processor's latency buckets to {@code into} and returns the sum of the sampled latencies. */
    public long schedulingLatency(long[] into) {
        long sum = 0;
        for (Processor p : processors) {
            sum += p.latency.snapshotInto(into);
        }
        return sum;
    }

    /** One submission in this many is timed for the latency histogram; 0: none. */
    public int sampleOneIn() {
        return sampleOneIn;
    }

    /** The cap on worker threads, spares included. */
    public int maxWorkers() {
        return spares.cap();
    }

    /** Processors whose worker runs a virtual thread's continuation now; racy. */
    public int mountedVirtualThreads() {
        int n = 0;
        for (Processor p : processors) {
            Runnable current = p.owner.current; // a racy read of the owner's field, for a count
            n += current != null && VirtualThreadSupport.threadOf(current) != null ? 1 : 0;
        }
        return n;
    }

    /**
     * Live virtual threads runnable but not on a processor now, as far as their states tell: the
     * live count less the tracked threads that wait (parked, blocked, sleeping) and the mounted
     * ones; so threads started and not yet run are included. Racy, O(tracked threads).
     */
    public int queuedVirtualThreads() {
        int waiting = 0;
        for (Thread t : liveVirtual.threads()) {
            waiting += t.getState() != Thread.State.RUNNABLE ? 1 : 0;
        }
        return Math.max(0, liveVirtual.count() - waiting - mountedVirtualThreads());
    }

    /** The number of processors. */
    public int processors() {
        return processors.length;
    }

    /** Whether the scheduler has terminated. */
    public boolean terminated() {
        return runState.isTerminated();
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

    /**
     * The virtual threads that are running now or ran and have not been seen to end; racy. A thread
     * started but not yet run is counted ({@link #liveVirtualThreads}) but not listed: it is only a
     * task in a queue until then.
     */
    public List<Thread> liveVirtualThreadList() {
        Set<Thread> all = new LinkedHashSet<>(liveVirtual.threads()); // Thread's equality is identity
        for (Processor p : processors) {
            addRunning(all, p.owner.current);
        }
        for (Worker w : spares.running()) {
            addRunning(all, w.current);
        }
        return List.copyOf(all);
    }

    private static void addRunning(Set<Thread> sink, Runnable current) {
        Thread vt = current == null ? null : VirtualThreadSupport.threadOf(current); // a racy read of a worker's field
        if (vt != null && vt.getState() != Thread.State.TERMINATED) {
            sink.add(vt);
        }
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

    /** See {@link io.mnscheduler.SchedulerStats#handOffsDeclined()}. */
    public long handOffsDeclined() {
        return monitorView.handOffsDeclined();
    }

    /** See {@link io.mnscheduler.SchedulerStats#capStalls()}. */
    public long capStalls() {
        return monitorView.capStalls();
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
