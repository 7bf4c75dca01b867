package io.mnscheduler.internal;

import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.jfr.HandOffEvent.Reason;
import io.mnscheduler.internal.jfr.PreemptionRequestEvent;
import io.mnscheduler.internal.monitor.Monitor;

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

    MonitorView(Processor[] processors, HandOff handOff, Idle<Worker> idle, RunState runState) {
        this.processors = processors;
        this.handOff = handOff;
        this.idle = idle;
        this.runState = runState;
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
        PreemptionRequestEvent.emit(runState.name, i, ranNanos, p.owner.thread);
    }

    @Override
    public void handOff(int i, int expectedWord, boolean blockingSection, long ranNanos) {
        handOff.handOff(processors[i], expectedWord, blockingSection ? Reason.BLOCKING : Reason.RAN_TOO_LONG, ranNanos);
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
