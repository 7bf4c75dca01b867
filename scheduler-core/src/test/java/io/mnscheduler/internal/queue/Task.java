package io.mnscheduler.internal.queue;

import java.util.concurrent.atomic.AtomicIntegerArray;

/** A numbered task for the queue and engine tests; running it does nothing. */
public record Task(int id) implements Runnable {
    @Override
    public void run() {
    }

    /** Counts {@code r} in {@code seen} at its number if it is a Task; other runnables are ignored. */
    public static void countRun(Runnable r, AtomicIntegerArray seen) {
        if (r instanceof Task(int id)) {
            seen.incrementAndGet(id);
        }
    }
}
