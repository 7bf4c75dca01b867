package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Throttle;

/** A searching worker took tasks from another processor. Off by default; throttled when on. */
@Name("io.mnscheduler.Steal")
@Label("Steal")
@Category("mn-scheduler")
@Description("A searching worker stole tasks from another processor's queue, runnext slot or timers")
@Enabled(false)
@Throttle("100/s")
@StackTrace(false)
public final class StealEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Thief")
    @Description("The processor of the stealing worker")
    public int thief;

    @Label("Victim")
    public int victim;

    @Label("Tasks")
    public int tasks;

    @Label("Same Group")
    @Description("Whether thief and victim share a placement group (a NUMA node); true without groups")
    public boolean sameGroup;

    /** Records a steal, if the event is on and the throttle lets it through. */
    public static void emit(String scheduler, int thief, int victim, int tasks, boolean sameGroup) {
        StealEvent e = new StealEvent();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.thief = thief;
            e.victim = victim;
            e.tasks = tasks;
            e.sameGroup = sameGroup;
            e.commit();
        }
    }
}
