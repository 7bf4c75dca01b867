package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/** The monitor asked a task that held its processor for a tick, while work waited, to yield. */
@Name("io.mnscheduler.PreemptionRequest")
@Label("Preemption Request")
@Category("mn-scheduler")
@Description("The monitor asked a long-running task to yield at its next checkpoint()")
@StackTrace(false)
public final class PreemptionRequestEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Processor")
    public int processor;

    @Label("Task Run Time")
    @Description("How long the task had held the processor, as the monitor saw it")
    @Timespan(Timespan.NANOSECONDS)
    public long runTime;

    @Label("Worker")
    public Thread worker;

    /** Records a preemption request, if the event is on. */
    public static void emit(String scheduler, int processor, long runTime, Thread worker) {
        PreemptionRequestEvent e = new PreemptionRequestEvent();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.processor = processor;
            e.runTime = runTime;
            e.worker = worker;
            e.commit();
        }
    }
}
