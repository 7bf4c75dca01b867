package io.mnscheduler.internal.queue;

/** A numbered task for queue tests; running it does nothing. */
record Task(int id) implements Runnable {
    @Override
    public void run() {
    }
}
