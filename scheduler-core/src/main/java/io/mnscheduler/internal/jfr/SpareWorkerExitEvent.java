package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A worker thread without a processor ended: its keep-alive ran out, or the scheduler shut down. */
@Name("io.mnscheduler.SpareWorkerExit")
@Label("Spare Worker Exit")
@Category("mn-scheduler")
@Description("A worker thread without a processor ended (keep-alive ran out, or shutdown)")
@StackTrace(false)
public final class SpareWorkerExitEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Worker")
    public String worker;

    @Label("Worker Threads")
    @Description("Worker threads after the exit")
    public int workerThreads;

    /** Records a spare's exit, if the event is on. */
    public static void emit(String scheduler, String worker, int workerThreads) {
        SpareWorkerExitEvent e = new SpareWorkerExitEvent();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.worker = worker;
            e.workerThreads = workerThreads;
            e.commit();
        }
    }
}
