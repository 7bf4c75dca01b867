package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

abstract class RunStatePad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/** Read on every round of every worker's loop and on every submission; written a few times in a scheduler's life. */
abstract class RunStateHot extends RunStatePad0 {
    volatile int state;            // RUNNING..TERMINATED; raised under the global queue's lock, read anywhere
    volatile boolean softStop;     // written once by shutdownNow when virtual threads were alive; read by workers
    volatile boolean stopCalled;   // written by shutdownNow under the global queue's lock; read by rejected() and Joining
}

abstract class RunStatePad1 extends RunStateHot {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p10, p11, p12, p13, p14, p15, p16;
}

/**
 * The scheduler's life: its run state (RUNNING, SHUTDOWN, STOP, TERMINATED), the soft stop of a
 * shutdownNow() that found virtual threads alive, and the count of live worker threads, whose last
 * exit terminates the scheduler.
 *
 * <p>Owns and alone writes: {@code state}, {@code softStop}, {@code liveWorkers} and the termination
 * latch. Every other part reads the run state only through the questions below. The raises to
 * SHUTDOWN and STOP are made by {@link Shutdown} under the global queue's lock (section "Shutdown"
 * of the overview in {@code package-info.java}). The hot fields are padded: every worker reads them
 * on every round of its loop, and a line shared with data written often would cost a miss each time.
 */
final class RunState extends RunStatePad1 {
    private static final int RUNNING = 0;
    private static final int SHUTDOWN = 1;
    private static final int STOP = 2;
    private static final int TERMINATED = 3;

    private final AtomicInteger liveWorkers;             // worker threads running or coming (a reserved spare); RMW by each
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final VirtualThreadRegistry liveVirtual;     // final; read for draining()
    private final Runnable onTermination;                // final: wakes the monitor so that it sees termination
    private final BooleanSupplier accepting = this::accepting; // final; asked by VirtualThreadRegistry.register

    final String name;                                   // final: the scheduler's name, for events and log lines

    RunState(String name, int workers, VirtualThreadRegistry liveVirtual, Runnable onTermination) {
        this.name = name;
        this.liveWorkers = new AtomicInteger(workers);
        this.liveVirtual = liveVirtual;
        this.onTermination = onTermination;
    }

    /** Whether new tasks and new virtual threads are accepted (a volatile read). */
    boolean accepting() {
        return state == RUNNING;
    }

    /** {@link #accepting()} as a supplier, allocated once. */
    BooleanSupplier acceptingSupplier() {
        return accepting;
    }

    /** Whether shutdown() or shutdownNow() was called. */
    boolean isShutdown() {
        return state >= SHUTDOWN;
    }

    boolean isTerminated() {
        return state == TERMINATED;
    }

    /** STOP without live virtual threads: workers leave at once. */
    boolean hardStopped() {
        return state >= STOP && !softStop;
    }

    /** Shut down and no virtual thread alive: workers leave once they find nothing. */
    boolean draining() {
        return state >= SHUTDOWN && liveVirtual.count() == 0;
    }

    /** Shutdown only, under the global queue's lock: raises the state to SHUTDOWN. */
    void toShutdown() {
        advance(SHUTDOWN);
    }

    /** Shutdown only, under the global queue's lock: raises the state to STOP. */
    void toStop() {
        stopCalled = true;
        advance(STOP);
    }

    /** Shutdown only: a stop that keeps the processors running until the last virtual thread ends. */
    void softStop() {
        softStop = true;
    }

    private void advance(int target) {
        if (state < target) {
            state = target;
        }
    }

    /**
     * Shutdown only, under the global queue's lock, once it found nothing queued, running or alive
     * (Shutdown.quiescent): the scheduler is terminated now, as ThreadPoolExecutor and ForkJoinPool
     * report an idle pool; its worker threads finish their exit afterwards.
     */
    void terminateNow() {
        state = TERMINATED;
        onTermination.run(); // before the latch: awaitTermination returns with the termination hooks done
        terminated.countDown();
    }

    /** A spare worker is about to be started; counted before its processor is handed to it. */
    void workerComing() {
        liveWorkers.incrementAndGet();
    }

    /** A worker thread ended, or a counted spare was not started; the last one terminates the scheduler. */
    void workerGone() {
        if (liveWorkers.decrementAndGet() == 0) {
            terminateNow(); // or again, after an early termination: idempotent
        }
    }

    boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** The exception for a task refused because the scheduler is shut down. */
    RejectedExecutionException rejected(Runnable task) {
        String why = stopCalled ? "shutdownNow() was called" : "shutdown() was called"; // not the state: TERMINATED follows either
        return new RejectedExecutionException("Task " + task + " rejected: the scheduler is shut down (" + why + ")");
    }
}
