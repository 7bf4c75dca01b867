package io.mnscheduler.internal.queue;

import java.util.ArrayDeque;
import java.util.Collection;

/**
 * The global queue (Go's {@code sched.runq}, Tokio's inject queue): submissions from threads that
 * are not workers, and batches that overflow from full local queues.
 *
 * <p>It is a ring buffer under a lock, as in Go and Tokio: every operation is a few array stores,
 * batches move under one acquisition, and closing is atomic with respect to every push, which
 * gives {@code shutdown} its exactly-once argument for outside submitters. Workers poll it first on
 * every 61st tick and otherwise only when their own queue is empty, so the lock is off the hot path
 * of worker-local scheduling.
 */
public final class InjectionQueue {
    private final Object lock = new Object();
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>(256); // guarded by lock
    private boolean closed;                                           // guarded by lock
    private boolean everAdded;                                        // guarded by lock: some task was ever added
    private volatile int size;                                        // written under lock; read racily as a hint

    /**
     * Adds a task from outside the workers.
     *
     * @return false when the queue was closed by shutdown; the task was not added
     */
    public boolean offerExternal(Runnable task) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            tasks.addLast(task);
            size = tasks.size();
            everAdded = true;
            return true;
        }
    }

    /**
     * Adds tasks from a worker, in order, under one lock acquisition. Workers may still add after
     * {@link #close(Runnable)}: they only move work they already accepted.
     */
    public void addBatch(Runnable[] batch, int count) {
        synchronized (lock) {
            for (int i = 0; i < count; i++) {
                tasks.addLast(batch[i]);
            }
            size = tasks.size();
            everAdded = true;
        }
    }

    /** Adds one task from a worker; like {@link #addBatch}, allowed after {@link #close(Runnable)}. */
    public void add(Runnable task) {
        synchronized (lock) {
            tasks.addLast(task);
            size = tasks.size();
            everAdded = true;
        }
    }

    /** Takes the oldest task, or null. */
    public Runnable poll() {
        if (size == 0) {
            return null;
        }
        synchronized (lock) {
            Runnable task = tasks.pollFirst();
            size = tasks.size();
            return task;
        }
    }

    /**
     * Takes up to {@code max} of the oldest tasks into {@code into}, oldest first, under one lock
     * acquisition.
     *
     * @return the number of tasks taken
     */
    public int pollBatch(Runnable[] into, int max) {
        if (size == 0 || max <= 0) {
            return 0;
        }
        synchronized (lock) {
            int n = Math.min(max, tasks.size());
            for (int i = 0; i < n; i++) {
                into[i] = tasks.pollFirst();
            }
            size = tasks.size();
            return n;
        }
    }

    /**
     * Refuses further {@link #offerExternal} calls; runs {@code whileLocked} under the same lock,
     * where it may call {@link #everAddedWhileClosing()}.
     */
    public void close(Runnable whileLocked) {
        synchronized (lock) {
            closed = true;
            whileLocked.run();
        }
    }

    /** Moves every task to {@code sink}. */
    public int drainTo(Collection<? super Runnable> sink) {
        synchronized (lock) {
            int n = tasks.size();
            sink.addAll(tasks);
            tasks.clear();
            size = 0;
            return n;
        }
    }

    /** Only inside {@link #close(Runnable)}'s action, which holds the lock: whether any task was ever added. */
    public boolean everAddedWhileClosing() {
        return everAdded;
    }

    /** The number of tasks at the last change; a racy hint. */
    public int size() {
        return size;
    }
}
