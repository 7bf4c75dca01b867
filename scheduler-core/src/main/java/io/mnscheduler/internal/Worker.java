package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.internal.jfr.ThreadStates;
import org.agrona.concurrent.IdleStrategy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * A worker's fields. Worker adds the padding behind them: the worker writes {@code current} twice
 * per task, and without the padding the next object on the heap, often the next worker, whose
 * fields its own thread reads on every submission, shared that cache line. Which runs hit it
 * depended on where the two objects fell, and those runs had one worker of two run fork-join work
 * at a third of the other's speed.
 */
abstract class WorkerFields {
    final Scheduler scheduler;             // final: the engine this worker belongs to (tells ours from another's)
    Thread thread;                         // set once by the constructor, before anyone else sees this worker
    Processor processor;                   // the processor held, or null for a spare; this worker only (set by the assigner before wake or start)
    int epoch;                             // the tenure on that processor: its state word's epoch; same ownership
    volatile boolean notified;             // set by the waker before LockSupport.unpark, cleared by this worker
    volatile boolean poked;                // set by whoever gave its parked processor an earlier timer, cleared by this worker
    volatile int life;                     // Worker.UNSTARTED, STARTED or RETIRED; leaves UNSTARTED once, by CAS
    volatile int tid = ThreadStates.NO_TID; // its thread's kernel task id: written once by that thread at its start, read by hand-offs
    boolean startsParked;                  // set before the thread can start (Parking.startParked), read once by it
    boolean searching;                     // this worker only: counted as searching in Idle
    int random;                            // this worker only: xorshift state for victim order
    int untilSample;                       // this worker only: its submissions until the next one timed (SampledTask)
    int helpDepth;                         // this worker only: awaited tasks it is running inline, nested (Joining)
    Runnable current;                      // written by this worker around each task; read racily by shutdownNow
    final IdleStrategy idleStrategy;       // final; null: park as soon as the steal rounds fail

    WorkerFields(Scheduler scheduler, Processor processor, IdleStrategy idleStrategy, int seed) {
        this.scheduler = scheduler;
        this.processor = processor;
        this.idleStrategy = idleStrategy;
        this.random = 0x9E3779B9 * (seed + 1);
    }
}

/** The thread of a worker made without a user's factory: the worker is one field away, found without a lookup. */
final class WorkerThread extends Thread {
    final Worker worker; // final

    WorkerThread(Worker worker, String name) {
        super(null, worker, name, 0, false);
        this.worker = worker;
        setDaemon(true);
    }
}

/**
 * A worker (Go's M): a platform thread that runs the tasks of the processor it holds. A worker
 * whose processor was handed off while its task ran goes on running that task without one, then
 * becomes a spare: parked, waiting to be given a processor, and gone after the keep-alive. Its
 * thread runs {@link WorkerLoop#run}; this class only owns the thread's fields and its park and
 * wake-up primitive.
 */
final class Worker extends WorkerFields implements Runnable {
    long p00, p01, p02, p03, p04, p05, p06, p07;  // keeps the next object off the line of the fields above
    long p10, p11, p12, p13, p14, p15, p16;

    static final int UNSTARTED = 0;
    static final int STARTED = 1;
    /** Never started, and never will be: shut down before it was needed, or its thread could not start. */
    static final int RETIRED = 2;

    private static final VarHandle LIFE;
    /** A JDK default thread name ({@code new Thread(r)}, an unnamed builder's factory): the factory gave none. */
    private static final Pattern UNNAMED = Pattern.compile("|Thread-\\d+");
    /**
     * The workers whose threads a user's factory made, by thread, while they run: such a thread is
     * not a {@link WorkerThread}, and its worker must still be found from it, or from a virtual
     * thread it carries. Empty unless some scheduler has a factory, and then one lookup.
     */
    private static final ConcurrentHashMap<Thread, Worker> MADE_BY_FACTORIES = new ConcurrentHashMap<>();

