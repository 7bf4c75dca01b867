package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A new spare worker thread was started for a hand-off. */
@Name("io.mnscheduler.SpareWorkerStart")
@Label("Spare Worker Start")
@Category("mn-scheduler")
@Description("A spare worker thread was started to take a handed-off processor")
@StackTrace(false)
public final class SpareWorkerStartEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Processor")
    public int processor;

    @Label("Spare")
    public Thread spare;

    @Label("Worker Threads")
    @Description("Worker threads after the start, spares included")
    public int workerThreads;

    /** Records a spare's start, if the event is on. */
    public static void emit(String scheduler, int processor, Thread spare, int workerThreads) {
        SpareWorkerStartEvent e = new SpareWorkerStartEvent();
        if (e.shouldCommit()) {
            e.scheduler = scheduler;
            e.processor = processor;
            e.spare = spare;
            e.workerThreads = workerThreads;
            e.commit();
        }
    }
}
