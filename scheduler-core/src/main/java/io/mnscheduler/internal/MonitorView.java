package io.mnscheduler.internal;

import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.jfr.HandOffEvent.Reason;
import io.mnscheduler.internal.jfr.TaskStacks;
import io.mnscheduler.internal.jfr.ThreadStates;
import io.mnscheduler.internal.jfr.PreemptionRequestEvent;
import io.mnscheduler.internal.monitor.Monitor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;

import static io.mnscheduler.internal.Processor.BLOCKING;
import static io.mnscheduler.internal.Processor.PARKED;
import static io.mnscheduler.internal.Processor.RUNNING;
import static io.mnscheduler.internal.Processor.STEALING;
import static io.mnscheduler.internal.Processor.STOPPED;
import static io.mnscheduler.internal.Processor.SUBMITTING;
import static io.mnscheduler.internal.Processor.epochOf;
import static io.mnscheduler.internal.Processor.status;
import static io.mnscheduler.internal.Processor.word;

/**
 * What the {@link Monitor} sees of the processors and what it may do to them, by processor index:
 * the engine's side of section "The monitor and hand-off" of the overview in
 * {@code package-info.java}. The monitor's own policy (ticks, when to request, when to hand off,
 * when to sleep) is in {@code Monitor}; the hand-off itself is {@link HandOff}'s.
 *
 * <p>Writes: a processor's {@code preempt} flag (a volatile store, cleared by the owner when its
 * next task starts) and the count of preemption requests. Everything else is a read.
 */
