package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.CarrierPool;
import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.monitor.Monitor;
import io.mnscheduler.internal.queue.InjectionQueue;
import io.mnscheduler.spi.WorkerPlacement;
import org.agrona.concurrent.IdleStrategy;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The engine behind {@code WorkStealingScheduler}, and its only entry point: builds the parts,
 * connects them, starts the threads, and passes each call on to the part that owns it (Tokio's
 * {@code multi_thread/mod.rs}). It holds no state of its own beyond those parts and decides
 * nothing. The design, and which file implements each of its protocols, is the implementation
 * overview in {@code package-info.java}.
 */
public final class Scheduler {
    private final Processor[] processors;   // final contents
    private final InjectionQueue global;    // final
    private final RunState runState;        // final
    private final HandOff handOff;          // final
    private final Monitor monitor;          // final
    private final Parking parking;          // final
    private final Stealing stealing;        // final
    private final Submission submission;    // final
    private final Shutdown shutdown;        // final
    private final WorkerLoop loop;          // final
    private final StatsView stats;          // final
    private final Timers timers;            // final
    private volatile CarrierPool carrierPool; // made on first use: most schedulers never carry a virtual thread
    private final Spares spares;            // final
    private final Joining joining;          // final
    private final String threadNamePrefix;  // final
    private final Thread.UncaughtExceptionHandler handler;          // final; null: the worker thread's own
    private final ThreadFactory threadFactory;                      // final; null: WorkerThreads, daemons
    private final Supplier<? extends IdleStrategy> idleStrategies;  // final; null for none
    private volatile Runnable terminationHook;                      // written once by onTermination; run once at termination
    private final java.util.concurrent.atomic.AtomicBoolean hookRan = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Creates the engine, and starts its workers and monitor when {@code startThreads}; tests that
     * drive the protocol from threads of their own pass false.
     *
     * @param name             the scheduler's name, for events and log lines
     * @param parallelism      the number of processors and workers, at least 1
     * @param queueCapacity    each local queue's capacity, a power of two
     * @param threadNamePrefix worker names are this prefix followed by the processor id
     * @param threadFactory    makes every thread (workers, spares, the monitor); null for daemon threads of our own
     * @param handler          receives what tasks throw; null for each worker's default
     * @param idleStrategies   makes each worker's back-off before parking; null to park at once
     * @param placement        places each worker and orders its victims
     * @param tickNanos        the monitor's tick
     * @param handOffTicks     ticks a task may hold its processor while work waits before a hand-off
     * @param maxWorkers       the cap on worker threads, spares included
     * @param keepAliveNanos   how long a spare waits for a processor before it exits
     * @param cancelDelayedOnShutdown whether shutdown() cancels one-shot timers too (periodic ones always stop)
     * @param sampleOneIn      one submission in this many is timed for the scheduling-latency histogram; 0: none
     * @param startThreads     whether to start the worker and monitor threads
     * @throws IllegalStateException when the factory fails, or the first worker or the monitor cannot start
     */
    Scheduler(String name, int parallelism, int queueCapacity, String threadNamePrefix, ThreadFactory threadFactory,
              Thread.UncaughtExceptionHandler handler,
              Supplier<? extends IdleStrategy> idleStrategies, WorkerPlacement placement,
              long tickNanos, int handOffTicks, int maxWorkers, long keepAliveNanos, boolean cancelDelayedOnShutdown,
              int sampleOneIn, boolean startThreads) {
        this.threadNamePrefix = threadNamePrefix;
        this.threadFactory = threadFactory;
        this.handler = handler;
        this.idleStrategies = idleStrategies;
        this.processors = new Processor[parallelism];
        for (int i = 0; i < parallelism; i++) {
            processors[i] = new Processor(i, queueCapacity, TaskOrder.FAIRNESS_INTERVAL);
        }
        VictimOrder[] victims = VictimOrder.forAll(parallelism, placement);
        this.global = new InjectionQueue(parallelism);
        VirtualThreadRegistry liveVirtual = new VirtualThreadRegistry(parallelism, Submission.OFF_PROCESSOR_STRIPES);
        Idle<Worker> idle = new Idle<>(parallelism);
        this.spares = new Spares(parallelism, maxWorkers);
        this.runState = new RunState(name, parallelism, liveVirtual, this::terminated);
        this.handOff = new HandOff(processors, global, idle, spares, runState, keepAliveNanos, this::newSpare);
        MonitorView monitorView = new MonitorView(processors, handOff, idle, runState);
        this.monitor = new Monitor(monitorView, tickNanos, handOffTicks);
        this.parking = new Parking(processors, global, idle, monitor, runState);
        TaskOrder order = new TaskOrder(global, parking, parallelism, tickNanos, name);
        this.timers = new Timers(this, processors, runState, order, parking, cancelDelayedOnShutdown);
        this.stealing = new Stealing(processors, victims, idle, runState, order, parking, timers);
        this.submission = new Submission(this, global, order, parking, runState, liveVirtual, sampleOneIn);
        this.shutdown = new Shutdown(processors, global, runState, liveVirtual, parking, spares, timers);
        this.loop = new WorkerLoop(order, timers, stealing, parking, handOff, runState, liveVirtual, idle, spares, placement,
                handler);
        this.joining = new Joining(this, runState);
        this.stats = new StatsView(processors, global, liveVirtual, spares, handOff, monitorView, loop, timers, idle,
                sampleOneIn, runState);
        for (Processor p : processors) {
            p.owner = newWorker(p, threadNamePrefix + p.id, p.id);
        }
        Thread monitorThread = newMonitorThread();
        if (startThreads) {
            start(monitorThread);
        } else {
            for (Processor p : processors) {
                p.owner.markStarted(); // the tests' threads play the workers: a wake-up must not start ours
            }
        }
    }

