package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * A worker's fields, laid out after Thread's own. Worker adds the padding behind them: the worker
 * writes {@code current} twice per task, and without the padding the next object on the heap,
 * often the next worker, whose header its own thread reads on every submission, shared that
 * cache line. Which runs hit it depended on where the two objects fell, and those runs had one
 * worker of two run fork-join work at a third of the other's speed.
 */
abstract class WorkerFields extends Thread {
    final Scheduler scheduler;             // final: the engine this worker belongs to (tells ours from another's)
    Processor processor;                   // the processor held, or null for a spare; this worker only (set by the assigner before wake or start)
    int epoch;                             // the tenure on that processor: its state word's epoch; same ownership
    volatile boolean notified;             // set by the waker before LockSupport.unpark, cleared by this worker
    boolean searching;                     // this worker only: counted as searching in Idle
    int random;                            // this worker only: xorshift state for victim order
    Runnable current;                      // written by this worker around each task; read racily by shutdownNow
    final IdleStrategy idleStrategy;       // final; null: park as soon as the steal rounds fail

    WorkerFields(Scheduler scheduler, Processor processor, String name, IdleStrategy idleStrategy, int seed) {
        super(null, null, name, 0, false);
        this.scheduler = scheduler;
        this.processor = processor;
        this.idleStrategy = idleStrategy;
        this.random = 0x9E3779B9 * (seed + 1);
    }
}

/**
 * A worker (Go's M): a platform thread that runs the tasks of the processor it holds. A worker
 * whose processor was handed off while its task ran goes on running that task without one, then
 * becomes a spare: parked, waiting to be given a processor, and gone after the keep-alive. Its
 * thread runs {@link WorkerLoop#run}; this class only owns the thread's fields and its park and
 * wake-up primitive.
 */
final class Worker extends WorkerFields {
    long p00, p01, p02, p03, p04, p05, p06, p07;  // keeps the next object off the line of the fields above
    long p10, p11, p12, p13, p14, p15, p16;

    Worker(Scheduler scheduler, Processor processor, String name, IdleStrategy idleStrategy, int seed) {
        super(scheduler, processor, name, idleStrategy, seed);
        setDaemon(true);
    }

    @Override
    public void run() {
        scheduler.loop().run(this);
    }

    /** The worker running the caller: the current thread, or the carrier of the current virtual thread; null if neither is one. */
    static Worker current() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            t = VirtualThreadSupport.currentCarrier();
        }
        return t instanceof Worker w ? w : null;
    }

    /** Wakes this worker from {@link #awaitNotified()}; any thread. */
    void wake() {
        notified = true; // volatile write before unpark: pairs with the volatile read in awaitNotified
        LockSupport.unpark(this);
    }

    /**
     * Blocks until {@link #wake()} or until {@code deadline} ({@link System#nanoTime()}; 0 for none);
     * true when woken. Interrupts are for tasks, so they are cleared here.
     */
    boolean awaitNotified(long deadline) {
        while (!notified) {
            if (deadline == 0L) {
                LockSupport.park(scheduler);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                LockSupport.parkNanos(scheduler, left);
            }
            Thread.interrupted();
        }
        notified = false;
        return true;
    }

    /** Blocks until {@link #wake()}; costs no CPU. */
    void awaitNotified() {
        awaitNotified(0L);
    }

    int nextRandom() {
        int x = random;
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        random = x;
        return x;
    }
}
