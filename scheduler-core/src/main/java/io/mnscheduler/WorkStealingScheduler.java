package io.mnscheduler;

import io.mnscheduler.internal.Scheduler;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.spi.WorkerPlacement;
import org.agrona.concurrent.IdleStrategy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A work-stealing {@link ExecutorService} built like Go's scheduler: {@code parallelism} processors,
 * each with a bounded lock-free run queue and a {@code runnext} slot, a global injection queue, and
 * one worker thread per processor that steals from the others when its own queue is empty and parks
 * (costing no CPU) when there is nothing to steal.
 *
 * <p>Tasks submitted from one of its own workers go to that worker's processor and run next, which
 * keeps producer and consumer on one core; tasks from other threads go through the global queue.
 * Every task accepted is run exactly once, or returned by {@link #shutdownNow()}; a task refused is
 * refused with {@link RejectedExecutionException}. A task that throws goes to the
 * uncaught-exception handler and the worker keeps going.
 *
 * <p>It is a {@link ScheduledExecutorService}, with Go's timers: each processor keeps its own timer
 * heap, a timer set on a worker goes into that worker's processor, one set from outside into a
 * processor picked at random, and due timers run as tasks between the processor's other tasks; a
 * parked worker sleeps until its processor's earliest deadline. There is no timer thread. A timer
 * never fires early; under load it fires late by at most about a preemption tick (a busy
 * processor's due timers are taken by searching workers, or the processor is handed off), and on
 * an idle scheduler by the time to wake a thread. {@link #submitWithTimeout(Callable, Duration)} runs a task
 * with a timeout. On {@link #shutdown()}, as in {@code ScheduledThreadPoolExecutor}, delayed
 * one-shot tasks still run and periodic ones stop ({@link Builder#cancelDelayedTasksOnShutdown}
 * cancels the one-shot ones too); {@link #shutdownNow()} returns the delayed tasks with the rest.
 *
 * <p>A task that waits for another's future ({@code submit}, {@code invokeAll}) on one of the
 * scheduler's workers runs it inline if it has not started (ForkJoinPool's helping join, bounded
 * at 128 nested runs); otherwise it waits as {@link #blocking(Callable)} does, its processor going
 * to a spare worker so that the queued work runs meanwhile.
 *
 * <p>Worker threads are daemon threads, as in {@link java.util.concurrent.ForkJoinPool}, unless a
 * {@link Builder#threadFactory thread factory} makes them otherwise. All methods
 * are thread-safe.
 *
 * <pre>{@code
 * try (var scheduler = WorkStealingScheduler.builder().parallelism(8).build()) {
 *     Future<Integer> answer = scheduler.submit(() -> 6 * 7);
 *     System.out.println(answer.get());
 * }
 * }</pre>
 */
public final class WorkStealingScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    /** The longest delay, period or timeout accepted: 2^62 - 1 ns (146 years), so nanoTime deadlines never wrap. */
    public static final Duration MAX_DELAY = Duration.ofNanos(Long.MAX_VALUE / 2);

    /** Spare worker threads allowed beyond parallelism by default (Builder.maxWorkers). */
    private static final int DEFAULT_SPARES = 256;

    private final Scheduler scheduler;
    private final String name;            // final: Builder.name, or "mn-N", or the thread name prefix; unique while registered
    private final Executor continuations; // what our virtual threads submit their continuation tasks to

    private WorkStealingScheduler(Builder b) {
        this.name = Observability.nameOf(b.name, b.threadNamePrefix, b.registerMXBean);
        String prefix = b.threadNamePrefix != null ? b.threadNamePrefix : name + "-worker-";
        this.scheduler = new Scheduler(name, b.parallelism, b.localQueueCapacity, prefix, b.threadFactory,
                b.uncaughtExceptionHandler, b.idleStrategy, b.placement, b.preemptionTick.toNanos(), b.handOffTicks,
                b.maxWorkers < 0 ? b.parallelism + DEFAULT_SPARES : b.maxWorkers, b.spareKeepAlive.toNanos(),
                b.cancelDelayedTasksOnShutdown, b.latencySampling);
        this.continuations = scheduler.carrierPool();
        Observability.attach(this, scheduler, name, b.name != null, b.registerMXBean);
    }

    /**
     * A scheduler with the defaults: parallelism equal to {@link Runtime#availableProcessors()},
     * local queues of up to 4,096 tasks, workers named {@code mn-N-worker-P}, the workers' default
     * uncaught-exception handling, and parking without a spinning back-off.
     *
     * @return a new scheduler (its workers' threads start when first needed)
     */
    public static WorkStealingScheduler create() {
        return builder().build();
    }

    /**
     * A builder with the defaults of {@link #create()}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The number of processors, which is also the number of worker threads.
     *
     * @return the parallelism given to the builder
     */
    public int parallelism() {
        return scheduler.parallelism();
    }

    /**
     * Runs {@code task} once on some worker. From one of this scheduler's workers the task goes
     * into that worker's {@code runnext} slot; from any other thread into the global queue.
     *
     * @throws NullPointerException       if {@code task} is null
     * @throws RejectedExecutionException if the scheduler is shut down
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        scheduler.execute(task);
    }

    /**
     * Stops accepting tasks; tasks already accepted still run. Does not wait: see
     * {@link #awaitTermination}. A scheduler with nothing queued or running and no live virtual
     * thread (never used, or idle) is terminated when this returns, as {@code ThreadPoolExecutor}
     * and {@code ForkJoinPool} are; its worker threads may still be finishing their exit.
     * Idempotent.
     */
    @Override
    public void shutdown() {
        scheduler.shutdown();
    }

    /**
     * Stops accepting tasks, interrupts the running ones, and returns every task that was accepted
     * but never started; none of them runs afterwards. Idempotent: a second call returns an empty
     * list.
     */
    @Override
    public List<Runnable> shutdownNow() {
        return scheduler.shutdownNow();
    }

    /**
     * Runs {@code command} once after {@code delay}; a delay of 0 or less runs it at once.
     *
     * @throws RejectedExecutionException after shutdown
     * @throws NullPointerException       if {@code command} or {@code unit} is null
     * @throws IllegalArgumentException   if the delay is longer than {@link #MAX_DELAY}
     */
    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command = null; allowed: any non-null Runnable");
        return scheduler.schedule(command, Delays.delayNanos("delay", delay, unit), 0L);
    }

    /**
     * Runs {@code callable} once after {@code delay}; a delay of 0 or less runs it at once.
     *
     * @throws RejectedExecutionException after shutdown
     * @throws NullPointerException       if {@code callable} or {@code unit} is null
     * @throws IllegalArgumentException   if the delay is longer than {@link #MAX_DELAY}
     */
    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable = null; allowed: any non-null Callable");
        return scheduler.schedule(callable, Delays.delayNanos("delay", delay, unit), 0L);
    }

    /**
     * Runs {@code command} after {@code initialDelay}, then every {@code period} from that first
     * start (a run that overruns delays the next, which then starts at once; runs never overlap),
     * until it is cancelled, throws (its future then reports the exception), or the scheduler shuts
     * down.
     *
     * @throws RejectedExecutionException after shutdown
     * @throws NullPointerException       if {@code command} or {@code unit} is null
     * @throws IllegalArgumentException   if the period is not positive, or either is longer than {@link #MAX_DELAY}
     */
    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command = null; allowed: any non-null Runnable");
        long p = Delays.periodNanos("period", period, unit);
        return scheduler.schedule(command, Delays.delayNanos("initialDelay", initialDelay, unit), p);
    }

    /**
     * Runs {@code command} after {@code initialDelay}, then again {@code delay} after each run ends,
     * until it is cancelled, throws (its future then reports the exception), or the scheduler shuts
     * down.
     *
     * @throws RejectedExecutionException after shutdown
     * @throws NullPointerException       if {@code command} or {@code unit} is null
     * @throws IllegalArgumentException   if the delay is not positive, or either is longer than {@link #MAX_DELAY}
     */
    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command = null; allowed: any non-null Runnable");
        long d = Delays.periodNanos("delay", delay, unit);
        return scheduler.schedule(command, Delays.delayNanos("initialDelay", initialDelay, unit), -d);
    }

    /**
     * Runs {@code task} with a time limit, as {@code ForkJoinPool.submitWithTimeout} (not an overload
     * of {@code submit}, where {@code submit(runnable, timeout)} would pick {@code submit(Runnable, T)}):
     * unfinished {@code timeout} after this call, its future completes with a
     * {@link java.util.concurrent.TimeoutException} (the cause of {@code get()}'s
     * {@code ExecutionException}) and the task is interrupted, or never started if still queued.
     *
     * @param task    the task
     * @param timeout positive, at most {@link #MAX_DELAY}
     * @param <V>     the result type
     * @return the task's future
     * @throws RejectedExecutionException after shutdown
     * @throws NullPointerException       if an argument is null
     * @throws IllegalArgumentException   if the timeout is not positive or is longer than {@link #MAX_DELAY}
     */
    public <V> Future<V> submitWithTimeout(Callable<V> task, Duration timeout) {
        return TimeoutTask.submit(scheduler, this, task, timeout);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) { // its get() helps: see the class comment
        return scheduler.newTaskFor(callable);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return scheduler.newTaskFor(runnable, value);
    }

    @Override
    public boolean isShutdown() {
        return scheduler.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return scheduler.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        Objects.requireNonNull(unit, "unit");
        return scheduler.awaitTermination(timeout, unit);
    }

    /**
     * Shuts down and waits until every accepted task has run. If the waiting thread is interrupted,
     * calls {@link #shutdownNow()}, keeps waiting, and restores the interrupt status before
     * returning. Called from one of this scheduler's own tasks it cannot wait for itself, so it only
     * shuts down.
     */
    @Override
    public void close() {
        scheduler.close();
    }

    /**
     * Whether the calling task was asked to yield: it has run past a monitor tick while other work
     * waits behind it. Cheap enough to poll in a loop; false outside this scheduler's workers.
     *
     * @return whether the calling task should reach a {@link #checkpoint()} soon
     */
    public static boolean preemptionRequested() {
        return Scheduler.preemptionRequested();
    }

    /**
     * A cooperative preemption point, for long computations. On a virtual thread carried by a
     * WorkStealingScheduler, yields if preemption was requested, so the thread's carrier serves the
     * others meanwhile. In a platform task, returns at once; if preemption was requested, the
     * worker's processor is first handed to a spare worker, so the queued tasks run while this one
     * goes on (on a thread without a processor; it then counts towards {@code maxWorkers}). Does
     * nothing outside this scheduler's workers.
     */
    public static void checkpoint() {
        Scheduler.checkpoint();
    }

    /**
     * Runs {@code section}, which may block (a JDBC call, a file read, a lock), without holding up
     * the tasks queued behind it: Go's entersyscall/exitsyscall, Tokio's {@code block_in_place}.
     * If work waits, the worker first hands its processor to a spare worker; otherwise it marks the
     * processor as blocking, and the monitor hands it off as soon as work arrives. Afterwards the
     * worker takes its processor back if nobody took it, or another processor that waits for a
     * worker; failing both, the rest of the task runs without a processor, and its submissions go
     * through the global queue. Outside this scheduler's workers, and on virtual threads (which the
     * JDK unmounts while they block), it just runs {@code section}.
     *
     * @param section the code that may block
     * @param <T>     what it returns
     * @return what {@code section} returns
     * @throws Exception what {@code section} throws
     */
    public static <T> T blocking(Callable<T> section) throws Exception {
        Objects.requireNonNull(section, "section");
        return Scheduler.blocking(section);
    }

    /**
     * {@link #blocking(Callable)} for a section that returns nothing and throws no checked exception.
     *
     * @param section the code that may block
     */
    public static void blocking(Runnable section) {
        Objects.requireNonNull(section, "section");
        Scheduler.blocking(section);
    }

    /**
     * A builder of virtual threads carried by this scheduler's workers: they start, and resume
     * after every park, sleep, blocking call or {@link Thread#yield()}, only on this scheduler's
     * workers. A thread unparked by code running on a worker goes into that worker's
     * {@code runnext} slot, so a hand-off between two virtual threads stays on one core (Go's
     * {@code ready()}); unparks from other threads (the JDK's timer and unblocker threads, say) go
     * through the global queue; {@code Thread.yield()} puts the thread behind the queued work, in
     * the global queue (Go's {@code Gosched}).
     *
     * <p>Shutdown: after {@link #shutdown()} (or {@link #close()}) starting a new virtual thread
     * throws {@link RejectedExecutionException}, but virtual threads already started run to their
     * end, and the scheduler terminates only after the last one ends; {@code close()} and
     * {@code awaitTermination} wait for them. {@link #shutdownNow()} also interrupts every live
     * virtual thread and keeps carrying them until they end; it returns only plain tasks. No virtual
     * thread is dropped.
     *
     * <p>Needs the JVM flag {@code --add-opens java.base/java.lang=ALL-UNNAMED} on the class path, or
     * {@code --add-opens java.base/java.lang=io.mnscheduler} on the module path: JDK 25 has no public
     * API for a custom virtual-thread scheduler. Each call returns a new builder; like the JDK's
     * builders it is not thread-safe.
     *
     * @return a new builder of virtual threads carried by this scheduler
     * @throws UnsupportedOperationException without the flag; the message names it. The
     *                                       {@code ExecutorService} methods work without it.
     */
    public Thread.Builder.OfVirtual virtualThreadBuilder() {
        return VirtualThreadSupport.newBuilder(continuations);
    }

    /**
     * A factory of virtual threads carried by this scheduler, as made by
     * {@link #virtualThreadBuilder()}; thread-safe.
     *
     * @return a new factory of virtual threads carried by this scheduler
     * @throws UnsupportedOperationException without the flag named by {@link #virtualThreadBuilder()}
     */
    public ThreadFactory virtualThreadFactory() {
        return virtualThreadBuilder().factory();
    }

    /**
     * An executor that starts a new virtual thread, carried by this scheduler, for each task
     * ({@link Executors#newThreadPerTaskExecutor}). Closing it waits for its threads; it does not
     * shut this scheduler down.
     *
     * @return a new executor that starts one virtual thread per task
     * @throws UnsupportedOperationException without the flag named by {@link #virtualThreadBuilder()}
     */
    public ExecutorService newVirtualThreadPerTaskExecutor() {
        return Executors.newThreadPerTaskExecutor(virtualThreadFactory());
    }

    /**
     * The virtual threads carried by this scheduler that run now, or ran and have not ended yet, in no
     * particular order; a racy snapshot, for monitoring and diagnostics. A thread started but not yet
     * run is only a queued task: {@code stats()} counts it, this does not list it.
     *
     * @return an unmodifiable list of the threads
     */
    public List<Thread> liveVirtualThreads() {
        return scheduler.stats().liveVirtualThreadList();
    }

    /**
     * A snapshot of the counters, totals and per processor; the values are read racily, without
     * stopping anything.
     *
     * @return the counters now
     */
    public SchedulerStats stats() {
        return SchedulerStats.of(scheduler.stats(), parallelism());
    }

    @Override
    public String toString() {
        String state = isTerminated() ? "terminated" : isShutdown() ? "shutting down" : "running";
        return SchedulerStats.describe(name, state, parallelism(), scheduler.stats(), stats());
    }

    /**
     * This scheduler's name, which its MXBean, JFR events and {@code schedtrace} lines carry: the
     * {@link Builder#name} given; else {@code mn-N} (N numbering the schedulers built in this JVM, as
     * ForkJoinPool numbers its pools), whose threads are {@code mn-N-worker-P},
     * {@code mn-N-worker-spare-S} and {@code mn-N-worker-monitor}; else, when
     * {@link Builder#threadNamePrefix} was given, that prefix, with {@code #2}, {@code #3}... added
     * when a live registered scheduler already has it.
     *
     * @return the name, as {@link #toString()} shows it
     */
    public String name() {
        return name;
    }

    /**
     * Configures a {@link WorkStealingScheduler}. Each setter checks its argument at once and throws
     * {@link IllegalArgumentException} (or {@link NullPointerException}) naming the parameter, the
     * value given and what is allowed. Not thread-safe; {@link #build()} may be called more than
     * once.
     */
    public static final class Builder {
        /** The largest parallelism accepted. */
        public static final int MAX_PARALLELISM = 0x7FFF;
        /** The largest local queue capacity accepted. */
        public static final int MAX_LOCAL_QUEUE_CAPACITY = 1 << 24;

        private int parallelism = Runtime.getRuntime().availableProcessors();
        private int localQueueCapacity = 4096;
        private String threadNamePrefix; // null: "mn-N-worker-", N numbering the schedulers
        private ThreadFactory threadFactory; // null: daemon threads of the scheduler's own
        private Thread.UncaughtExceptionHandler uncaughtExceptionHandler;
        private Supplier<? extends IdleStrategy> idleStrategy;
        private WorkerPlacement placement = WorkerPlacement.NONE;
        private Duration preemptionTick = Duration.ofMillis(10);
        private int handOffTicks = 2;
        private int maxWorkers = -1; // parallelism + DEFAULT_SPARES
        private Duration spareKeepAlive = Duration.ofSeconds(60);
        private boolean cancelDelayedTasksOnShutdown;
        private String name;                 // null: derived (see WorkStealingScheduler.name())
        private boolean registerMXBean = true;
        private int latencySampling = 0;

        private Builder() {
        }

        /**
         * The scheduler's name (see {@link WorkStealingScheduler#name()}); its worker threads are
         * then {@code <name>-worker-P} unless {@link #threadNamePrefix} says otherwise.
         *
         * @param name not blank; with {@link #registerMXBean} on (the default), no live scheduler may
         *             have it: {@link #build()} throws {@link IllegalStateException} naming it
         * @return this builder
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name = null; allowed: a non-blank name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name = \"" + name + "\"; allowed: a non-blank name");
            }
            this.name = name;
            return this;
        }

        /**
         * Whether to register a {@link WorkStealingSchedulerMXBean} on the platform MBean server as
         * {@code io.mnscheduler:type=WorkStealingScheduler,name=<name>} while the scheduler lives;
         * default true. It is unregistered when the scheduler terminates.
         *
         * @param register false to register nothing
         * @return this builder
         */
        public Builder registerMXBean(boolean register) {
            this.registerMXBean = register;
            return this;
        }

        /**
         * How many submissions there are per one timed for the scheduling-latency histogram
         * ({@link SchedulerStats#schedulingLatency()}); default 0, off: at 64 it cost 12-15% of the
         * throughput of chained_spawn, skynet_futures and spawn_many_local (see the README).
         *
         * @param oneIn 1 (every submission) to 1,048,576, or 0 to time none
         * @return this builder
         */
        public Builder schedulingLatencySampling(int oneIn) {
            this.latencySampling = Arguments.inRange("schedulingLatencySampling", oneIn, 0, 1 << 20,
                    "0 (off) or 1 to 1048576 (one submission timed in that many)");
            return this;
        }

        /**
         * The number of processors and worker threads; default: the available processors. Building
         * costs O(parallelism) time and memory whatever the value: each worker's thread starts when
         * the worker is first needed, so a large parallelism meets the OS's limit on threads only if
         * that many are ever busy at once (a thread refused then is logged once and its processor
         * left unused; see {@link #threadFactory}).
         *
         * @param parallelism 1 to {@value #MAX_PARALLELISM}
         * @return this builder
         */
        public Builder parallelism(int parallelism) {
            this.parallelism = Arguments.inRange("parallelism", parallelism, 1, MAX_PARALLELISM, "1 to " + MAX_PARALLELISM);
            return this;
        }

        /**
         * The capacity of each processor's run queue; default 4096. A queue starts with 256 slots
         * (or fewer) and doubles when full up to the capacity, so a burst of spawns stays where idle
         * workers steal half at a time; only a queue full at its capacity moves half of its tasks
         * to the global queue, which serves them first-in first-out.
         *
         * @param capacity a power of two from 2 to {@value #MAX_LOCAL_QUEUE_CAPACITY}
         * @return this builder
         */
        public Builder localQueueCapacity(int capacity) {
            this.localQueueCapacity = Arguments.powerOfTwo("localQueueCapacity", capacity, 2, MAX_LOCAL_QUEUE_CAPACITY);
            return this;
        }

        /**
         * Worker threads are named this prefix followed by the processor number (spares: the prefix,
         * {@code spare-} and a number; the monitor: the prefix and {@code monitor}); default
         * {@code "mn-N-worker-"}, N numbering the schedulers built in this JVM, so that the threads of
         * two schedulers never share a name.
         *
         * @param prefix any string
         * @return this builder
         */
        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = Objects.requireNonNull(prefix, "threadNamePrefix = null; allowed: any non-null string");
            return this;
        }

        /**
         * Makes every thread of the scheduler (workers, spares, the monitor); default: daemon threads
         * of its own. Use it for what a framework sets up on its threads (daemon status, priority,
         * context class loader, thread-locals), as with {@code ForkJoinPool}'s thread factory. It is
         * given the thread's body and must return a new, unstarted platform thread that runs it,
         * named after the scheduler ({@link #threadNamePrefix} and the processor number,
         * {@code spare-N} or {@code monitor}) unless the factory named it (anything but
         * {@code Thread-N}). {@link #build()} calls it once per processor and for the monitor, and
         * throws {@link IllegalStateException} naming it when it throws or returns null, a started
         * or a virtual thread; a spare it fails to make puts its hand-off off (counted in
         * {@link SchedulerStats#handOffsDelayed()}, the first failure logged). Each worker's thread
         * starts when the worker is first needed (see {@link #parallelism}).
         *
         * @param factory makes the scheduler's threads
         * @return this builder
         */
        public Builder threadFactory(ThreadFactory factory) {
            this.threadFactory = Objects.requireNonNull(factory, "threadFactory = null; allowed: any non-null ThreadFactory");
            return this;
        }

        /**
         * Receives what tasks run with {@link #execute} throw; default: each worker thread's own
         * handler, that is its thread group's. Tasks from {@code submit} keep their exception in
         * their {@code Future} instead.
         *
         * @param handler called on the worker thread, with the worker and what the task threw
         * @return this builder
         */
        public Builder uncaughtExceptionHandler(Thread.UncaughtExceptionHandler handler) {
            this.uncaughtExceptionHandler = Objects.requireNonNull(handler,
                    "uncaughtExceptionHandler = null; allowed: any non-null handler");
            return this;
        }

        /**
         * Low-latency mode: a worker that finds no work backs off through an idle strategy (for
         * example Agrona's {@code BackoffIdleStrategy}, which spins, then yields, then parks briefly)
         * while it keeps looking, for up to 10 ms, before it parks for good. By default a worker
         * parks as soon as its steal rounds come up empty.
         *
         * <p>The one instance given here is called by every searching worker at once, which suits
         * stateless strategies ({@code BusySpinIdleStrategy}, {@code YieldingIdleStrategy},
         * {@code SleepingIdleStrategy}); for a stateful one such as {@code BackoffIdleStrategy},
         * use {@link #idleStrategy(Supplier)} so that each worker has its own.
         *
         * @param strategy the strategy every worker uses
         * @return this builder
         */
        public Builder idleStrategy(IdleStrategy strategy) {
            Objects.requireNonNull(strategy, "idleStrategy = null; allowed: any non-null IdleStrategy");
            this.idleStrategy = () -> strategy;
            return this;
        }

        /**
         * Low-latency mode as in {@link #idleStrategy(IdleStrategy)}, with one strategy per worker
         * made by {@code factory}, called once per worker when the scheduler is built.
         *
         * @param factory makes one strategy per worker; must not return null
         * @return this builder
         */
        public Builder idleStrategy(Supplier<? extends IdleStrategy> factory) {
            this.idleStrategy = Objects.requireNonNull(factory, "idleStrategy = null; allowed: any non-null Supplier");
            return this;
        }

        /**
         * Where workers run and which victims they try first; default {@link WorkerPlacement#NONE}.
         * For NUMA machines, {@code io.mnscheduler.numa.NumaPlacement} (module {@code scheduler-numa})
         * pins workers to CPUs or nodes and makes thieves try their own node first.
         *
         * @param placement where workers run and which victims they try first
         * @return this builder
         */
        public Builder placement(WorkerPlacement placement) {
            this.placement = Objects.requireNonNull(placement, "placement = null; allowed: any WorkerPlacement, or WorkerPlacement.NONE");
            return this;
        }

        /** The shortest preemption tick accepted. */
        public static final Duration MIN_PREEMPTION_TICK = Duration.ofNanos(100_000);
        /**
         * The longest duration accepted anywhere: {@code Long.MAX_VALUE} nanoseconds, about 292 years,
         * the most the scheduler's nanosecond clock arithmetic holds.
         */
        public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

        /**
         * The monitor's tick; default 10 ms. A task that runs longer than one tick while work waits
         * behind it is asked to yield ({@link #preemptionRequested()}); see {@link #handOffTicks}.
         *
         * @param tick from 100 µs to {@link #MAX_DURATION}
         * @return this builder
         */
        public Builder preemptionTick(Duration tick) {
            this.preemptionTick = Arguments.inRange("preemptionTick", tick, MIN_PREEMPTION_TICK, false, MAX_DURATION,
                    "100 µs (PT0.0001S) to " + MAX_DURATION + " (Long.MAX_VALUE nanoseconds)");
            return this;
        }

        /**
         * How many ticks a task may go on holding its processor while work waits before the monitor
         * hands the processor to a spare worker; default 2 (asked to yield after one, handed off
         * after the second).
         *
         * @param ticks 1 to 1000
         * @return this builder
         */
        public Builder handOffTicks(int ticks) {
            this.handOffTicks = Arguments.inRange("handOffTicks", ticks, 1, 1000, "1 to 1000");
            return this;
        }

        /**
         * The cap on worker threads, spares included; default parallelism + 256. When it is reached,
         * hand-offs wait (the stats count them) until a thread is free.
         *
         * @param max at least the parallelism (checked by {@link #build()}), at most 32767
         * @return this builder
         */
        public Builder maxWorkers(int max) {
            this.maxWorkers = Arguments.inRange("maxWorkers", max, 1, MAX_PARALLELISM,
                    "at least the parallelism, at most " + MAX_PARALLELISM);
            return this;
        }

        /**
         * How long a spare worker (one whose processor was handed off) waits for a processor before
         * its thread ends; default 60 s.
         *
         * @param keepAlive positive, at most {@link #MAX_DURATION}
         * @return this builder
         */
        public Builder spareKeepAlive(Duration keepAlive) {
            this.spareKeepAlive = Arguments.inRange("spareKeepAlive", keepAlive, Duration.ZERO, true, MAX_DURATION,
                    "a positive Duration up to " + MAX_DURATION + " (Long.MAX_VALUE nanoseconds)");
            return this;
        }

        /**
         * Whether {@link WorkStealingScheduler#shutdown()} cancels delayed one-shot tasks that have not
         * come due; default false: they still run, and the scheduler terminates after them, as with
         * {@code ScheduledThreadPoolExecutor}. Periodic tasks stop at shutdown either way.
         *
         * @param cancel true to cancel them at shutdown
         * @return this builder
         */
        public Builder cancelDelayedTasksOnShutdown(boolean cancel) {
            this.cancelDelayedTasksOnShutdown = cancel;
            return this;
        }

        /**
         * Creates the scheduler: makes a thread for each processor's worker and for the monitor, and
         * starts the monitor and processor 0's worker; the other workers' threads start when they are
         * first needed (see {@link #threadFactory}). Time and memory are O(parallelism).
         *
         * @return the new scheduler
         * @throws IllegalArgumentException when {@code maxWorkers} is below {@code parallelism}
         * @throws IllegalStateException when the thread factory fails (see {@link #threadFactory}), or the
         *         first worker thread or the monitor thread cannot be started; nothing is left running
         */
        public WorkStealingScheduler build() {
            if (maxWorkers >= 0 && maxWorkers < parallelism) {
                throw new IllegalArgumentException("maxWorkers = " + maxWorkers + "; allowed: at least the parallelism ("
                        + parallelism + ")");
            }
            return new WorkStealingScheduler(this);
        }
    }
}