    /**
     * Starts the engine in O(parallelism), as Go starts its Ms only for work: every worker is
     * counted parked, and its thread starts at its first wake-up ({@link Worker#wake}). Processor
     * 0's worker and the monitor start now, so that a scheduler that cannot start even one thread
     * fails here, and one thread lives from here to shutdown (a processor's worker never leaves
     * before it). A failure stops what was started.
     */
    private void start(Thread monitorThread) {
        parking.startParked(processors);
        Worker first = processors[0].owner;
        first.markStarted();
        try {
            first.thread.start();
        } catch (Throwable e) { // OutOfMemoryError when the OS refuses a thread, or a factory's thread refusing
            first.markUnstarted();
            shutdown.shutdownNow(); // retires every worker, none started
            throw new IllegalStateException("Could not start worker thread " + first.thread.getName() + ": " + e, e);
        }
        try {
            monitorThread.start();
        } catch (Throwable e) {
            shutdown.shutdownNow(); // worker 0 leaves; the others, never started, are retired
            throw new IllegalStateException("Could not start the monitor thread " + monitorThread.getName() + ": " + e, e);
        }
    }

    private Thread newMonitorThread() {
        String name = threadNamePrefix + "monitor";
        if (threadFactory != null) {
            return Worker.threadFrom(threadFactory, monitor, name);
        }
        Thread t = new Thread(null, monitor, name, 0, false);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts a processor's worker at its first wake-up; false when its thread cannot start (the OS
     * refuses threads, or the factory's thread refuses): then the worker is retired, its processor
     * stopped empty, one log line says so, and the scheduler goes on with the threads it has.
     */
    boolean startThread(Worker w) {
        try {
            w.thread.start();
            return true;
        } catch (Throwable e) {
            loop.startFailed(w, e);
            return false;
        }
    }

    /** The engine, started. */
    public Scheduler(String name, int parallelism, int queueCapacity, String threadNamePrefix, ThreadFactory threadFactory,
                     Thread.UncaughtExceptionHandler handler,
                     Supplier<? extends IdleStrategy> idleStrategies, WorkerPlacement placement,
                     long tickNanos, int handOffTicks, int maxWorkers, long keepAliveNanos,
                     boolean cancelDelayedOnShutdown, int sampleOneIn) {
        this(name, parallelism, queueCapacity, threadNamePrefix, threadFactory, handler, idleStrategies, placement, tickNanos,
                handOffTicks, maxWorkers, keepAliveNanos, cancelDelayedOnShutdown, sampleOneIn, true);
    }

    private Worker newWorker(Processor p, String name, int seed) {
        Worker w = new Worker(this, p, name, idleStrategies == null ? null
                : Objects.requireNonNull(idleStrategies.get(), "idleStrategy supplier returned null"), seed,
                threadFactory);
        if (handler != null) {
            w.thread.setUncaughtExceptionHandler(handler);
        }
        return w;
    }

    /**
     * Spare worker number {@code n}, unstarted and without a processor; HandOff gives it one.
     *
     * @throws IllegalStateException when the factory fails
     */
    private Worker newSpare(int n) {
        return newWorker(null, threadNamePrefix + "spare-" + n, -n);
    }

    /** RunState's termination hook: at least once, after the constructor; the hooks added by {@link #onTermination} once. */
    private void terminated() {
        monitor.stop();
        Runnable hook = terminationHook;
        if (hook != null && hookRan.compareAndSet(false, true)) {
            try {
                hook.run();
            } catch (RuntimeException | Error e) {
                System.getLogger(Scheduler.class.getName()).log(System.Logger.Level.WARNING,
                        "A termination hook of scheduler " + runState.name + " failed: " + e, e);
            }
        }
    }

    /**
     * Runs {@code hook} once when the scheduler terminates, before {@code awaitTermination} returns
     * (or now, if it has terminated already); one hook per scheduler (the public layer's
     * observability: the MXBean, the JFR sampler, schedtrace).
     */
    public void onTermination(Runnable hook) {
        terminationHook = hook;
        if (runState.isTerminated()) {
            terminated();
        }
    }

    /*
     * The parts, for Worker and for the tests that drive the engine's protocol from threads of
     * their own (the interleaving tests).
     */

    /** The worker loop; a worker's thread runs {@link WorkerLoop#run}. */
    WorkerLoop loop() {
        return loop;
    }

    HandOff handOff() {
        return handOff;
    }

    Submission submission() {
        return submission;
    }

    Stealing stealing() {
        return stealing;
    }

    Parking parking() {
        return parking;
    }

    Processor processor(int id) {
        return processors[id];
    }

    InjectionQueue global() {
        return global;
    }

    Spares spares() {
        return spares;
    }

    Timers timers() {
        return timers;
    }

    Joining joining() {
        return joining;
    }

    // ---------------------------------------------------------------- what WorkStealingScheduler calls

    public int parallelism() {
        return processors.length;
    }

    /** The future {@code submit} and {@code invokeAll} run: its get(), on one of our workers, helps (see Joining). */
    public <V> JoinableTask<V> newTaskFor(Callable<V> callable) {
        return new JoinableTask<>(joining, callable);
    }

    /** As {@link #newTaskFor(Callable)}, for a Runnable and its result. */
    public <V> JoinableTask<V> newTaskFor(Runnable runnable, V result) {
        return new JoinableTask<>(joining, runnable, result);
    }

    /** Accepts a task or throws {@link RejectedExecutionException}; the caller checked for null. */
    public void execute(Runnable task) {
        submission.execute(task);
    }

    /**
     * Accepts the continuation task of one of our virtual threads: on its start, after an unpark, or
     * after a yield. Refused only when it starts a new virtual thread after shutdown.
     */
    public void executeContinuation(Runnable task) {
        submission.executeContinuation(task);
    }

    /**
     * What our virtual threads are built with: continuations go to {@link #executeContinuation}, the
     * timers of their timed parks to this scheduler's timers (see {@link CarrierPool}).
     */
    public Executor carrierPool() {
        CarrierPool p = carrierPool;
        if (p == null) {
            synchronized (this) {
                p = carrierPool;
                if (p == null) {
                    p = new CarrierPool(this::executeContinuation, timers::scheduleWake);
                    carrierPool = p;
                }
            }
        }
        return p;
    }

    public void shutdown() {
        shutdown.shutdown();
    }

    /**
     * Sets a timer for {@code task}: run once after {@code delayNanos} (0 or less: at once), then, if
     * {@code periodNanos} is not 0, again at a fixed rate (positive) or with a fixed delay
     * (negative); the caller checked the arguments. Throws {@link RejectedExecutionException} after
     * shutdown.
     */
    public <V> DelayedTask<V> schedule(Callable<V> task, long delayNanos, long periodNanos) {
        DelayedTask<V> t = timers.task(task, delayNanos, periodNanos);
        timers.schedule(t);
        return t;
    }

    /** As {@link #schedule(Callable, long, long)}, for a {@code Runnable}. */
    public DelayedTask<Void> schedule(Runnable task, long delayNanos, long periodNanos) {
        DelayedTask<Void> t = timers.task(task, null, delayNanos, periodNanos);
        timers.schedule(t);
        return t;
    }

    public List<Runnable> shutdownNow() {
        return shutdown.shutdownNow();
    }

    /**
     * {@code WorkStealingScheduler.close()}: shuts down and waits for termination; on an interrupt,
     * stops now, keeps waiting, and restores the interrupt status. From one of its own workers it
     * only shuts down, as it cannot wait for itself.
     */
    public void close() {
        shutdown();
        if (isWorkerThread()) {
            return;
        }
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isShutdown() {
        return runState.isShutdown();
    }

    public boolean isTerminated() {
        return runState.isTerminated();
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return runState.awaitTermination(timeout, unit);
    }

    /** Whether the caller runs on one of this scheduler's workers (a virtual thread: on its carrier). */
    public boolean isWorkerThread() {
        Worker w = Worker.current();
        return w != null && w.scheduler == this;
    }

    /** The counters and depths, read racily. */
    public StatsView stats() {
        return stats;
    }

    /** See {@code WorkStealingScheduler.preemptionRequested()}. */
    public static boolean preemptionRequested() {
        return HandOff.preemptionRequested();
    }

    /** See {@code WorkStealingScheduler.checkpoint()}. */
    public static void checkpoint() {
        HandOff.checkpoint();
    }

    /** See {@code WorkStealingScheduler.blocking(Callable)}. */
    public static <T> T blocking(Callable<T> section) throws Exception {
        return HandOff.blocking(section);
    }

    /** See {@code WorkStealingScheduler.blocking(Runnable)}. */
    public static void blocking(Runnable section) {
        try {
            HandOff.blocking(() -> {
                section.run();
                return null;
            });
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // unreachable: a Runnable throws no checked exception
        }
    }
}
