package io.mnscheduler.internal;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A submitted task picked for the scheduling-latency histogram, with the time it was submitted.
 * One in {@code oneIn} submissions is wrapped ({@link #sample}); the worker that takes it off a
 * queue unwraps it, records now minus {@link #submittedNanos} into its processor's
 * {@code LatencyRecorder}, and runs the task itself (WorkerLoop.runTask), so the task never sees
 * the wrapper, and a task handed back by shutdownNow() is unwrapped first ({@link #unwrapAll}).
 * Sampling keeps the cost of two clock reads and an allocation off all but a few tasks.
 */
final class SampledTask implements Runnable {
    final Runnable task;        // final
    final long submittedNanos;  // final

    private SampledTask(Runnable task, long submittedNanos) {
        this.task = task;
        this.submittedNanos = submittedNanos;
    }

    /**
     * From a thread that is not one of the scheduler's workers: {@code task}, or one in
     * {@code oneIn} times (never when 0), drawn at random, a wrapper stamped now.
     */
    static Runnable sample(Runnable task, int oneIn) {
        if (oneIn == 0 || (oneIn != 1 && ThreadLocalRandom.current().nextInt(oneIn) != 0)) {
            return task;
        }
        return new SampledTask(task, System.nanoTime());
    }

    /**
     * From worker {@code w}: {@code task}, or, when {@code w}'s countdown runs out, a wrapper
     * stamped now, the countdown then drawn anew from 1 to {@code 2 * oneIn - 1} (mean
     * {@code oneIn}; random, so that a periodic workload cannot hide from it). A countdown, not
     * a {@code ThreadLocalRandom} draw: on the path of a task submitted from a task, the draw cost
     * a fifth of chained_spawn's throughput (75 ns a link), the countdown nothing measurable.
     */
    static Runnable sample(Worker w, Runnable task, int oneIn) {
        if (oneIn == 0 || --w.untilSample > 0) {
            return task;
        }
        w.untilSample = 1 + Math.floorMod(w.nextRandom(), 2 * oneIn - 1);
        return new SampledTask(task, System.nanoTime());
    }

    /** The task a queue entry stands for. */
    static Runnable unwrap(Runnable r) {
        return r instanceof SampledTask s ? s.task : r;
    }

    /** Replaces each wrapper in {@code tasks} by its task. */
    static void unwrapAll(List<Runnable> tasks) {
        tasks.replaceAll(SampledTask::unwrap);
    }

    @Override
    public void run() {
        task.run(); // a path that ran a queue entry without unwrapping it would still run the task, only losing the sample
    }
}
