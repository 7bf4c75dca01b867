package io.mnscheduler.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A processor went from its worker to a spare. Committed by whoever handed it off (the monitor, or
 * the task's own thread in {@code checkpoint()} and {@code blocking()}), so JFR's own stack trace
 * is left out: {@link #taskStack} is the stack of the task that held the processor.
 */
@Name("io.mnscheduler.HandOff")
@Label("Hand-off")
@Category("mn-scheduler")
@Description("A processor was handed from a worker whose task blocked or ran too long to a spare worker")
@StackTrace(false)
public final class HandOffEvent extends jdk.jfr.Event {
    @Label("Scheduler")
    public String scheduler;

    @Label("Processor")
    public int processor;

    @Label("Reason")
    @Description("blocked in the kernel, parked at Java level, ran too long, blocking(), or checkpoint()")
    public String reason;

    @Label("Task Run Time")
    @Description("How long the task had held the processor, as the monitor saw it (0 when the task handed off itself before the monitor saw it)")
    @Timespan(Timespan.NANOSECONDS)
    public long runTime;

    @Label("Worker")
    @Description("The thread that lost the processor; its task goes on without one")
    public Thread worker;

    @Label("Thread State")
    @Description("The worker's Java thread state at the hand-off, and its kernel state where Linux tells it")
    public String threadState;

    @Label("Task Stack")
    @Description("The stack of the task that held the processor, innermost frame first, down to the scheduler's frames")
    public String taskStack;

    /** Why a processor was handed off. */
    public enum Reason {
        /** The task's thread was in a blocking system call (kernel state S or D). */
        BLOCKED_IN_KERNEL("blocked in the kernel"),
        /** The task's thread waited at Java level (WAITING, TIMED_WAITING or BLOCKED). */
        PARKED("parked at Java level"),
        /** The task computed past a preemption request. */
        RAN_TOO_LONG("ran too long"),
        /** The task was inside {@code blocking()} while work waited. */
        BLOCKING("blocking()"),
        /** The task honoured a preemption request at {@code checkpoint()}. */
        CHECKPOINT("checkpoint()");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        /**
         * How a task's thread waits, from its Java state and its kernel state letter
         * ({@link ThreadStates#kernelState}): PARKED when Java says WAITING, TIMED_WAITING or
         * BLOCKED; BLOCKED_IN_KERNEL when Java says RUNNABLE and the kernel {@code S} (asleep in
         * a system call) or {@code D} (waiting for I/O); null when it runs, or may.
         */
        public static Reason waiting(Thread.State java, char kernel) {
            if (java == Thread.State.WAITING || java == Thread.State.TIMED_WAITING || java == Thread.State.BLOCKED) {
                return PARKED;
            }
            return java == Thread.State.RUNNABLE && (kernel == 'S' || kernel == 'D') ? BLOCKED_IN_KERNEL : null;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Whether a hand-off would be recorded; the caller then gathers the fields and calls {@link #emit}. */
    public static boolean enabled() {
        return new HandOffEvent().shouldCommit();
    }

    /**
     * Records a hand-off. {@code suspected} is the monitor's reason (RAN_TOO_LONG or BLOCKING, or
     * the task's own); a RAN_TOO_LONG whose worker turns out to wait is told apart here by its
     * thread states, read now, while the worker still waits: PARKED at Java level, or
     * BLOCKED_IN_KERNEL in a system call (a thread in {@code read()} is RUNNABLE to Java).
     */
    public static void emit(String scheduler, int processor, Reason suspected, long runTime, Thread worker, int tid) {
        HandOffEvent e = new HandOffEvent();
        if (!e.shouldCommit()) {
            return;
        }
        Thread.State javaState = worker.getState();
        char kernel = ThreadStates.kernelState(tid);
        Reason waiting = Reason.waiting(javaState, kernel);
        Reason reason = suspected == Reason.RAN_TOO_LONG && waiting != null ? waiting : suspected;
        e.scheduler = scheduler;
        e.processor = processor;
        e.reason = reason.toString();
        e.runTime = runTime;
        e.worker = worker;
        e.threadState = javaState + (kernel == ThreadStates.UNKNOWN ? "" : ", kernel " + kernel);
        e.taskStack = TaskStacks.of(worker);
        e.commit();
    }
}
