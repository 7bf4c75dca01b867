package io.mnscheduler.bench;

import io.mnscheduler.WorkStealingScheduler;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Timers against the JDK's two {@code ScheduledExecutorService}s of the same size:
 * {@code ScheduledThreadPoolExecutor(n)} (one locked delay queue) and JDK 25's
 * {@code ForkJoinPool(n)} (its {@code schedule}, a timer heap of the pool's own).
 * <ul>
 *   <li>{@code timer_churn}: 100,000 timeouts of 30 s set and cancelled before they fire, from
 *       outside, the usual fate of a network timeout: time per 100,000.</li>
 *   <li>{@code timer_fire}: 100,000 timers with random delays of 0 to 50 ms, set from outside: time
 *       until all have fired. Each timer's lateness (start of its task minus its deadline) goes
 *       into a histogram; the trial writes p50, p99 and the maximum as a side result.</li>
 *   <li>{@code timer_from_tasks}: 10,000 tasks that each set a 1 ms timer for a follow-up task, the
 *       per-processor path: time until every follow-up ran.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/java.lang=ALL-UNNAMED"})
public class TimerBenchmarks {
    static final int CHURN = 100_000;
    static final int FIRE = 100_000;
    static final int FIRE_MAX_DELAY_MS = 50;
    static final int FROM_TASKS = 10_000;
    private static final Runnable NOTHING = () -> { };

    @Param({"mn", "stpe", "fjp"})
    public String peer;

    /** Workers of every pool; 0 means one per available core. */
    @Param("0")
    public int workers;

    private ScheduledExecutorService pool;
    private final long[] deadlines = new long[FIRE];
    private final long[] starts = new long[FIRE];
    private final int[] delays = new int[FIRE];
    private final Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(60), 3); // benchmark thread only
    private boolean measuring;
    private boolean fired; // whether this trial ran timer_fire

    @Setup(Level.Trial)
    public void open() {
        int n = Peer.workers(workers);
        pool = switch (peer) {
            case "mn" -> WorkStealingScheduler.builder().parallelism(n).build();
            case "stpe" -> new ScheduledThreadPoolExecutor(n);
            case "fjp" -> new ForkJoinPool(n);
            default -> throw new IllegalArgumentException("peer = " + peer + "; allowed: mn, stpe, fjp");
        };
        if (pool instanceof ScheduledThreadPoolExecutor stpe) {
            stpe.setRemoveOnCancelPolicy(true); // else its cancelled timeouts stay queued until they would fire
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < FIRE; i++) {
            delays[i] = random.nextInt(FIRE_MAX_DELAY_MS + 1);
        }
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void close() {
        pool.shutdownNow();
        if (fired) {
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("unit", "us");
            figures.put("samples", lateness.getTotalCount());
            figures.put("p50", lateness.getValueAtPercentile(50) / 1000.0);
            figures.put("p99", lateness.getValueAtPercentile(99) / 1000.0);
            figures.put("max", lateness.getMaxValue() / 1000.0);
            SideResults.write("timer_fire_lateness", peer, Peer.workers(workers), figures);
            System.out.printf("%n%s timer lateness: p50 %.0f us, p99 %.0f us, max %.0f us (%d timers)%n", peer,
                    lateness.getValueAtPercentile(50) / 1000.0, lateness.getValueAtPercentile(99) / 1000.0,
                    lateness.getMaxValue() / 1000.0, lateness.getTotalCount());
        }
    }

    @Benchmark
    public int timer_churn() {
        int cancelled = 0;
        for (int i = 0; i < CHURN; i++) {
            ScheduledFuture<?> timeout = pool.schedule(NOTHING, 30, TimeUnit.SECONDS);
            if (timeout.cancel(false)) {
                cancelled++;
            }
        }
        return cancelled;
    }

    @Benchmark
    public long timer_fire() throws InterruptedException {
        fired = true;
        CountDownLatch all = new CountDownLatch(FIRE);
        for (int i = 0; i < FIRE; i++) {
            int id = i;
            long delayNanos = TimeUnit.MILLISECONDS.toNanos(delays[i]);
            deadlines[i] = System.nanoTime() + delayNanos; // read before schedule(): lateness is over-counted by that call, never under
            pool.schedule(() -> {
                starts[id] = System.nanoTime();
                all.countDown();
            }, delayNanos, TimeUnit.NANOSECONDS);
        }
        all.await();
        long worst = 0;
        for (int i = 0; i < FIRE; i++) {
            long late = Math.max(0, starts[i] - deadlines[i]);
            if (measuring) {
                lateness.recordValue(late);
            }
            worst = Math.max(worst, late);
        }
        return worst;
    }

    @Benchmark
    public long timer_from_tasks() throws InterruptedException {
        CountDownLatch followUps = new CountDownLatch(FROM_TASKS);
        Runnable followUp = followUps::countDown;
        Runnable setter = () -> pool.schedule(followUp, 1, TimeUnit.MILLISECONDS);
        for (int i = 0; i < FROM_TASKS; i++) {
            pool.execute(setter);
        }
        followUps.await();
        return followUps.getCount();
    }
}
