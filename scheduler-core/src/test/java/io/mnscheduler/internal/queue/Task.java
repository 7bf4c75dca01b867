package io.mnscheduler.internal.queue;

/** A numbered task for the queue and engine tests; running it does nothing. */
public record Task(int id) implements Runnable {
    @Override
    public void run() {
    }
}
