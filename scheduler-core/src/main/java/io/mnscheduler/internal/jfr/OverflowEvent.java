package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Throttle;

/** A full local queue moved half of its tasks to the global queue. Off by default; throttled when on. */
@Name("io.mnscheduler.Overflow")
@Label("Overflow")
@Category("mn-scheduler")
@Description("A full local queue moved half of its tasks to the global queue")
@Enabled(false)
@Throttle("100/s")
@StackTrace(false)
public final class OverflowEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Processor")
    public int processor;

    @Label("Tasks Moved")
    public int tasks;

    /** Records an overflow, if the event is on and the throttle lets it through. */
    public static void emit(String scheduler, int processor, int tasks) {
        OverflowEvent e = new OverflowEvent();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.processor = processor;
            e.tasks = tasks;
            e.commit();
        }
    }
}
