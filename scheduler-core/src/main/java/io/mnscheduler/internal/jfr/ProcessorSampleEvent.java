package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One processor's activity since the previous sample (every period, like jdk.ThreadCPULoad). Off by
 * default, as one event per processor per second is a lot for a large scheduler; the .jfc turns it on.
 */
@Name("io.mnscheduler.ProcessorSample")
@Label("Processor Sample")
@Category("mn-scheduler")
@Description("One processor's tasks, steals, parks and busy time since the previous sample, and its queue depth now")
@Enabled(false)
@Period("1 s")
@StackTrace(false)
public final class ProcessorSampleEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Processor")
    public int processor;

    @Label("Tasks Executed")
    public long tasksExecuted;

    @Label("Tasks Stolen")
    @Description("Tasks this processor's worker stole from others")
    public long tasksStolen;

    @Label("Parks")
    public long parks;

    @Label("Queue Depth")
    @Description("Tasks in the processor's queue and runnext slot now")
    public int queueDepth;

    @Label("Busy Time")
    @Description("Time its worker was awake, not parked")
    @Timespan(Timespan.NANOSECONDS)
    public long busyTime;
}
