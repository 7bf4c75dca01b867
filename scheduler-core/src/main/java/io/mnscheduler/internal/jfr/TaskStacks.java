package io.mnscheduler.internal.jfr;

/** The stack of the task a worker runs, as text for an event field. */
public final class TaskStacks {
    /** Frames kept; a deeper stack ends with a line saying how many were left out. */
    static final int MAX_FRAMES = 64;
    private static final String ENGINE = "io.mnscheduler.internal.";

    private TaskStacks() {
    }

    /**
     * {@code thread}'s stack, innermost frame first, one {@code at ...} line per frame, cut where
     * the scheduler's own frames begin (the task's caller, WorkerLoop.runTask) and after
     * {@link #MAX_FRAMES} frames. Asked on the task's own thread, the engine's frames on top are
     * left out, and the public {@code checkpoint()} or {@code blocking()} frame comes first.
     */
    public static String of(Thread thread) {
        StackTraceElement[] frames = thread.getStackTrace();
        StringBuilder b = new StringBuilder();
        int shown = 0;
        int top = 0;
        while (thread == Thread.currentThread() && top < frames.length && (frames[top].getClassName().startsWith(ENGINE)
                || frames[top].getClassName().equals("java.lang.Thread"))) {
            top++; // the task's own thread asking (checkpoint(), blocking()): this call's frames first
        }
        for (int i = top; i < frames.length; i++) {
            StackTraceElement f = frames[i];
            if (f.getClassName().startsWith(ENGINE + "WorkerLoop")) {
                break; // below this: the scheduler's loop, the same for every task
            }
            if (shown == MAX_FRAMES) {
                b.append("... (more frames)\n");
                break;
            }
            b.append("at ").append(f).append('\n');
            shown++;
        }
        return b.toString();
    }
}
