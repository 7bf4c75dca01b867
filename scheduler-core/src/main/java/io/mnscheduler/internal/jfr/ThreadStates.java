package io.mnscheduler.internal.jfr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A thread's state in the kernel, on Linux, read from {@code /proc} without native code: a worker
 * learns its own task id when its thread starts ({@link #currentTid}), and the monitor reads that
 * task's {@code stat} line ({@link #kernelState}). The state letter tells a thread in a blocking
 * system call ({@code S} sleeping, {@code D} in uninterruptible I/O) from one computing or waiting
 * for a CPU ({@code R}). Elsewhere, or when {@code /proc} cannot be read, nothing is known.
 */
public final class ThreadStates {
    /** No task id: not Linux, or {@code /proc/thread-self} could not be read. */
    public static final int NO_TID = -1;
    /** No kernel state known. */
    public static final char UNKNOWN = '?';

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private ThreadStates() {
    }

    /** The calling thread's kernel task id ({@code gettid()}), or {@link #NO_TID}. */
    public static int currentTid() {
        try {
            String link = Files.readSymbolicLink(THREAD_SELF).toString(); // "<pid>/task/<tid>"
            return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
        } catch (IOException | RuntimeException e) { // no /proc (not Linux), or an odd link
            return NO_TID;
        }
    }

    /** The kernel state letter of task {@code tid} of this process ({@code R}, {@code S}, {@code D}, ...), or {@link #UNKNOWN}. */
    public static char kernelState(int tid) {
        if (tid == NO_TID) {
            return UNKNOWN;
        }
        try {
            String stat = new String(Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/stat")), StandardCharsets.US_ASCII);
            int end = stat.lastIndexOf(')'); // the command name may itself hold spaces and parentheses
            return end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : UNKNOWN;
        } catch (IOException | RuntimeException e) { // the thread ended, or no /proc
            return UNKNOWN;
        }
    }
}