final class MonitorView implements Monitor.Target {
    private final Processor[] processors;   // final contents
    private final HandOff handOff;          // final
    private final Idle<Worker> idle;        // final
    private final RunState runState;        // final
    private final AtomicLong preemptionRequests = new AtomicLong(); // RMW by the monitor
    private final AtomicLong handOffsDeclined = new AtomicLong();   // RMW by the monitor thread, read by stats()
    private final boolean[] declined;      // monitor thread only: a hand-off of this preemption request was declined
    private final AtomicLong capStalls = new AtomicLong();          // RMW by the monitor; read by stats
    private final long[] cpuAtRequest;     // monitor thread only: the worker's CPU time at the preemption request; -1 unknown
    private final long[] nanosAtRequest;   // monitor thread only: when that was read
    private final Thread[] lookedAt;       // monitor thread only: the thread whose CPU time lastCpu holds
    private final long[] lastCpu;          // monitor thread only: that thread's CPU time at the last look at it
    private final long[] lastCpuAt;        // monitor thread only: when that was read
    private int loggedStall;               // monitor thread only: the processors' words when the stall was last logged; 0: none
    private int seenStall;                 // monitor thread only: the processors' words at the last look that saw a stall; 0: none
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final boolean CPU_TIME = THREADS.isThreadCpuTimeSupported();
    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());

    MonitorView(Processor[] processors, HandOff handOff, Idle<Worker> idle, RunState runState) {
        this.processors = processors;
        this.handOff = handOff;
        this.idle = idle;
        this.runState = runState;
        this.cpuAtRequest = new long[processors.length];
        this.declined = new boolean[processors.length];
        this.nanosAtRequest = new long[processors.length];
        this.lookedAt = new Thread[processors.length];
        this.lastCpu = new long[processors.length];
        this.lastCpuAt = new long[processors.length];
    }

    @Override
    public int processors() {
        return processors.length;
    }

    /** The word, with SUBMITTING and STEALING shown as RUNNING: the same task, and the word a hand-off may CAS from. */
    @Override
    public int stateWord(int i) {
        int w = processors[i].state;
        int st = status(w);
        return st == SUBMITTING || st == STEALING ? word(epochOf(w), RUNNING) : w;
    }

    @Override
    public boolean busy(int word) {
        int st = status(word); // never SUBMITTING or STEALING: stateWord shows them as RUNNING
        return st == RUNNING || st == BLOCKING;
    }

    @Override
    public boolean blocking(int word) {
        return status(word) == BLOCKING;
    }

    @Override
    public boolean parked(int word) {
        int st = status(word);
        return st == PARKED || st == STOPPED;
    }

    @Override
    public int schedTick(int i) {
        return processors[i].schedTickOpaque();
    }

    @Override
    public boolean workWaiting(int i) {
        return handOff.workWaiting(processors[i]);
    }

    @Override
    public void requestPreemption(int i, long ranNanos) {
        Processor p = processors[i];
        p.preempt = true;
        preemptionRequests.incrementAndGet();
        cpuAtRequest[i] = cpuTime(p.owner.thread);
        nanosAtRequest[i] = System.nanoTime();
        declined[i] = false;
        PreemptionRequestEvent.emit(runState.name, i, ranNanos, p.owner.thread);
    }

    /**
     * The owner's thread, inside a task: see {@link Reason#waiting}. A RUNNABLE thread is either
     * computing or asleep in a system call; /proc tells which, but reading it costs a file open and
     * read, and under load the monitor looks at a running task behind which work waits on nearly
     * every look. So /proc is read only for a thread whose CPU time advanced by less than an eighth
     * of the time since the last look at it (none is read at the first look at a thread, which only
     * starts its clock; without per-thread CPU time, at every look): a computing thread is told by
     * its CPU clock alone.
     */
    @Override
    public Reason waiting(int i) {
        Worker w = processors[i].owner;
        Thread t = w.thread;
        Thread.State s = t.getState();
        if (s != Thread.State.RUNNABLE) {
            return Reason.waiting(s, ThreadStates.UNKNOWN);
        }
        long cpu = cpuTime(t);
        long now = System.nanoTime();
        boolean known = lookedAt[i] == t;
        boolean computing = cpu >= 0 && known && cpu - lastCpu[i] >= (now - lastCpuAt[i]) / 8;
        lookedAt[i] = t;
        lastCpu[i] = cpu;
        lastCpuAt[i] = now;
        if (cpu >= 0 && !known) {
            // No interval to judge by yet: a thread caught in the kernel for a moment (a safepoint,
            // a page fault, the futex of a latch it is just counting down) is RUNNABLE and asleep
            // too. Only a stillness of the CPU clock between two looks lets /proc speak.
            return null;
        }
        return computing ? null : Reason.waiting(s, ThreadStates.kernelState(w.tid));
    }

    @Override
    public void handOff(int i, int expectedWord, Reason reason, long ranNanos) {
        if (reason == Reason.RAN_TOO_LONG && !progressed(i)) {
            // Runnable, but the OS does not run it: the CPU is the bottleneck, and a spare would not
            // help. Counted once per preemption request; the monitor asks again at its next look.
            if (!declined[i]) {
                declined[i] = true;
                handOffsDeclined.incrementAndGet();
            }
            return;
        }
        handOff.handOff(processors[i], expectedWord, reason, ranNanos);
    }

    /**
     * Whether processor {@code i}'s worker ran on a CPU for at least a quarter of the time since
     * the preemption request; true when CPU time cannot be read.
     */
    private boolean progressed(int i) {
        long before = cpuAtRequest[i];
        long now = cpuTime(processors[i].owner.thread);
        if (before < 0 || now < 0) {
            return true;
        }
        long wall = System.nanoTime() - nanosAtRequest[i];
        return now - before >= wall / 4;
    }

    private static long cpuTime(Thread t) {
        return CPU_TIME ? THREADS.getThreadCpuTime(t.threadId()) : -1L; // -1 for a thread that ended
    }

    @Override
    public long handOffsDelayed() {
        return handOff.handOffsDelayed();
    }

    /**
     * Every processor's task waits while hand-offs wait at the cap: nothing can run until one of
     * them returns (Go's "all goroutines are asleep"). Logged once per situation (the processors'
     * words, which change with every task and hand-off), with each waiting worker's stack.
     */
    @Override
    public void allWaitingAtCap() {
        int[] words = new int[processors.length];
        for (int i = 0; i < words.length; i++) {
            words[i] = processors[i].state;
        }
        int signature = java.util.Arrays.hashCode(words) | 1;
        if (signature != seenStall) {
            seenStall = signature; // the same situation must hold at two looks in a row: a snapshot can be torn
            return;
        }
        if (signature == loggedStall) {
            return;
        }
        loggedStall = signature;
        capStalls.incrementAndGet();
        StringBuilder b = new StringBuilder("Scheduler ").append(runState.name).append(": every processor's task is")
                .append(" blocked or waiting, and hand-offs wait: maxWorkers (").append(handOff.maxWorkers())
                .append(") worker threads exist, or no more could be made; nothing queued can run until one of these tasks returns (raise")
                .append(" maxWorkers, or wait outside the scheduler's tasks):");
        for (Processor p : processors) {
            Thread t = p.owner.thread;
            b.append("\n  processor ").append(p.id).append(", ").append(t.getName()).append(" (").append(t.getState())
                    .append("):\n").append(TaskStacks.of(t).indent(4).stripTrailing());
        }
        LOG.log(System.Logger.Level.WARNING, b.toString());
    }

    @Override
    public void notAllWaitingAtCap() {
        loggedStall = 0;
        seenStall = 0;
    }

    long handOffsDeclined() {
        return handOffsDeclined.get();
    }

    long capStalls() {
        return capStalls.get();
    }

    @Override
    public boolean allWorkersParked() {
        return idle.allParked();
    }

    @Override
    public boolean terminated() {
        return runState.isTerminated();
    }

    long preemptionRequests() {
        return preemptionRequests.get();
    }
}
