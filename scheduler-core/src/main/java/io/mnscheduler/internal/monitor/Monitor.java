package io.mnscheduler.internal.monitor;

import java.util.concurrent.locks.LockSupport;

/**
 * The monitor (Go's sysmon): one thread that ticks and watches every processor's scheduling tick.
 *
 * <p>A processor whose task has run for a whole tick while work waits (in its queue, its
 * {@code runnext} slot or the global queue) gets a preemption request, which a task sees through
 * {@code preemptionRequested()} and honours at a {@code checkpoint()}. If the same task still runs
 * {@code handOffTicks - 1} ticks after the request (the next tick, by default), or sits in a
 * {@code blocking()} section while work waits, its processor is handed to a spare worker. The
 * hand-off itself is a CAS on the processor's state word, from the exact word seen, so a task that
 * returned in the meantime keeps its processor. The monitor looks once a tick, busy or not: it has
 * nothing to do for a processor that runs no task, and a task seen first at a look gets its whole
 * tick from there. (Go's sysmon starts at 20 µs because it also retakes processors from system
 * calls after 20 µs; here a {@code blocking()} section with work waiting hands off at once, and on
 * 2 cores a monitor waking every 20 µs took a core from the woken workers.) When every processor is
 * parked it keeps looking, {@link #IDLE_LOOKS_BEFORE_DEEP_SLEEP} times, with the sleep between
 * looks doubling from one tick to {@link #MAX_IDLE_SLEEP_TICKS}, and then parks too; whoever wakes a
 * worker unparks it, so an idle scheduler costs nothing. The looking stage keeps the unpark off the
 * wake-up path of a scheduler that idles briefly and often (a request every millisecond, say):
 * there, waking the monitor on every wake-up made it a third runnable thread beside the submitter
 * and the woken worker. The doubling is for the same scheduler: a look every tick while every
 * worker was parked, a timer wake-up of a core that was otherwise idle, put the p99 of
 * submit-to-start at 60-600 µs against ForkJoinPool's 24-67; with a look every second instead it
 * was 17-66 µs. The price: a task that starts on a scheduler idle for a while, and then blocks or
 * hogs, is seen up to MAX_IDLE_SLEEP_TICKS ticks late (Go's sysmon, idle, sleeps up to a minute).
 */
public final class Monitor implements Runnable {
    /** What the monitor needs from the scheduler, by processor index. */
    public interface Target {
        /** The number of processors. */
        int processors();

        /** The processor's state word (epoch and status). */
        int stateWord(int processor);

        /** Whether the word says a task is running (or blocking) there. */
        boolean busy(int word);

        /** Whether the word says the task is inside a {@code blocking()} section. */
        boolean blocking(int word);

        /** Whether the word says the processor's worker is parked. */
        boolean parked(int word);

        /** Tasks started on the processor so far. */
        int schedTick(int processor);

        /** Whether work waits that this processor's task holds up, or that no one else may take. */
        boolean workWaiting(int processor);

        /** Asks the task running on the processor, seen running for {@code ranNanos}, to yield at its next checkpoint. */
        void requestPreemption(int processor, long ranNanos);

        /**
         * Hands the processor to a spare if its word is still {@code expectedWord}; its task was seen
         * running for {@code ranNanos}, in a {@code blocking()} section when {@code blockingSection}.
         */
        void handOff(int processor, int expectedWord, boolean blockingSection, long ranNanos);

        /** Whether every worker is counted parked by the scheduler's idle accounting (a volatile read). */
        boolean allWorkersParked();

        /** Whether the monitor should stop. */
        boolean terminated();
    }

    /** Looks that must each see every processor parked, in a row, before the monitor parks without a timeout. */
    static final int IDLE_LOOKS_BEFORE_DEEP_SLEEP = 50;
    /** The longest sleep between two looks while every processor is parked, in ticks. */
    static final int MAX_IDLE_SLEEP_TICKS = 10;

