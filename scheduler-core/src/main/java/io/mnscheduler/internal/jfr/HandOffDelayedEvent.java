package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Throttle;

/**
 * A hand-off was put off: the worker cap was reached with no spare parked, or no thread could be
 * made. The monitor retries every look while work waits, so this is throttled by default.
 */
@Name("io.mnscheduler.HandOffDelayed")
@Label("Hand-off Delayed")
@Category("mn-scheduler")
@Description("A hand-off was put off because the worker cap (maxWorkers) was reached, or no thread could be made")
@StackTrace(false)
@Throttle("100/s")
public final class HandOffDelayedEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Processor")
    public int processor;

    @Label("Reason")
    public String reason;

    @Label("Max Workers")
    public int maxWorkers;

    @Label("Worker Threads")
    public int workerThreads;

    /** Records a delayed hand-off, if the event is on. */
    public static void emit(String scheduler, int processor, String reason, int maxWorkers, int workerThreads) {
        HandOffDelayedEvent e = new HandOffDelayedEvent();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.processor = processor;
            e.reason = reason;
            e.maxWorkers = maxWorkers;
            e.workerThreads = workerThreads;
            e.commit();
        }
    }
}
