package io.mnscheduler.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A deterministic, preemption-bounded explorer of thread interleavings (stateless model checking
 * in the manner of CHESS, Musuvathi and Qadeer, PLDI 2007; Tokio's loom plays the same role for its
 * queue). The code under test calls {@link Interleavings#point()} before each shared access; here
 * each thread runs only when the explorer grants it a step, so a schedule is the sequence of thread
 * choices at those points. Every schedule with at most {@code preemptionBound} preemptions (switches
 * away from a thread that could have continued) is run once, depth first, each on a fresh
 * {@link Execution}; after each, the execution's check runs. A failure reports the schedule, which
 * replays it exactly. A thread at an {@link Interleavings#spin()} point waits for another to move:
 * it is not scheduled again until some other thread takes a step (switching away from it is no
 * preemption), and a schedule in which every live thread spins fails as a livelock.
 */
public final class InterleavingExplorer {
    private static final int MAX_STEPS = 10_000;

    /** The threads of one run and the check after it; a new one is made for every schedule. */
    public interface Execution {
        /** The thread bodies; they run concurrently, one step at a time. */
        List<Runnable> threads();

        /** Called after all threads ended; throws when an invariant is broken. */
        void check();
    }

    /**
     * @param schedules  the schedules run
     * @param exhaustive whether every schedule within the bound was run (false: maxSchedules cut it short)
     */
    public record Result(long schedules, boolean exhaustive) {
    }

    private record Choice(int[] enabled, int chosen, int current, boolean currentEnabled, int preemptionsBefore) {
    }

    private InterleavingExplorer() {
    }

    /** Runs every schedule with at most {@code preemptionBound} preemptions, up to {@code maxSchedules}. */
    public static Result explore(Supplier<Execution> executions, int preemptionBound, long maxSchedules) {
        if (!Interleavings.ENABLED) {
            throw new IllegalStateException("schedule points are compiled out: run with -Dio.mnscheduler.interleavings=true");
        }
        Deque<int[]> pending = new ArrayDeque<>();
        pending.push(new int[0]);
        long runs = 0;
        while (!pending.isEmpty()) {
            if (runs == maxSchedules) {
                return new Result(runs, false);
            }
            int[] prefix = pending.pop();
            List<Choice> trace = runOnce(executions.get(), prefix);
            runs++;
            for (int i = trace.size() - 1; i >= prefix.length; i--) {
                Choice c = trace.get(i);
                for (int alternative : c.enabled()) {
                    if (alternative == c.chosen()) {
                        continue;
                    }
                    boolean preempts = c.currentEnabled() && alternative != c.current();
                    if (c.preemptionsBefore() + (preempts ? 1 : 0) <= preemptionBound) {
                        int[] next = new int[i + 1];
                        for (int k = 0; k < i; k++) {
                            next[k] = trace.get(k).chosen();
                        }
                        next[i] = alternative;
                        pending.push(next);
                    }
                }
            }
        }
        return new Result(runs, true);
    }

    /**
     * Runs every schedule with at most {@code preemptionBound} preemptions and fails unless all of
     * them (at most 300,000) ran; prints how many, and returns it.
     */
    public static long exploreAll(int preemptionBound, Supplier<Execution> executions) {
        Result r = explore(executions, preemptionBound, 300_000);
        if (!r.exhaustive()) {
            throw new AssertionError("explored only " + r.schedules() + " schedules; more lie within the bound");
        }
        System.out.println("explored " + r.schedules() + " schedules");
        return r.schedules();
    }

    private static List<Choice> runOnce(Execution execution, int[] prefix) {
        List<Runnable> bodies = execution.threads();
        int n = bodies.size();
        Semaphore[] go = new Semaphore[n];
        Semaphore yielded = new Semaphore(0);
        boolean[] done = new boolean[n]; // written by thread i before yielded.release(); read after acquire
        boolean[] spinning = new boolean[n]; // likewise: thread i waits at a spin point for another to move
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ThreadLocal<Integer> self = new ThreadLocal<>();
        Interleavings.install(() -> {
            Integer me = self.get();
            if (me != null) {
                spinning[me] = Interleavings.spinning();
                yielded.release();
                go[me].acquireUninterruptibly();
            }
        });
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            go[i] = new Semaphore(0);
            threads[i] = new Thread(() -> {
                self.set(id);
                go[id].acquireUninterruptibly();
                try {
                    bodies.get(id).run();
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    done[id] = true;
                    yielded.release();
                }
            }, "explored-" + i);
            threads[i].start();
        }
        List<Choice> trace = new ArrayList<>();
        int current = -1;
        int preemptions = 0;
        try {
            for (int step = 0; ; step++) {
                int[] enabled = enabled(done, spinning);
                if (enabled.length == 0) {
                    if (enabled(done, new boolean[n]).length > 0) {
                        throw new AssertionError("every live thread spins, waiting for another (livelock) in schedule " + describe(trace));
                    }
                    break;
                }
                if (step > MAX_STEPS) {
                    throw new AssertionError("no progress after " + MAX_STEPS + " steps (livelock?) in schedule " + describe(trace));
                }
                boolean currentEnabled = current >= 0 && !done[current] && !spinning[current];
                int chosen = step < prefix.length ? prefix[step] : currentEnabled ? current : enabled[0];
                trace.add(new Choice(enabled, chosen, current, currentEnabled, preemptions));
                if (currentEnabled && chosen != current) {
                    preemptions++;
                }
                current = chosen;
                go[chosen].release();
                yielded.acquireUninterruptibly();
                if (!spinning[chosen]) {
                    Arrays.fill(spinning, false); // it moved: a thread that spun may progress now
                }
            }
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            Interleavings.install(null);
        }
        if (failure.get() != null) {
            throw new AssertionError("a thread failed in schedule " + describe(trace), failure.get());
        }
        try {
            execution.check();
        } catch (Throwable t) {
            throw new AssertionError("check failed after schedule " + describe(trace) + ": " + t.getMessage(), t);
        }
        return trace;
    }

    private static int[] enabled(boolean[] done, boolean[] spinning) {
        return java.util.stream.IntStream.range(0, done.length).filter(i -> !done[i] && !spinning[i]).toArray();
    }

    private static String describe(List<Choice> trace) {
        return Arrays.toString(trace.stream().mapToInt(Choice::chosen).toArray());
    }
}