    static {
        try {
            LIFE = MethodHandles.lookup().findVarHandle(WorkerFields.class, "life", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A worker and its thread, unstarted. Without a factory the thread is a daemon
     * {@link WorkerThread} named {@code name}; with one, the factory's thread, named {@code name}
     * unless the factory named it, its daemon status kept.
     *
     * @throws IllegalStateException when the factory throws, or returns null, a started thread or a
     *         virtual one
     */
    Worker(Scheduler scheduler, Processor processor, String name, IdleStrategy idleStrategy, int seed,
           ThreadFactory factory) {
        super(scheduler, processor, idleStrategy, seed);
        this.thread = factory == null ? new WorkerThread(this, name) : threadFrom(factory, this, name);
    }

    /**
     * A thread for {@code body} from a user's {@code factory} (a worker's, or the monitor's), named
     * {@code name} unless the factory named it.
     *
     * @throws IllegalStateException naming the factory, when it throws or returns no usable thread
     */
    static Thread threadFrom(ThreadFactory factory, Runnable body, String name) {
        Thread t;
        try {
            t = factory.newThread(body);
        } catch (RuntimeException | Error e) {
            throw new IllegalStateException("threadFactory " + factory + " threw " + e + " making thread " + name
                    + "; allowed: a factory that returns a new, unstarted platform thread", e);
        }
        if (t == null || t.isVirtual() || t.getState() != Thread.State.NEW) {
            throw new IllegalStateException("threadFactory " + factory + " returned "
                    + (t == null ? "null" : t.isVirtual() ? "a virtual thread" : "a thread already started (" + t + ")")
                    + " for thread " + name + "; allowed: a new, unstarted platform thread");
        }
        if (UNNAMED.matcher(t.getName()).matches()) {
            t.setName(name);
        }
        return t;
    }

    /** The thread's body. */
    @Override
    public void run() {
        boolean foreign = !(thread instanceof WorkerThread);
        if (foreign) {
            MADE_BY_FACTORIES.put(Thread.currentThread(), this); // a factory may wrap us: key the thread that runs
        }
        try {
            scheduler.loop().run(this);
        } finally {
            if (foreign) {
                MADE_BY_FACTORIES.remove(Thread.currentThread());
            }
        }
    }

    /** The worker running the caller: the current thread, or the carrier of the current virtual thread; null if neither is one. */
    static Worker current() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            t = VirtualThreadSupport.currentCarrier();
        }
        return of(t);
    }

    /** The worker whose thread {@code t} is; null for any other thread (or null). */
    static Worker of(Thread t) {
        if (t instanceof WorkerThread wt) {
            return wt.worker;
        }
        return t == null || MADE_BY_FACTORIES.isEmpty() ? null : MADE_BY_FACTORIES.get(t);
    }

    /**
     * Wakes this worker from {@link #awaitNotified()}, starting its thread if this is its first
     * wake-up (a processor's worker starts only when first needed); any thread. False when the
     * thread could not be started: the worker is then retired, and the caller must find work
     * another worker.
     */
    boolean wake() {
        notified = true; // volatile write before unpark or start: pairs with the volatile read in awaitNotified
        if (life == UNSTARTED && LIFE.compareAndSet(this, UNSTARTED, STARTED)) {
            return scheduler.startThread(this);
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * Shutdown only: if the thread never started, it now never will, and this worker's exit is done
     * here, on the caller's thread ({@link WorkerLoop#retire}); false when it started (wake it).
     */
    boolean retireUnstarted() {
        if (life == UNSTARTED && LIFE.compareAndSet(this, UNSTARTED, RETIRED)) {
            scheduler.loop().retire(this);
            return true;
        }
        return false;
    }

    /** Its creator starts the thread at once (processor 0's worker at build(), a fresh spare). */
    void markStarted() {
        LIFE.setVolatile(this, STARTED);
    }

    /** Its creator could not start the thread after all: it counts as never started. */
    void markUnstarted() {
        LIFE.setVolatile(this, UNSTARTED);
    }

    /**
     * Blocks until {@link #wake()} or until {@code deadline} ({@link System#nanoTime()}; 0 for none);
     * true when woken. A poke (meant for a processor's parked owner) does not end it.
     */
    boolean awaitNotified(long deadline) {
        int why;
        do {
            why = awaitWork(deadline != 0L, deadline);
        } while (why == POKED);
        return why == NOTIFIED;
    }

    static final int NOTIFIED = 0;
    static final int TIMED_OUT = 1;
    static final int POKED = 2;

    /**
     * A parked worker's wait: until {@link #wake()} (NOTIFIED), until {@code deadline} if it has one
     * (TIMED_OUT: its processor's earliest timer is due), or until its processor is given an earlier
     * timer (POKED, see Timers.add). Interrupts are for tasks, so they are cleared here.
     */
    int awaitWork(boolean hasDeadline, long deadline) {
        while (!notified) {
            if (poked) {
                poked = false;
                return POKED;
            }
            if (!hasDeadline) {
                LockSupport.park(scheduler);
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return TIMED_OUT;
                }
                LockSupport.parkNanos(scheduler, left);
            }
            Thread.interrupted();
        }
        notified = false;
        return NOTIFIED;
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