    private final Target target;
    private final long tickNanos;
    private final int handOffTicks;
    private final int[] lastTick;     // monitor thread only
    private final int[] lastWord;     // monitor thread only
    private final int[] sameTicks;    // monitor thread only: ticks the same task has been seen running
    private final int[] requestedAt;  // monitor thread only: sameTicks when preemption was requested; -1 if not yet
    private final long[] firstSeen;   // monitor thread only: when the look that first saw the running task began
    private volatile boolean asleep;  // written by the monitor before it parks; read by waking workers
    private volatile Thread thread;   // the monitor's thread, once it runs

    public Monitor(Target target, long tickNanos, int handOffTicks) {
        this.target = target;
        this.tickNanos = tickNanos;
        this.handOffTicks = handOffTicks;
        int n = target.processors();
        this.lastTick = new int[n];
        this.lastWord = new int[n];
        this.sameTicks = new int[n];
        this.requestedAt = new int[n];
        this.firstSeen = new long[n];
        java.util.Arrays.fill(requestedAt, -1);
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        int idleLooks = 0;
        long idleSleep = tickNanos;
        long maxIdleSleep = tickNanos > Long.MAX_VALUE / MAX_IDLE_SLEEP_TICKS
                ? Long.MAX_VALUE : tickNanos * MAX_IDLE_SLEEP_TICKS; // a tick of centuries must not wrap
        while (!target.terminated()) {
            int parked = 0;
            long now = System.nanoTime(); // one clock read a look: the run time the events report
            for (int p = 0; p < lastTick.length; p++) {
                int word = target.stateWord(p);
                if (target.parked(word)) {
                    parked++;
                }
                if (!target.busy(word)) {
                    sameTicks[p] = 0;
                    continue;
                }
                int tick = target.schedTick(p);
                if (tick != lastTick[p] || word != lastWord[p]) {
                    lastTick[p] = tick;
                    lastWord[p] = word;
                    sameTicks[p] = 0;
                    requestedAt[p] = -1;
                    firstSeen[p] = now;
                    continue; // a new task since the last look: give it a whole tick
                }
                sameTicks[p]++;
                if (!target.workWaiting(p)) {
                    continue;
                }
                long ran = now - firstSeen[p];
                if (target.blocking(word)) {
                    target.handOff(p, word, true, ran); // announced as blocking: no need to wait
                } else if (requestedAt[p] < 0) {
                    requestedAt[p] = sameTicks[p];
                    target.requestPreemption(p, ran);
                    if (handOffTicks == 1) {
                        target.handOff(p, word, false, ran);
                    }
                } else if (sameTicks[p] - requestedAt[p] >= handOffTicks - 1) {
                    target.handOff(p, word, false, ran); // asked to yield, and still holding the processor
                }
            }
            if (parked < lastTick.length) {
                idleLooks = 0;
                idleSleep = tickNanos;
                LockSupport.parkNanos(this, tickNanos);
            } else if (++idleLooks < IDLE_LOOKS_BEFORE_DEEP_SLEEP) {
                LockSupport.parkNanos(this, idleSleep); // no one wakes us in this stage: we look now and then
                idleSleep = idleSleep > maxIdleSleep / 2 ? maxIdleSleep : 2 * idleSleep;
            } else {
                deepSleep();
                idleLooks = 0;
                idleSleep = tickNanos;
            }
        }
    }

    /**
     * Parks until a worker is woken. The wake comes from whoever wakes a parked worker, right after
     * that worker's unpark, so the woken worker does not pay for it on its way to its task. Both
     * sides are volatile, hence sequentially consistent: the monitor writes {@code asleep}, then
     * reads the idle count; a waker changes the idle count (an RMW), then reads {@code asleep}
     * ({@link #workerWoke()}). Either the monitor sees a worker unparked and stays up, or the waker
     * sees it asleep and unparks it (a permit given before the park makes the park return).
     */
    private void deepSleep() {
        asleep = true;
        boolean allParked = target.allWorkersParked();
        for (int p = 0; allParked && p < lastTick.length; p++) {
            allParked = target.parked(target.stateWord(p));
        }
        if (!allParked) {
            asleep = false;
            return;
        }
        if (!target.terminated()) {
            LockSupport.park(this);
        }
        asleep = false;
    }

    /** Called after a parked worker was counted unparked (an RMW of the idle count); wakes a sleeping monitor. */
    public void workerWoke() {
        if (asleep) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Wakes the monitor so that it sees termination. */
    public void stop() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }
}
