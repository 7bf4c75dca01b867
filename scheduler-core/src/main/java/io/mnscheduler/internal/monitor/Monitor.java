package io.mnscheduler.internal.monitor;

import io.mnscheduler.internal.jfr.HandOffEvent.Reason;

import java.util.concurrent.locks.LockSupport;

/**
 * The monitor (Go's sysmon): one thread that looks at every processor's scheduling tick and state.
 *
 * <p>A processor whose task has run for a whole tick while work waits (in its queue, its
 * {@code runnext} slot or the global queue) gets a preemption request, which a task sees through
 * {@code preemptionRequested()} and honours at a {@code checkpoint()}. If the same task still runs
 * {@code handOffTicks - 1} ticks after the request, and its thread made progress on a CPU (a thread
 * the OS does not run is not helped by another one), its processor is handed to a spare worker.
 * A task that is not running but waiting, while work waits behind it, is handed off without the
 * ticks: one in a {@code blocking()} section at once, and one whose thread is seen waiting at two
 * looks in a row (parked in Java: WAITING, TIMED_WAITING, BLOCKED; or, on Linux, RUNNABLE to Java
 * but asleep in a system call, read from {@code /proc}). The hand-off itself is a CAS on the
 * processor's state word, from the exact word seen, so a task that returned in the meantime keeps
 * its processor.
 *
 * <p>How often it looks: every tenth of a tick (at most {@link #MAX_FAST_LOOK_NANOS}, at least 50 µs)
 * while a running task holds up work, so a task that waits is handed off within three fast looks
 * of starting to hold up work (about 3 ms with the default tick), where two ticks were needed
 * before; every tick (at most {@link #MAX_BUSY_LOOK_NANOS}) otherwise while tasks run. Under load
 * nearly every look sees a running task with work behind it, so a look must be cheap: a RUNNABLE
 * thread's kernel state is read from /proc only when its CPU time stood still since the last look
 * (see the target's {@code waiting}). When every look read /proc for every running task, fast
 * looks after every new task cost a 2-core machine 5-15% of spawn_many_local, which is why they
 * once waited for a task seen at two busy looks;
 * run times are measured from the clock, so looking more often changes no deadline. (Go's sysmon
 * starts at 20 µs because it retakes processors from system calls after 20 µs; on 2 cores a monitor
 * waking every 20 µs took a core from the woken workers.) When every processor is parked it keeps
 * looking, {@link #IDLE_LOOKS_BEFORE_DEEP_SLEEP} times, with the sleep between looks doubling from
 * one busy look to {@link #MAX_IDLE_SLEEP_TICKS} of them, and then parks too; whoever wakes a worker
 * unparks it, so an idle scheduler costs nothing. The looking stage keeps the unpark off the wake-up
 * path of a scheduler that idles briefly and often (a request every millisecond, say): there,
 * waking the monitor on every wake-up made it a third runnable thread beside the submitter and the
 * woken worker. The doubling is for the same scheduler: a look every tick while every worker was
 * parked, a timer wake-up of a core that was otherwise idle, put the p99 of submit-to-start at
 * 60-600 µs against ForkJoinPool's 24-67; with a look every second instead it was 17-66 µs. The
 * price: a task that starts on a scheduler idle for a while, and then blocks or hogs, is seen up to
 * ten busy looks late (Go's sysmon, idle, sleeps up to a minute).
 *
 * <p>When every processor's task waits while hand-offs wait at the worker cap, the target is told
 * ({@link Target#allWaitingAtCap}), and logs it once per situation.
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
         * Whether the processor's task is not running but waiting: PARKED (its thread WAITING,
         * TIMED_WAITING or BLOCKED) or BLOCKED_IN_KERNEL (RUNNABLE to Java, asleep in a system
         * call); null when it runs, or may.
         */
        Reason waiting(int processor);

        /**
         * Hands the processor to a spare if its word is still {@code expectedWord}; its task was seen
         * running for {@code ranNanos}. For RAN_TOO_LONG, only if its thread made progress on a CPU
         * since the preemption request: a runnable thread the OS does not run is not helped by
         * another thread.
         */
        void handOff(int processor, int expectedWord, Reason reason, long ranNanos);

        /** Hand-offs put off at the worker cap so far. */
        long handOffsDelayed();

        /** Every processor's task waits (or blocks) and a hand-off was put off at the cap in this look. */
        void allWaitingAtCap();

        /** Not (or no longer) every processor waiting at the cap. */
        void notAllWaitingAtCap();

        /** Whether every worker is counted parked by the scheduler's idle accounting (a volatile read). */
        boolean allWorkersParked();

        /** Whether the monitor should stop. */
        boolean terminated();
    }

    /** Consecutive looks that must see a task waiting before its processor is handed off for it. */
    static final int WAITING_LOOKS = 2;
    /** The shortest and longest time between looks while work waits behind a running task. */
    static final long MIN_FAST_LOOK_NANOS = 50_000L;
    static final long MAX_FAST_LOOK_NANOS = 1_000_000L;
    /** The longest time between looks while a task runs: a long tick must not leave a waiting task unseen. */
    static final long MAX_BUSY_LOOK_NANOS = 10_000_000L;

    /** Looks that must each see every processor parked, in a row, before the monitor parks without a timeout. */
    static final int IDLE_LOOKS_BEFORE_DEEP_SLEEP = 50;
    /** The longest sleep between two looks while every processor is parked, in ticks. */
    static final int MAX_IDLE_SLEEP_TICKS = 10;

    private final Target target;
    private final long tickNanos;
    private final int handOffTicks;
    private final int[] lastTick;     // monitor thread only
    private final int[] lastWord;     // monitor thread only
    private final long[] requestedAt; // monitor thread only: when preemption was requested; NOT_REQUESTED if not yet
    private final long[] firstSeen;   // monitor thread only: when the look that first saw the running task began
    private final int[] waitingLooks; // monitor thread only: consecutive looks that saw the task waiting
    private final long fastLookNanos; // between looks while work waits behind a running task
    private final long busyLookNanos; // between looks while a task runs and nothing waits: a tick, at most MAX_BUSY_LOOK_NANOS
    private final long handOffWaitNanos; // from a preemption request to the hand-off: handOffTicks - 1 ticks, saturated
    private static final long NOT_REQUESTED = Long.MIN_VALUE;
    private volatile boolean asleep;  // written by the monitor before it parks; read by waking workers
    private volatile Thread thread;   // the monitor's thread, once it runs

    public Monitor(Target target, long tickNanos, int handOffTicks) {
        this.target = target;
        this.tickNanos = tickNanos;
        this.handOffTicks = handOffTicks;
        int n = target.processors();
        this.lastTick = new int[n];
        this.lastWord = new int[n];
        this.requestedAt = new long[n];
        this.firstSeen = new long[n];
        this.waitingLooks = new int[n];
        java.util.Arrays.fill(requestedAt, NOT_REQUESTED);
        this.handOffWaitNanos = handOffTicks - 1 > Long.MAX_VALUE / tickNanos ? Long.MAX_VALUE
                : (handOffTicks - 1) * tickNanos;
        this.busyLookNanos = Math.min(tickNanos, MAX_BUSY_LOOK_NANOS);
        this.fastLookNanos = Math.min(MAX_FAST_LOOK_NANOS, Math.max(MIN_FAST_LOOK_NANOS, tickNanos / 10));
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        int idleLooks = 0;
        long idleSleep = busyLookNanos;
        long maxIdleSleep = busyLookNanos * MAX_IDLE_SLEEP_TICKS; // at most 100 ms, whatever the tick
        while (!target.terminated()) {
            int parked = 0;
            int stuck = 0; // processors whose task waits, or blocks, with work behind it
            boolean behind = false; // a running task holds up work: look again within a fast look
            long delayedBefore = target.handOffsDelayed();
            long now = System.nanoTime(); // one clock read a look: run times are measured from looks
            for (int p = 0; p < lastTick.length; p++) {
                int word = target.stateWord(p);
                if (target.parked(word)) {
                    parked++;
                }
                if (!target.busy(word)) {
                    continue;
                }
                int tick = target.schedTick(p);
                if (tick != lastTick[p] || word != lastWord[p]) {
                    lastTick[p] = tick;
                    lastWord[p] = word;
                    requestedAt[p] = NOT_REQUESTED;
                    firstSeen[p] = now;
                    waitingLooks[p] = 0;
                    behind |= target.workWaiting(p); // looked at again soon: it may be about to wait
                    continue; // a new task since the last look: give it a whole tick
                }
                if (!target.workWaiting(p)) {
                    waitingLooks[p] = 0;
                    continue;
                }
                behind = true;
                look(p, word, now, now - firstSeen[p]);
                stuck += target.blocking(word) || waitingLooks[p] > 0 ? 1 : 0;
            }
            if (stuck == lastTick.length && target.handOffsDelayed() > delayedBefore) {
                target.allWaitingAtCap();
            } else if (stuck < lastTick.length) {
                target.notAllWaitingAtCap();
            }
            if (behind) {
                idleLooks = 0;
                idleSleep = busyLookNanos;
                LockSupport.parkNanos(this, fastLookNanos); // a waiting task is noticed well within a tick
            } else if (parked < lastTick.length) {
                idleLooks = 0;
                idleSleep = busyLookNanos;
                LockSupport.parkNanos(this, busyLookNanos);
            } else if (++idleLooks < IDLE_LOOKS_BEFORE_DEEP_SLEEP) {
                LockSupport.parkNanos(this, idleSleep); // no one wakes us in this stage: we look now and then
                idleSleep = idleSleep > maxIdleSleep / 2 ? maxIdleSleep : 2 * idleSleep;
            } else {
                deepSleep();
                idleLooks = 0;
                idleSleep = busyLookNanos;
            }
        }
    }

    /**
     * Processor {@code p}'s task, the same since the last look, holds up work: a task in a
     * {@code blocking()} section is handed off at once; one seen waiting (parked in Java, or
     * asleep in a system call) at {@link #WAITING_LOOKS} looks in a row too, without the tick's
     * delay; one running gets a preemption request after a tick, and is handed off
     * {@code handOffTicks - 1} ticks after the request.
     */
    private void look(int p, int word, long now, long ran) {
        if (target.blocking(word)) {
            target.handOff(p, word, Reason.BLOCKING, ran); // announced as blocking: no need to wait
            return;
        }
        Reason waits = target.waiting(p);
        if (waits != null) {
            if (++waitingLooks[p] >= WAITING_LOOKS) {
                target.handOff(p, word, waits, ran);
            }
            return;
        }
        waitingLooks[p] = 0;
        if (requestedAt[p] == NOT_REQUESTED) {
            if (ran >= tickNanos) {
                requestedAt[p] = now;
                target.requestPreemption(p, ran);
                if (handOffTicks == 1) {
                    target.handOff(p, word, Reason.RAN_TOO_LONG, ran);
                }
            }
        } else if (now - requestedAt[p] >= handOffWaitNanos) {
            target.handOff(p, word, Reason.RAN_TOO_LONG, ran); // asked to yield, and still holding the processor
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
