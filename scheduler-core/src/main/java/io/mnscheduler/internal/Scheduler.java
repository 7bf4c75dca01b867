package io.mnscheduler.internal;

import io.mnscheduler.internal.carrier.VirtualThreadRegistry;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import io.mnscheduler.internal.idle.Idle;
import io.mnscheduler.internal.monitor.Monitor;
import io.mnscheduler.internal.queue.InjectionQueue;
import io.mnscheduler.internal.stats.ProcessorCounters;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;
import io.mnscheduler.spi.WorkerPlacement;
import org.agrona.concurrent.IdleStrategy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The engine behind {@code WorkStealingScheduler}.
 *
 * <pre>
 * Implementation Overview
 *
 * Processors. There are N processors (Go's P), each with a bounded RunQueue and a runnext slot,
 * and N workers (Go's M), platform threads that each hold one processor. A task (Go's G) is a
 * Runnable; nothing is allocated per task.
 *
 * Local queues. The holder of a processor pushes and pops at the tail of its RunQueue without a
 * CAS; thieves take the older half from the head in one claim (see RunQueue for the protocol and
 * its memory-ordering argument). A task submitted from a worker goes into runnext (Go's runnext,
 * Tokio's LIFO slot) and the previous occupant moves into the queue, so a task just made ready
 * runs next and stays in cache. After RUNNEXT_LIMIT consecutive runnext tasks the queue is served
 * first, so two tasks that keep submitting each other cannot starve it; if the global queue holds
 * work then, the runnext task moves to its tail (Go's preempted goroutine), behind that work.
 * Because the owner pops LIFO, a FAIRNESS_INTERVAL-th tick also takes the oldest local task from
 * the head, if none was taken so for a preemption tick per OLDEST_PER_TICK_DEPTH tasks queued (see
 * pollOldestIfDue).
 *
 * Injection. Submissions from other threads go into the InjectionQueue (a ring under a lock, as in
 * Go and Tokio). When a local queue is full, the owner moves its older half plus the new task there
 * in one batch (Go's runqputslow). A worker polls the global queue first on every 61st tick (Go's
 * schedtick % 61), and otherwise when its own queue is empty, taking min(len / N + 1, capacity / 2)
 * tasks at once (Go's globrunqget). For a tick after its queue overflowed, a processor polls it on
 * at most one fairness tick per preemption tick and keeps its spent runnext task: the global queue
 * then holds mostly its own overflow (see overflowedRecently).
 *
 * Stealing. A worker whose queue is empty asks Idle to become a searcher; at most half of the
 * unparked workers search at once. A searcher visits victims nearest first, by the distances of the
 * WorkerPlacement (NUMA nodes, say), and at equal distance in a random order (a random start and a
 * random stride coprime to the tier's size, as Go's randomOrder; with no placement, one tier holds
 * every other processor), stops at the first steal, and on the last of
 * STEAL_ROUNDS rounds also takes the runnext task of a processor whose task is still running (Go's
 * runqsteal with stealRunNextG), so a task readied by a task that then blocks is not stuck. To do
 * so it holds the victim's state word in STEALING for a few steps, so that the owner, who holds the
 * word whenever it touches the slot, never pays an atomic for runnext (see Processor).
 *
 * Idling and wake-up. A worker that finds nothing parks on LockSupport and costs no CPU. With an
 * IdleStrategy configured, a searcher first backs off through it for LOW_LATENCY_SEARCH_NANOS.
 * A submission ends with Idle.workerToNotify(), which wakes a parked worker only when no worker
 * searches; Idle documents why no wake-up is lost. A worker's own submission skips it when its
 * processor already held work, in runnext or in the queue (as ForkJoinPool signals only a push
 * onto an empty queue): the submission that gave the processor that work notified, and a worker
 * that parked since then did so after its final check saw that work (the check reads runnext
 * too), or while a thief that emptied the processor in between still runs and will search again.
 * So a task that submits two children, the first into runnext and the second displacing it into
 * the queue, pays for one notification, not two. Either way the task is never stranded: its own
 * worker takes it after the current task, and the monitor hands the processor off if that task
 * holds it while work waits.
 * SubmitStealParkInterleavingTest explores this rule against a thief and a parking worker.
 * What is saved is a fence and a shared read per task on the hot path of fork-join work. The last searcher to find work wakes another
 * (Go's resetspinning), so a burst spreads over the workers.
 *
 * Processor states. Each processor's state word holds an epoch (the current worker's tenure) and a
 * status saying what that worker is doing:
 *   SCHEDULING  between tasks: popping, stealing, polling (owner-only transitions out of it)
 *   RUNNING     inside a task
 *   SUBMITTING  inside a task, pushing onto its own queue (entered by CAS from RUNNING)
 *   BLOCKING    inside a task's blocking() section (entered by CAS from RUNNING)
 *   STEALING    inside a task, while a thief takes runnext (entered by the thief's CAS from RUNNING,
 *               left by its releasing store of the same RUNNING word)
 *   PARKED      parked with nothing to do
 *   HANDOFF     taken from its worker; a spare worker is on its way to claim it
 *   STOPPED     taken by shutdownNow, or left by an exiting worker; final
 * The owner moves SCHEDULING to RUNNING or PARKED with a releasing store (nobody else writes a
 * processor in SCHEDULING), and leaves RUNNING, BLOCKING and PARKED by CAS, because the monitor or
 * shutdownNow may have taken them; an owner that finds its word in STEALING waits for the thief's
 * few steps to end (Processor.leaveRunning). shutdownNow and the monitor never CAS SCHEDULING,
 * SUBMITTING or STEALING: those last a few steps of scheduler code; shutdownNow waits for them to
 * end, and the monitor tries again on its next tick.
 *
 * The monitor and hand-off (the M in M:N). A Monitor thread ticks (preemptionTick, 10 ms by
 * default). While every processor is parked it looks less often (the sleep doubles up to ten
 * ticks), and after 50 such looks it parks (whoever wakes a parked worker then unparks it, after
 * the worker). It compares each processor's schedTick (tasks
 * started, written opaque by the owner) with the last tick's. A task seen running for a whole tick
 * while work waits gets a preemption request (a flag the owner clears at its next task start);
 * still running handOffTicks - 1 ticks later, or sitting in blocking() while work waits, it loses
 * its processor: handOff() reserves a spare under the worker cap (a parked one, or room for a new
 * thread; at the cap it counts a delay and retries next tick), then CASes the state word from the
 * exact word it saw to (epoch + 1, HANDOFF), and gives the processor to the spare, which claims it
 * by CAS from HANDOFF to SCHEDULING. checkpoint() and blocking() hand off the same way, from the
 * worker itself. The old worker keeps running its task without a processor; when the task returns,
 * its CAS back to SCHEDULING fails on the epoch, and it takes a processor still in HANDOFF (the
 * designated spare's claim then fails) or parks as a spare, leaving after spareKeepAlive.
 *
 * Why a hand-off neither loses nor duplicates a task. The queue, runnext, yield list and counters of a
 * processor are only ever touched as owner by the worker whose epoch is in the state word, and
 * every owner operation that races a hand-off starts with a CAS or a check of that word:
 * submitLocal CASes RUNNING to SUBMITTING under its own epoch, so after a hand-off it fails and the
 * task goes to the global queue instead; the end of a task CASes RUNNING to SCHEDULING under its
 * epoch, so a worker that lost its processor never pops from it again; the hand-off CAS fails if
 * the word changed (the task returned, or SUBMITTING), so a processor is never taken mid-push. The
 * tasks themselves never move during a hand-off: they stay in the processor's queue and runnext,
 * and the next owner (or a thief) takes them with the usual exactly-once operations. A processor
 * in HANDOFF has one claim that can succeed: each claimant CASes from the same word.
 * Single-writer counters move with the processor: a task that ends without its processor is
 * counted in executedWithoutProcessor, never in the processor's counters.
 *
 * Shutdown. shutdown() closes the global queue to outside submitters and sets SHUTDOWN under the
 * queue's lock, so every outside submission is either queued before or rejected after. A worker's
 * own submission reads the run state after its CAS to SUBMITTING; if it read RUNNING, its task sits
 * on a live worker's processor, which that worker runs before it exits. Workers exit when a full
 * scan finds nothing; the last one out terminates the scheduler.
 * shutdownNow() sets STOP the same way, then stops every processor (CAS RUNNING or PARKED to
 * STOPPED, interrupting the task of a RUNNING one), then drains every runnext, local queue, yield list and the
 * global queue. Once a processor is STOPPED no one pushes onto it again: a submission by its still
 * running task fails its CAS and is rejected, and its worker's CAS back to SCHEDULING fails, so it
 * exits. Hence every accepted task is run exactly once or returned exactly once.
 *
 * Virtual threads. A virtual thread built by virtualThreadBuilder() submits its continuation task
 * through executeContinuation() whenever it starts, is unparked, or yields; the thread's own state
 * (STARTED only for the first) tells a start from the rest without a map lookup. Where the submitter is
 * one of our workers, or a virtual thread mounted on one, the task goes into that processor's
 * runnext (Go's ready()); otherwise into the global queue. A yield puts it on its processor's yield
 * list, an owner-only FIFO behind everything else there (the LIFO queue has no back to put it at):
 * when the queue and runnext run dry the list moves into the queue, under a batch from the global
 * queue, so outside work still runs first, as behind Go's Gosched, and thieves can take it from
 * there; a fairness tick also takes its oldest. A yield thus costs no lock and no shared write. The
 * first submission registers the thread in liveVirtual, in the stripe of the processor it starts on
 * (VirtualThreadRegistry: no line shared between cores on the path of a thread's start or end);
 * after each run of a continuation task, a worker that sees the thread TERMINATED removes it.
 * Continuations of started virtual threads are never refused: the JDK would throw the
 * RejectedExecutionException into whoever unparked the thread and leave it stranded. So after
 * shutdown() new virtual threads are refused but started ones run on, and workers exit only once
 * none is alive. shutdownNow() with live virtual threads interrupts them and returns the plain tasks,
 * but keeps the processors running (a soft stop) until the last virtual thread ends; anything a
 * worker still finds then runs, so nothing is lost. A start and shutdownNow decide against each other
 * Dekker-style: the start raises its stripe's count, then reads the run state; shutdownNow writes
 * the run state, then reads the counts.
 *
 * Memory ordering. Each field says who writes and reads it and in which mode. The pairs that carry
 * the arguments: RunQueue's tail store/head load against the thief's claim CAS/tail load; the
 * submitter's RMW in Idle.workerToNotify against the parking worker's fence before its final scan;
 * the releasing store of SUBMITTING's end against the CAS of shutdownNow, which makes the pushed
 * task visible to its drain; the releasing store that ends STEALING against the owner's next CAS
 * out of RUNNING, and the owner's releasing store of RUNNING against the thief's CAS, which hand
 * the runnext slot back and forth.
 * </pre>
 */
public final class Scheduler {
    static final int RUNNING = 0;
    static final int SHUTDOWN = 1;
    static final int STOP = 2;
    static final int TERMINATED = 3;

    static final int P_SCHEDULING = 0;
    static final int P_RUNNING = 1;
    static final int P_SUBMITTING = 2;
    static final int P_PARKED = 3;
    static final int P_STOPPED = 4;
    static final int P_HANDOFF = 5;     // taken from its worker; a spare is on its way
    static final int P_BLOCKING = 6;    // its task is inside blocking(); the worker reclaims it after, unless handed off
    static final int P_STEALING = 7;    // its task runs; a thief holds the word for a few steps to take runnext
    private static final int STATUS_BITS = 3;
    private static final int STATUS_MASK = (1 << STATUS_BITS) - 1;

    static int status(int word) {
        return word & STATUS_MASK;
    }

    static int epochOf(int word) {
        return word >>> STATUS_BITS;
    }

    static int word(int epoch, int status) {
        return (epoch << STATUS_BITS) | status;
    }

    private static final int KEEP = 0;     // runTask: the worker still holds its processor
    private static final int LOST = 1;     // runTask: the processor was handed off; the worker becomes a spare
    private static final int STOPPED = 2;  // runTask: the processor was stopped; the worker leaves

    /** Consecutive runnext tasks before the queue is served. */
    static final int RUNNEXT_LIMIT = 3;
    /** Every this many ticks the global queue is polled first (Go's 61). */
    static final int FAIRNESS_INTERVAL = 61;
    /** Rounds over all victims before a searcher gives up (Go's stealTries). */
    static final int STEAL_ROUNDS = 4;
    /** Queued tasks per tick of wait between two oldest-first pops (see pollOldestIfDue). */
    static final int OLDEST_PER_TICK_DEPTH = 32;
    /** How long a searcher backs off through a configured IdleStrategy before it parks. */
    static final long LOW_LATENCY_SEARCH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
    private static final VarHandle SCHED_TICK;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SCHED_TICK = lookup.findVarHandle(ProcessorHot.class, "schedTick", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Processor[] processors;         // final contents
    private final VictimOrder[] victims;          // final contents: each processor's steal order
    private final WorkerPlacement placement;      // final
    private final AtomicBoolean placementFailed = new AtomicBoolean(); // one log line, not one per worker
    private final InjectionQueue global = new InjectionQueue();
    private final Idle<Worker> idle;
    private final Thread.UncaughtExceptionHandler handler; // null: the worker thread's own
    private final AtomicInteger liveWorkers;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile int runState;                // RUNNING..TERMINATED; raised under the global queue's lock, read anywhere
    private final VirtualThreadRegistry liveVirtual;  // continuation task -> its started virtual thread, striped by processor
    private final BooleanSupplier acceptingThreads = () -> runState == RUNNING; // final; asked by liveVirtual.register
    private volatile boolean softStop;            // written once by shutdownNow when virtual threads were alive; read by workers
    private final Spares spares;                  // worker threads and the parked spares among them
    private final Monitor monitor;                // final
    private final long keepAliveNanos;            // final: how long a spare waits for a processor
    private final long localFairnessNanos;        // final: at most one oldest-first local pop per this long (the tick)
    private final String threadNamePrefix;        // final
    private final Supplier<? extends IdleStrategy> idleStrategies; // final; null for none
    private final AtomicInteger spareNumbers = new AtomicInteger(); // names of spare threads
    private final AtomicLong preemptionRequests = new AtomicLong(); // RMW by the monitor
    private final AtomicLong handOffs = new AtomicLong();           // RMW by whoever hands off
    private final AtomicLong handOffsDelayed = new AtomicLong();    // hand-offs put off because the worker cap was reached
    private final LongAdder executedWithoutProcessor = new LongAdder(); // tasks that ended after their processor was handed off

    /**
     * Creates the engine, and starts its workers and monitor when {@code startThreads}; tests that
     * drive the protocol from threads of their own pass false.
     *
     * @param parallelism      the number of processors and workers, at least 1
     * @param queueCapacity    each local queue's capacity, a power of two
     * @param threadNamePrefix worker names are this prefix followed by the processor id
     * @param handler          receives what tasks throw; null for each worker's default
     * @param idleStrategies   makes each worker's back-off before parking; null to park at once
     * @param placement        places each worker and orders its victims
     * @param tickNanos        the monitor's tick
     * @param handOffTicks     ticks a task may hold its processor while work waits before a hand-off
     * @param maxWorkers       the cap on worker threads, spares included
     * @param keepAliveNanos   how long a spare waits for a processor before it exits
     * @param startThreads     whether to start the worker and monitor threads
     */
    Scheduler(int parallelism, int queueCapacity, String threadNamePrefix,
              Thread.UncaughtExceptionHandler handler,
              Supplier<? extends IdleStrategy> idleStrategies, WorkerPlacement placement,
              long tickNanos, int handOffTicks, int maxWorkers, long keepAliveNanos, boolean startThreads) {
        this.processors = new Processor[parallelism];
        this.liveVirtual = new VirtualThreadRegistry(parallelism + 1); // the last stripe: threads started off our processors
        this.idle = new Idle<>(parallelism);
        this.handler = handler;
        this.liveWorkers = new AtomicInteger(parallelism);
        this.placement = placement;
        this.threadNamePrefix = threadNamePrefix;
        this.idleStrategies = idleStrategies;
        this.keepAliveNanos = keepAliveNanos;
        this.localFairnessNanos = tickNanos;
        this.spares = new Spares(parallelism, maxWorkers);
        this.victims = new VictimOrder[parallelism];
        for (int i = 0; i < parallelism; i++) {
            processors[i] = new Processor(i, queueCapacity, FAIRNESS_INTERVAL);
            victims[i] = VictimOrder.of(i, parallelism, placement);
        }
        for (Processor p : processors) {
            p.owner = newWorker(p, threadNamePrefix + p.id, p.id);
        }
        this.monitor = new Monitor(new MonitorTarget(), tickNanos, handOffTicks);
        Thread monitorThread = new Thread(null, monitor, threadNamePrefix + "monitor", 0, false);
        monitorThread.setDaemon(true);
        if (startThreads) {
            for (Processor p : processors) {
                p.owner.start();
            }
            monitorThread.start();
        }
    }

    /** The engine, started. */
    public Scheduler(int parallelism, int queueCapacity, String threadNamePrefix,
                     Thread.UncaughtExceptionHandler handler,
                     Supplier<? extends IdleStrategy> idleStrategies, WorkerPlacement placement,
                     long tickNanos, int handOffTicks, int maxWorkers, long keepAliveNanos) {
        this(parallelism, queueCapacity, threadNamePrefix, handler, idleStrategies, placement, tickNanos, handOffTicks,
                maxWorkers, keepAliveNanos, true);
    }

    /** Processor {@code id}; for tests that drive the engine's protocol from threads of their own. */
    Processor processor(int id) {
        return processors[id];
    }

    /** The global queue; likewise for such tests. */
    InjectionQueue global() {
        return global;
    }

    /** The worker-thread pool; likewise for such tests. */
    Spares spares() {
        return spares;
    }

    private Worker newWorker(Processor p, String name, int seed) {
        Worker w = new Worker(this, p, name, idleStrategies == null ? null
                : Objects.requireNonNull(idleStrategies.get(), "idleStrategy supplier returned null"), seed);
        if (handler != null) {
            w.setUncaughtExceptionHandler(handler);
        }
        return w;
    }

    public int parallelism() {
        return processors.length;
    }

    // ---------------------------------------------------------------- submission

    /** Accepts a task or throws {@link RejectedExecutionException}; the caller checked for null. */
    public void execute(Runnable task) {
        Worker w = currentWorker(); // a virtual thread mounted on one of our workers submits locally too
        if (w != null && w.scheduler == this) {
            submitLocal(w, task, false);
        } else {
            if (!global.offerExternal(task)) {
                throw rejected(task);
            }
            notifyWork();
        }
    }

    /**
     * Accepts the continuation task of one of our virtual threads: on its start, after an unpark, or
     * after a yield. Refused only when it starts a new virtual thread after shutdown.
     */
    public void executeContinuation(Runnable task) {
        int kind = VirtualThreadSupport.startState(task); // no map lookup on the hot path of unparks and yields
        Thread carrier = VirtualThreadSupport.currentCarrier();
        if (kind == VirtualThreadSupport.START
                || (kind == VirtualThreadSupport.UNKNOWN && !liveVirtual.contains(task))) {
            startVirtual(task, carrier);
        }
        if (carrier instanceof Worker w && w.scheduler == this && submitLocal(w, task, true)) {
            return;
        }
        global.add(task); // allowed after close(): a started virtual thread must run on
        notifyWork();
    }

    private void startVirtual(Runnable task, Thread carrier) {
        Thread vt = VirtualThreadSupport.threadOf(task);
        if (vt == null) {
            if (runState != RUNNING) {
                throw rejected(task);
            }
            return; // cannot be told apart: runs, but shutdown cannot wait for it (logged once)
        }
        // Counted, then the run state read: pairs with shutdownNow's write, then read of the counts.
        if (!liveVirtual.register(stripeOf(carrier), task, vt, acceptingThreads)) {
            throw new RejectedExecutionException("Virtual thread " + vt + " rejected: the scheduler is shut down");
        }
    }

    /** The registry stripe for threads started on {@code carrier}: its processor's, or the shared last one. */
    private int stripeOf(Thread carrier) {
        if (carrier instanceof Worker w && w.scheduler == this) {
            Processor p = w.processor; // read on the worker's own thread (a virtual thread mounted on it included)
            if (p != null) {
                return p.id;
            }
        }
        return processors.length;
    }

    /**
     * Pushes onto the worker's own processor. Returns false (continuations only) when the processor
     * is not this worker's to push to; throws for a plain task that may not be accepted.
     */
    boolean submitLocal(Worker w, Runnable task, boolean continuation) {
        Processor p = w.processor;
        int running = word(w.epoch, P_RUNNING);
        if (p == null || !p.leaveRunning(w.epoch, word(w.epoch, P_SUBMITTING))) {
            // Not ours to push to: handed off, inside blocking(), or stopped. Submit as an outsider.
            if (continuation) {
                return false;
            }
            if (!global.offerExternal(task)) {
                throw rejected(task);
            }
            notifyWork();
            return true;
        }
        if (!continuation && runState != RUNNING) { // read after the CAS: see "Shutdown" in the overview
            p.releaseWord(running);
            throw rejected(task);
        }
        if (continuation && task == w.current) {
            p.addYielded(task); // Thread.yield() from the task now running: behind all the work here
            p.releaseWord(running);
            return true;
        }
        Runnable displaced = p.runnext(); // no atomic: SUBMITTING keeps thieves out (see Processor)
        boolean wasEmpty = displaced == null && p.queue.isEmpty();
        p.setRunnext(task);
        if (displaced != null) {
            push(p, displaced);
        }
        p.releaseWord(running); // pairs with the CAS in stopProcessor: the pushes above are visible to its drain
        if (wasEmpty) { // p held work already: the submission that gave it that work woke a worker (see the overview)
            notifyWork();
        }
        return true;
    }

    /** Owner only: pushes onto the local queue, moving half of it to the global queue when full. */
    private void push(Processor p, Runnable task) {
        if (p.queue.offer(task)) {
            return;
        }
        Runnable[] batch = p.scratch;
        int n = p.queue.takeHalfForOverflow(batch);
        batch[n] = task;
        global.addBatch(batch, n + 1);
        Arrays.fill(batch, 0, n + 1, null);
        p.counters.increment(Event.OVERFLOW);
        p.overflowed = true;
        p.overflowNanos = System.nanoTime();
    }

    private void notifyWork() {
        Worker w = idle.workerToNotify();
        if (w != null) {
            w.wake();
            monitor.workerWoke(); // after the worker's unpark, off its path to the task; see Monitor.deepSleep
        }
    }

    private RejectedExecutionException rejected(Runnable task) {
        String why = runState >= STOP ? "shutdownNow() was called" : "shutdown() was called";
        return new RejectedExecutionException("Task " + task + " rejected: the scheduler is shut down (" + why + ")");
    }

    // ---------------------------------------------------------------- the worker loop

    void runWorker(Worker w) {
        try {
            for (;;) {
                Processor p = w.processor;
                if (p == null) {
                    if (!awaitProcessor(w)) {
                        break;
                    }
                    continue;
                }
                if (!claim(w, p)) {
                    w.processor = null;
                    continue;
                }
                place(p);
                if (!runProcessor(w)) {
                    break;
                }
            }
        } finally {
            exit(w);
        }
    }

    /** Takes up a processor given to this worker; false when someone else took or stopped it first. */
    boolean claim(Worker w, Processor p) {
        int s = p.word();
        if (s == word(w.epoch, P_HANDOFF)) {
            if (!p.casWord(s, word(w.epoch, P_SCHEDULING))) {
                return false;
            }
        } else if (s != word(w.epoch, P_SCHEDULING)) {
            return false;
        }
        p.owner = w;
        return true;
    }

    private void place(Processor p) {
        try {
            placement.place(p.id); // a spare inherits the placement of the processor it takes
        } catch (Throwable e) {
            if (placementFailed.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "Worker placement failed (" + e + "); workers run unplaced");
            }
        }
    }

    /**
     * Runs the worker's processor until it is handed off (true: the worker becomes a spare) or the
     * worker must leave (false). The loop itself is in {@link #runSome}, which returns after
     * {@link #RUN_BATCH} rounds: a loop that never returns is only ever compiled on stack (OSR),
     * each such compilation is thrown away at its first uncommon trap, and until the next one is
     * built the worker runs its scheduling loop in the interpreter or in profiled code. With two
     * workers that left one worker three times slower than the other for seconds at a time. A
     * method that returns is compiled as a whole and simply re-entered.
     */
    private boolean runProcessor(Worker w) {
        for (;;) {
            int outcome = runSome(w);
            if (outcome != MORE) {
                return outcome == BECOME_SPARE;
            }
        }
    }

    private static final int MORE = 0;          // runSome: go on running the processor
    private static final int BECOME_SPARE = 1;  // runSome: the processor was handed off
    private static final int LEAVE = 2;         // runSome: the worker must exit
    /** Rounds of the scheduling loop per call of runSome. */
    private static final int RUN_BATCH = 128;

    /** Up to RUN_BATCH rounds of the scheduling loop; the processor can change inside blocking(), so it is re-read. */
    private int runSome(Worker w) {
        for (int round = 0; round < RUN_BATCH; round++) {
            Processor p = w.processor;
            if (p == null) {
                return BECOME_SPARE;
            }
            if (hardStopped()) {
                return LEAVE;
            }
            Runnable task = nextLocal(p);
            if (task == null) {
                task = search(w, p);
            }
            if (task == null) {
                if (draining()) {
                    if (hardStopped() || !hasVisibleWork()) {
                        return LEAVE;
                    }
                    continue;
                }
                if (!park(w, p)) {
                    return LEAVE;
                }
                continue;
            }
            if (w.searching) {
                stopSearching(w);
            }
            if (runTask(w, p, task) == STOPPED) {
                return LEAVE;
            }
        }
        return MORE;
    }

    /**
     * A searcher found a task. The last searcher to do so wakes another (Go's resetspinning), but
     * only when more work is visible: its RMW on Idle's state orders this check after any
     * submission that saw it searching, and later submissions wake someone themselves.
     */
    void stopSearching(Worker w) {
        w.searching = false;
        if (idle.stopSearching() && hasVisibleWork()) {
            notifyWork();
        }
    }

    /** A worker without a processor: takes one that waits for a worker, or parks as a spare. */
    private boolean awaitProcessor(Worker w) {
        for (;;) {
            if (takeHandedOff(w)) {
                return true;
            }
            if (runState >= SHUTDOWN) {
                return false;
            }
            spares.park(w);
            if (runState >= SHUTDOWN && spares.leave(w)) {
                return false; // shutdown began as we parked; its wake-all may have missed us
            }
            boolean woken = w.awaitNotified(System.nanoTime() + keepAliveNanos);
            if (!woken) {
                if (spares.leave(w)) {
                    return false; // the keep-alive ran out
                }
                w.awaitNotified(0L); // a hand-off reserved us just now; its wake-up is on its way
            }
            if (w.processor != null) {
                return true;
            }
        }
    }

    /** Takes a processor that was handed off and still waits for its spare; the spare will find it gone. */
    boolean takeHandedOff(Worker w) {
        for (Processor p : processors) {
            int s = p.word();
            if (status(s) == P_HANDOFF) {
                int mine = word(epochOf(s) + 1, P_SCHEDULING);
                if (p.casWord(s, mine)) {
                    w.processor = p;
                    w.epoch = epochOf(mine);
                    p.owner = w;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Gives processor {@code p}, whose state word is {@code expected} (RUNNING or BLOCKING), to a
     * spare worker, started if none is parked. False when the worker cap stops it (counted) or the
     * word changed. The epoch in the word moves on, so the old worker's CASes on {@code p} fail from
     * now on: it can no longer push onto {@code p}, and its task goes on without a processor.
     */
    boolean handOff(Processor p, int expected) {
        int from = status(expected);
        if (from != P_RUNNING && from != P_BLOCKING) {
            return false; // never mid-push (SUBMITTING): the pusher ends its push with a plain store
        }
        Spares.Reservation r = spares.reserve();
        if (r == null) {
            handOffsDelayed.incrementAndGet();
            return false;
        }
        if (r instanceof Spares.Fresh) {
            liveWorkers.incrementAndGet(); // before the CAS: the count never reaches 0 while a spare is coming
        }
        int next = word(epochOf(expected) + 1, P_HANDOFF);
        if (!p.casWord(expected, next)) {
            spares.unreserve(r);
            if (r instanceof Spares.Fresh) {
                workerGone();
            }
            return false;
        }
        handOffs.incrementAndGet();
        Worker spare = r instanceof Spares.Parked(Worker parked) ? parked
                : newWorker(null, threadNamePrefix + "spare-" + spareNumbers.incrementAndGet(), -spareNumbers.get());
        spare.processor = p;             // published by wake()'s volatile write, or by Thread.start
        spare.epoch = epochOf(next);
        if (r instanceof Spares.Fresh) {
            spare.start();
        } else {
            spare.wake();
        }
        return true;
    }

    /** STOP without live virtual threads: workers leave at once. */
    private boolean hardStopped() {
        return runState >= STOP && !softStop;
    }

    /** Shut down and no virtual thread alive: workers leave once they find nothing. */
    private boolean draining() {
        return runState >= SHUTDOWN && liveVirtual.count() == 0;
    }

    /** Runs one task; says whether the worker still holds a processor after it (KEEP, LOST or STOPPED). */
    int runTask(Worker w, Processor p, Runnable task) {
        p.releaseWord(word(w.epoch, P_RUNNING));
        SCHED_TICK.setOpaque(p, p.schedTick + 1); // the monitor's measure of progress
        if (p.preempt) {
            p.preempt = false;
        }
        w.current = task;
        try {
            task.run();
        } catch (Throwable failure) {
            reportFailure(w, failure);
        }
        w.current = null;
        Thread.interrupted(); // an interrupt meant for the task that ended must not reach the next one
        if (VirtualThreadSupport.mayBeContinuation(task)) { // a class check: no shared line read per task
            afterContinuation(task, p.id);
        }
        Processor now = w.processor; // blocking() may have given the worker another processor, or none
        int outcome;
        if (now == null) {
            outcome = LOST;
        } else if (now.leaveRunning(w.epoch, word(w.epoch, P_SCHEDULING))) {
            outcome = KEEP;
        } else {
            int s = now.word();
            outcome = status(s) == P_STOPPED && epochOf(s) == w.epoch ? STOPPED : LOST;
            w.processor = null;
        }
        if (outcome == KEEP) {
            now.counters.increment(Event.EXECUTED); // only the holder writes a processor's counters
        } else {
            executedWithoutProcessor.increment();
        }
        return outcome;
    }

    /**
     * Forgets a virtual thread whose continuation task just ran on processor {@code stripe}, if that
     * run was its last. Another worker may also see it TERMINATED (it parked here, then was resumed
     * and ended there before this look); the registry lets exactly one removal succeed.
     */
    private void afterContinuation(Runnable task, int stripe) {
        Thread vt = VirtualThreadSupport.threadOf(task);
        if (vt == null) {
            if (liveVirtual.count() == 0) {
                return; // a plain task (its class could not be told apart from a continuation's)
            }
            vt = liveVirtual.get(stripe, task);
        }
        if (vt != null && vt.getState() == Thread.State.TERMINATED && liveVirtual.remove(stripe, task) != null
                && runState >= SHUTDOWN && liveVirtual.count() == 0) {
            for (Worker sleeper : idle.notifyAllWorkers()) {
                sleeper.wake(); // the last virtual thread is gone: let parked workers leave
            }
            monitor.workerWoke();
        }
    }

    private void reportFailure(Worker w, Throwable failure) {
        try {
            Thread.UncaughtExceptionHandler h = handler != null ? handler : w.getUncaughtExceptionHandler();
            h.uncaughtException(w, failure);
        } catch (Throwable ignored) {
            // A failing handler must not take the worker down; the JDK's thread dispatch ignores it too.
        }
    }

    /** Owner only: the next task from this processor or, on fairness ticks and when empty, the global queue. */
    private Runnable nextLocal(Processor p) {
        ProcessorCounters c = p.counters;
        if (--p.fairnessCountdown == 0) {
            p.fairnessCountdown = FAIRNESS_INTERVAL;
            Runnable t = overflowedRecently(p) && !globalPollDue(p) ? null : global.poll();
            if (t != null) {
                c.increment(Event.GLOBAL_POLL);
                return t;
            }
            t = p.pollYielded(); // a yielded task waits at most this many fairness ticks for a busy queue
            if (t == null) {
                t = pollOldestIfDue(p);
            }
            if (t != null) {
                p.runnextStreak = 0;
                return t;
            }
        }
        if (p.runnextStreak < RUNNEXT_LIMIT) {
            Runnable t = p.takeRunnext();
            if (t != null) {
                p.runnextStreak++;
                c.increment(Event.RUNNEXT_HIT);
                return t;
            }
        } else if (global.size() != 0 && !overflowedRecently(p)) {
            // The streak is spent while outside work waits: the runnext task goes behind that work,
            // as Go puts a preempted goroutine on the global queue (a LIFO local queue has no back
            // to put it at). Without this, a task that keeps resubmitting itself lets the global
            // queue advance by one task per FAIRNESS_INTERVAL runs. Not while this processor's own
            // overflow may be what waits there: see overflowedRecently.
            Runnable t = p.takeRunnext();
            if (t != null) {
                global.add(t);
                p.runnextStreak = 0;
            }
        }
        Runnable t = p.queue.pop();
        if (t != null) {
            p.runnextStreak = 0;
            return t;
        }
        t = p.takeRunnext();
        if (t != null) {
            p.runnextStreak++;
            c.increment(Event.RUNNEXT_HIT);
            return t;
        }
        return refill(p);
    }

    /**
     * Owner only, with the queue and runnext empty: the yielded tasks go into the queue, where
     * thieves can take them, and a global batch goes on top, so work that waits outside runs before
     * the tasks that yielded (as Go's Gosched puts a goroutine behind the global queue). When yielded
     * tasks were moved and some remain queued after the one returned, a parked worker is woken to
     * share them.
     */
    private Runnable refill(Processor p) {
        int moved = 0;
        for (Runnable t; (t = p.pollNewestYielded()) != null; moved++) {
            push(p, t); // newest first: the owner pops LIFO, so they run oldest first
        }
        Runnable t = pollGlobal(p);
        if (moved > 0) {
            if (t == null) {
                t = p.queue.pop();
            }
            if (!p.queue.isEmpty()) {
                notifyWork();
            }
        }
        return t;
    }

    /**
     * Owner only: whether this processor's queue overflowed within the last tick, so that the
     * global queue holds its own older work. Pulling that work back in early (one task per
     * FAIRNESS_INTERVAL runs, plus every runnext task whose streak is spent, sent behind it) is what
     * kept a skynet tree overflowing for seconds: each task pulled back opened another subtree on
     * top of the current one, which overflowed again. For that tick the processor works through its
     * own queue; {@link #globalPollDue} still takes one global task per tick, so outside work keeps
     * moving, and processors that did not overflow serve the global queue as usual.
     */
    private boolean overflowedRecently(Processor p) {
        if (!p.overflowed) {
            return false;
        }
        if (System.nanoTime() - p.overflowNanos < localFairnessNanos) {
            return true;
        }
        p.overflowed = false;
        return false;
    }

    /** Owner only: whether a tick has passed since a fairness tick last took a global task here. */
    private boolean globalPollDue(Processor p) {
        long now = System.nanoTime();
        if (now - p.globalPollNanos < localFairnessNanos) {
            return false;
        }
        p.globalPollNanos = now;
        return true;
    }

    /**
     * Owner only: the oldest local task, if none was taken this way for a while. Under LIFO pops a
     * task at the bottom of a busy queue would wait forever; taking the oldest now and then bounds
     * that wait, while a divide-and-conquer task tree keeps its depth-first order. The while is a
     * tick per {@link #OLDEST_PER_TICK_DEPTH} tasks queued: taking the oldest starts the largest
     * pending subtree on top of the current one, and at one a tick, skynet's subtrees (four to five
     * ticks each on 2 cores) piled up until the queue overflowed and half of it went round through
     * the global queue, for seconds at a time. Scaled, the pile levels off well below the capacity,
     * and a task k places from the bottom still runs within k times capacity / 32 ticks.
     */
    private Runnable pollOldestIfDue(Processor p) {
        int depth = p.queue.size();
        if (depth == 0) {
            return null;
        }
        long now = System.nanoTime();
        long interval = localFairnessNanos * Math.max(1, depth / OLDEST_PER_TICK_DEPTH);
        if (now - p.oldestTakenNanos < interval) {
            return null;
        }
        p.oldestTakenNanos = now;
        return p.queue.pollOldest();
    }

    /** Owner only: takes a batch from the global queue, runs the first, queues the rest locally in FIFO pop order. */
    private Runnable pollGlobal(Processor p) {
        int available = global.size();
        if (available == 0) {
            return null;
        }
        // Never more than the queue has room for: push's overflow path reuses p.scratch, which
        // holds this batch (refill may have filled the queue with yielded tasks first).
        int room = p.queue.capacity() - p.queue.size() + 1; // the first task is returned, not pushed
        int max = Math.min(available / processors.length + 1, Math.min(p.queue.capacity() / 2, room));
        Runnable[] batch = p.scratch;
        int n = global.pollBatch(batch, max);
        if (n == 0) {
            return null;
        }
        p.counters.increment(Event.GLOBAL_POLL);
        for (int i = n - 1; i >= 1; i--) {
            push(p, batch[i]); // newest first: the owner pops LIFO, so the batch still runs oldest first
        }
        Runnable first = batch[0];
        Arrays.fill(batch, 0, n, null);
        return first;
    }

    /** Steals, as a searcher; null when the worker should park (or, in shutdown, exit). */
    Runnable search(Worker w, Processor p) {
        if (!w.searching) {
            if (draining()) {
                return stealRound(w, p, true); // one full scan before exiting, whatever the searcher limit
            }
            w.searching = idle.tryStartSearching();
            if (!w.searching) {
                return null;
            }
        }
        IdleStrategy idleStrategy = w.idleStrategy;
        long deadline = 0L;
        for (int round = 0; ; round++) {
            Runnable t = stealRound(w, p, round % STEAL_ROUNDS == STEAL_ROUNDS - 1);
            if (t != null) {
                if (idleStrategy != null) {
                    idleStrategy.reset();
                }
                return t;
            }
            if (draining() || hardStopped()) {
                return null;
            }
            if (round + 1 >= STEAL_ROUNDS) {
                if (idleStrategy == null) {
                    return null;
                }
                long now = System.nanoTime();
                if (deadline == 0L) {
                    deadline = now + LOW_LATENCY_SEARCH_NANOS;
                } else if (now - deadline > 0) {
                    idleStrategy.reset();
                    return null;
                }
                idleStrategy.idle();
            }
        }
    }

    private Runnable stealRound(Worker w, Processor p, boolean takeRunnext) {
        VictimOrder order = victims[p.id];
        for (int t = 0; t < order.tierCount(); t++) { // nearest tier first; within a tier, random order
            int[] tier = order.tier(t);
            int n = tier.length;
            int r = w.nextRandom() & Integer.MAX_VALUE;
            int index = r % n;
            int stride = order.stride(t, r >>> 16);
            for (int i = 0; i < n; i++, index = (index + stride) % n) {
                Processor victim = processors[tier[index]];
                int stolen = victim.queue.stealInto(p.queue);
                if (stolen > 0) {
                    p.counters.add(Event.STOLEN, stolen);
                    p.counters.increment(Event.STEAL_OPERATION);
                    return p.queue.pop();
                }
                int vs = victim.word();
                if (takeRunnext && status(vs) == P_RUNNING) {
                    Runnable task = victim.stealRunnext(vs);
                    if (task != null) {
                        p.counters.increment(Event.STOLEN);
                        p.counters.increment(Event.STEAL_OPERATION);
                        return task;
                    }
                }
            }
        }
        return pollGlobal(p);
    }

    /**
     * Any thread: whether some queue or runnext slot holds a task right now. Yield lists are left
     * out: only their owners may take from them, and an owner moves its own into its queue before
     * it ever searches or parks.
     */
    private boolean hasVisibleWork() {
        if (global.size() > 0) {
            return true;
        }
        for (Processor p : processors) {
            if (p.runnext() != null || !p.queue.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Parks until woken; false when the processor was stopped meanwhile. */
    private boolean park(Worker w, Processor p) {
        p.releaseWord(word(w.epoch, P_PARKED));
        if (mayBlock(w)) {
            p.counters.increment(Event.PARK);
            w.awaitNotified(); // whoever woke us has woken the monitor too
            p.counters.increment(Event.UNPARK);
        } else {
            monitor.workerWoke(); // counted unparked again without a waker: the monitor may have seen us parked
        }
        w.searching = true; // both the waker and a cancelled park count us as searching
        boolean mine = p.casWord(word(w.epoch, P_PARKED), word(w.epoch, P_SCHEDULING));
        return mine;
    }

    /** Counts the worker parked unless Idle's final check sees work (or a shutdown); true: it may block. */
    boolean mayBlock(Worker w) {
        return idle.prepareToPark(w, w.searching, () -> draining() || hardStopped() || hasVisibleWork());
    }

    private void exit(Worker w) {
        Processor p = w.processor;
        if (p != null) {
            int s = p.state;
            if (s == word(w.epoch, P_SCHEDULING) || s == word(w.epoch, P_PARKED)) {
                p.volatileWord(word(w.epoch, P_STOPPED)); // ours in these states; shutdownNow waits or CASes
            }
            idle.exit(w.searching); // the processor leaves with its worker
        }
        spares.exited();
        workerGone();
    }

    private void workerGone() {
        if (liveWorkers.decrementAndGet() == 0) {
            runState = TERMINATED;
            terminated.countDown();
            monitor.stop();
        }
    }

    // ---------------------------------------------------------------- shutdown

    public void shutdown() {
        global.close(() -> advanceRunState(SHUTDOWN));
        wakeEveryone();
    }

    private void wakeEveryone() {
        for (Worker w : idle.notifyAllWorkers()) {
            w.wake();
        }
        monitor.workerWoke();
        for (Worker spare : spares.takeAllParked()) {
            spare.wake(); // with no processor assigned: it sees the shutdown and leaves
        }
    }

    public List<Runnable> shutdownNow() {
        global.close(() -> advanceRunState(STOP));
        if (liveVirtual.count() > 0) { // read after the STOP write: pairs with startVirtual
            return softStop();
        }
        for (Processor p : processors) {
            stopProcessor(p);
        }
        wakeEveryone();
        List<Runnable> unstarted = new ArrayList<>();
        for (Processor p : processors) {
            drainProcessor(p, unstarted, true);
        }
        global.drainTo(unstarted);
        return unstarted;
    }

    /**
     * Takes every task waiting on {@code p}. Its yield list is owner-only, so it is taken only from
     * a stopped processor ({@code stopped}): the CAS to STOPPED, or the exiting owner's volatile
     * store of it, orders the owner's last use before this.
     */
    private static void drainProcessor(Processor p, List<Runnable> sink, boolean stopped) {
        Runnable t = p.swapRunnext(null);
        if (t != null) {
            sink.add(t);
        }
        p.queue.drainTo(sink);
        while (stopped && (t = p.pollYielded()) != null) {
            sink.add(t);
        }
    }

    /**
     * shutdownNow() while virtual threads live: interrupt them and the running plain tasks, return
     * the queued plain tasks, put the queued continuations back, and keep the workers running until
     * the last virtual thread ends. A plain task a drain misses (one being stolen, or pushed by a task
     * that read the run state just before STOP) is then run, not lost.
     */
    private List<Runnable> softStop() {
        softStop = true;
        liveVirtual.forEachThread(Thread::interrupt);
        for (Processor p : processors) {
            Worker w = p.owner;
            Runnable running = w.current;
            int st = status(p.state);
            if ((st == P_RUNNING || st == P_BLOCKING) && running != null && !liveVirtual.contains(running)) {
                w.interrupt();
            }
        }
        List<Runnable> drained = new ArrayList<>();
        for (Processor p : processors) {
            drainProcessor(p, drained, false); // the processors run on: their owners keep their yield lists
        }
        global.drainTo(drained);
        List<Runnable> unstarted = new ArrayList<>();
        for (Runnable r : drained) {
            if (liveVirtual.contains(r)) {
                global.add(r);
            } else {
                unstarted.add(r);
            }
        }
        wakeEveryone();
        return unstarted;
    }

    private void advanceRunState(int target) {
        if (runState < target) {
            runState = target;
        }
    }

    private static void stopProcessor(Processor p) {
        for (int spins = 0; ; spins++) {
            int s = p.word();
            int st = status(s);
            if (st == P_STOPPED) {
                return;
            }
            if (st == P_RUNNING || st == P_PARKED || st == P_HANDOFF || st == P_BLOCKING) {
                if (p.casWord(s, word(epochOf(s), P_STOPPED))) {
                    if (st == P_RUNNING || st == P_BLOCKING) {
                        p.owner.interrupt();
                    }
                    return;
                }
            } else if (spins < 100) {
                Thread.onSpinWait(); // SCHEDULING, SUBMITTING or STEALING: a few steps of scheduler code
            } else {
                Thread.yield();
            }
        }
    }

    public boolean isShutdown() {
        return runState >= SHUTDOWN;
    }

    public boolean isTerminated() {
        return runState == TERMINATED;
    }

    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }

    /** Whether the caller runs on one of this scheduler's workers (a virtual thread: on its carrier). */
    public boolean isWorkerThread() {
        Worker w = currentWorker();
        return w != null && w.scheduler == this;
    }

    // ---------------------------------------------------------------- the monitor, preemption and blocking

    /** What the monitor reads and does, by processor index. */
    private final class MonitorTarget implements Monitor.Target {
        @Override
        public int processors() {
            return processors.length;
        }

        /** The word, with SUBMITTING and STEALING shown as RUNNING: the same task, and the word a hand-off may CAS from. */
        @Override
        public int stateWord(int i) {
            int w = processors[i].state;
            int st = status(w);
            return st == P_SUBMITTING || st == P_STEALING ? word(epochOf(w), P_RUNNING) : w;
        }

        @Override
        public boolean busy(int word) {
            int st = status(word); // never SUBMITTING or STEALING: stateWord shows them as RUNNING
            return st == P_RUNNING || st == P_BLOCKING;
        }

        @Override
        public boolean blocking(int word) {
            return status(word) == P_BLOCKING;
        }

        @Override
        public boolean parked(int word) {
            int st = status(word);
            return st == P_PARKED || st == P_STOPPED;
        }

        @Override
        public int schedTick(int i) {
            return (int) SCHED_TICK.getOpaque(processors[i]);
        }

        @Override
        public boolean workWaiting(int i) {
            return Scheduler.this.workWaiting(processors[i]);
        }

        @Override
        public void requestPreemption(int i) {
            processors[i].preempt = true;
            preemptionRequests.incrementAndGet();
        }

        @Override
        public void handOff(int i, int expectedWord) {
            Scheduler.this.handOff(processors[i], expectedWord);
        }

        @Override
        public boolean allWorkersParked() {
            return idle.allParked();
        }

        @Override
        public boolean terminated() {
            return runState == TERMINATED;
        }
    }

    /**
     * Whether work waits behind processor {@code p}'s task: in its runnext slot or queue, or in the
     * global queue while no processor is parked to take it. Racy, as a hint.
     */
    private boolean workWaiting(Processor p) {
        return p.runnext != null || !p.queue.isEmpty() || p.yieldedCount() > 0
                || (global.size() > 0 && idle.unparkedCount() >= processors.length);
    }

    private static Worker currentWorker() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            t = VirtualThreadSupport.currentCarrier();
        }
        return t instanceof Worker w ? w : null;
    }

    /** See {@code WorkStealingScheduler.preemptionRequested()}. */
    public static boolean preemptionRequested() {
        Worker w = currentWorker();
        Processor p = w == null ? null : w.processor;
        return p != null && p.preempt;
    }

    /** See {@code WorkStealingScheduler.checkpoint()}. */
    public static void checkpoint() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) {
            if (preemptionRequested()) {
                Thread.yield(); // behind the queued work; its carrier serves the others meanwhile
            }
            return;
        }
        if (t instanceof Worker w) {
            Processor p = w.processor;
            if (p != null && p.preempt) {
                p.preempt = false;
                if (w.scheduler.handOff(p, word(w.epoch, P_RUNNING))) {
                    w.processor = null; // this task goes on without a processor; a spare serves the queue
                }
            }
        }
    }

    /** See {@code WorkStealingScheduler.blocking(Callable)}. */
    public static <T> T blocking(Callable<T> section) throws Exception {
        Thread t = Thread.currentThread();
        if (t instanceof Worker w && w.processor != null) {
            return w.scheduler.runBlocking(w, section);
        }
        return section.call(); // not a worker, or already without a processor
    }

    /**
     * Go's entersyscall/exitsyscall. With work waiting the processor goes to a spare at once;
     * otherwise it is marked BLOCKING, which the monitor hands off as soon as work waits, and which
     * this worker takes back by CAS if nobody did. A worker that lost its processor takes one that
     * waits for a worker, if any, and otherwise finishes its task without one.
     */
    private <T> T runBlocking(Worker w, Callable<T> section) throws Exception {
        Processor p = w.processor;
        int running = word(w.epoch, P_RUNNING);
        boolean handedOff = workWaiting(p) && handOff(p, running);
        if (handedOff) {
            w.processor = null;
        }
        boolean marked = !handedOff && p.leaveRunning(w.epoch, word(w.epoch, P_BLOCKING));
        try {
            return section.call();
        } finally {
            if (handedOff || (marked && !p.casWord(word(w.epoch, P_BLOCKING), running))) {
                w.processor = null;
                if (takeHandedOff(w)) {
                    w.processor.releaseWord(word(w.epoch, P_RUNNING)); // the rest of the task runs on it
                }
            }
        }
    }

    // ---------------------------------------------------------------- stats

    /** Reads the counters of processor {@code id}. */
    public ProcessorCounters counters(int id) {
        return processors[id].counters;
    }

    /** Tasks in processor {@code id}'s queue, runnext slot and yield list now; racy. */
    public int localDepth(int id) {
        Processor p = processors[id];
        return p.queue.size() + (p.runnext != null ? 1 : 0) + p.yieldedCount();
    }

    /** The virtual threads started and not yet seen to end; racy. */
    public List<Thread> liveVirtualThreadList() {
        return List.copyOf(liveVirtual.threads());
    }

    /** Virtual threads started and not yet ended; racy. */
    public int liveVirtualThreads() {
        return liveVirtual.count();
    }

    public long preemptionRequests() {
        return preemptionRequests.get();
    }

    public long handOffs() {
        return handOffs.get();
    }

    public long handOffsDelayed() {
        return handOffsDelayed.get();
    }

    public int workerThreads() {
        return spares.threads();
    }

    public int peakWorkerThreads() {
        return spares.peak();
    }

    /** Tasks whose worker lost its processor while they ran; not in any processor's count. */
    public long executedWithoutProcessor() {
        return executedWithoutProcessor.sum();
    }

    /** Tasks in the global queue now; racy. */
    public int globalDepth() {
        return global.size();
    }
}
