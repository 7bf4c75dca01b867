package io.mnscheduler.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mnscheduler.SchedulerStats;
import io.mnscheduler.WorkStealingScheduler;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Binds a {@link WorkStealingScheduler}'s counters to a Micrometer {@link MeterRegistry}, under the
 * names Micrometer's own {@code ExecutorServiceMetrics} gives a {@code ForkJoinPool}, so dashboards
 * made for one show the other, plus mn-scheduler's own (Micrometer's {@code ExecutorServiceMetrics}
 * does not know this executor and binds nothing for it):
 *
 * <table>
 *   <caption>Meters, each tagged {@code name=<scheduler name>} and the extra tags given</caption>
 *   <tr><th>Meter</th><th>Type</th><th>Value</th></tr>
 *   <tr><td>{@code executor.steals}</td><td>function counter</td><td>tasks stolen ({@link SchedulerStats#tasksStolen()}, as ForkJoinPool's steal count)</td></tr>
 *   <tr><td>{@code executor.queued}</td><td>gauge</td><td>tasks in the local and global queues</td></tr>
 *   <tr><td>{@code executor.active}</td><td>gauge</td><td>processors running a task, and workers searching for one</td></tr>
 *   <tr><td>{@code executor.running}</td><td>gauge</td><td>processors running a task</td></tr>
 *   <tr><td>{@code executor.parallelism}</td><td>gauge</td><td>processors</td></tr>
 *   <tr><td>{@code executor.pool.size}</td><td>gauge</td><td>worker threads, spares included</td></tr>
 *   <tr><td>{@code executor.completed}</td><td>function counter</td><td>tasks run</td></tr>
 *   <tr><td>{@code executor.handoffs}</td><td>function counter</td><td>processors handed to a spare worker</td></tr>
 *   <tr><td>{@code executor.handoffs.delayed}</td><td>function counter</td><td>hand-offs put off at the worker cap</td></tr>
 *   <tr><td>{@code executor.handoffs.declined}</td><td>function counter</td><td>hand-offs of long-running tasks declined
 *       because their threads barely got a CPU (an overloaded machine)</td></tr>
 *   <tr><td>{@code executor.preemptions}</td><td>function counter</td><td>preemption requests</td></tr>
 *   <tr><td>{@code executor.busy}</td><td>function counter</td><td>seconds the workers were awake, summed over processors</td></tr>
 *   <tr><td>{@code executor.delayed}</td><td>gauge</td><td>scheduled tasks waiting for their time</td></tr>
 *   <tr><td>{@code executor.virtual.threads}</td><td>gauge</td><td>live virtual threads carried</td></tr>
 *   <tr><td>{@code executor.scheduling.latency}</td><td>function timer</td><td>count and total of the sampled submission-to-start latencies</td></tr>
 *   <tr><td>{@code executor.scheduling.latency.percentile}</td><td>time gauges, tag {@code phi}</td><td>the 0.5, 0.9, 0.99 and 0.999 quantiles of those latencies (within 25%)</td></tr>
 * </table>
 *
 * <p>The two latency meters stay at zero unless the scheduler was built with sampling on
 * ({@code WorkStealingScheduler.Builder.schedulingLatencySampling(n)}, off by default).
 *
 * <p>Every meter reads {@link WorkStealingScheduler#stats()} when the registry asks, which costs
 * O(parallelism); nothing is added to the scheduler's own paths. The registry holds the
 * scheduler weakly, as Micrometer's gauges do, so binding does not keep it alive.
 */
public final class WorkStealingSchedulerMetrics implements MeterBinder {
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};

    private final WorkStealingScheduler scheduler;
    private final Tags tags;

    /**
     * A binder for {@code scheduler}, its meters tagged {@code name=<scheduler.name()>}.
     *
     * @param scheduler the scheduler to observe
     * @throws NullPointerException if {@code scheduler} is null
     */
    public WorkStealingSchedulerMetrics(WorkStealingScheduler scheduler) {
        this(scheduler, Objects.requireNonNull(scheduler, "scheduler = null; allowed: a WorkStealingScheduler").name(),
                Tags.empty());
    }

    /**
     * A binder for {@code scheduler}, its meters tagged {@code name=<name>} and {@code tags}.
     *
     * @param scheduler the scheduler to observe
     * @param name      the value of the {@code name} tag
     * @param tags      more tags for every meter
     * @throws NullPointerException if an argument is null
     */
    public WorkStealingSchedulerMetrics(WorkStealingScheduler scheduler, String name, Iterable<Tag> tags) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler = null; allowed: a WorkStealingScheduler");
        Objects.requireNonNull(name, "name = null; allowed: any string");
        this.tags = Tags.concat(Objects.requireNonNull(tags, "tags = null; allowed: any tags, or Tags.empty()"),
                "name", name);
    }

    /**
     * Binds {@code scheduler}'s meters to {@code registry}, as Micrometer's
     * {@code ExecutorServiceMetrics.monitor} does for the executors it knows.
     *
     * @param registry  where the meters go
     * @param scheduler the scheduler to observe
     * @param name      the value of the {@code name} tag
     * @param tags      more tags for every meter
     * @return {@code scheduler}
     */
    public static WorkStealingScheduler monitor(MeterRegistry registry, WorkStealingScheduler scheduler, String name,
                                                Tag... tags) {
        new WorkStealingSchedulerMetrics(scheduler, name, Tags.of(tags)).bindTo(registry);
        return scheduler;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "executor.steals", "tasks", "Tasks taken from another processor's queue or runnext slot",
                s -> s.stats().tasksStolen());
        gauge(registry, "executor.queued", "tasks", "Tasks in the local and global queues",
                s -> { SchedulerStats st = s.stats(); return st.localQueueDepth() + st.globalQueueDepth(); });
        gauge(registry, "executor.active", "threads", "Processors running a task, and workers searching for one",
                s -> { SchedulerStats st = s.stats(); return st.runningProcessors() + st.searchingWorkers(); });
        gauge(registry, "executor.running", "threads", "Processors whose worker is running a task",
                s -> s.stats().runningProcessors());
        gauge(registry, "executor.parallelism", "threads", "The number of processors", s -> s.parallelism());
        gauge(registry, "executor.pool.size", "threads", "Worker threads, spares included", s -> s.stats().workerThreads());
        counter(registry, "executor.completed", "tasks", "Tasks run", s -> s.stats().tasksExecuted());
        counter(registry, "executor.handoffs", "handoffs", "Processors handed to a spare worker", s -> s.stats().handOffs());
        counter(registry, "executor.handoffs.delayed", "handoffs", "Hand-offs put off at the worker cap",
                s -> s.stats().handOffsDelayed());
        counter(registry, "executor.handoffs.declined", "handoffs",
                "Hand-offs of long-running tasks declined because their threads barely got a CPU", s -> s.stats().handOffsDeclined());
        counter(registry, "executor.preemptions", "requests", "Preemption requests the monitor made",
                s -> s.stats().preemptionRequests());
        counter(registry, "executor.busy", "seconds", "Time the workers were awake, summed over the processors",
                s -> s.stats().busyNanos() / 1e9);
        gauge(registry, "executor.delayed", "tasks", "Scheduled tasks waiting for their time", s -> s.stats().delayedTasks());
        gauge(registry, "executor.virtual.threads", "threads", "Live virtual threads carried by the scheduler",
                s -> s.stats().liveVirtualThreads());
        FunctionTimer.builder("executor.scheduling.latency", scheduler,
                        s -> s.stats().schedulingLatency().count(),
                        s -> s.stats().schedulingLatency().totalTime().toNanos(), TimeUnit.NANOSECONDS)
                .description("Sampled time from submission to start").tags(tags).register(registry);
        for (double q : QUANTILES) {
            TimeGauge.builder("executor.scheduling.latency.percentile", scheduler, TimeUnit.NANOSECONDS,
                            s -> s.stats().schedulingLatency().valueAtQuantile(q).toNanos())
                    .description("A quantile of the sampled scheduling latencies").tags(tags)
                    .tag("phi", Double.toString(q)).register(registry);
        }
    }

    private void counter(MeterRegistry registry, String name, String unit, String description,
                         ToDoubleFunction<WorkStealingScheduler> value) {
        FunctionCounter.builder(name, scheduler, value).baseUnit(unit).description(description).tags(tags)
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToDoubleFunction<WorkStealingScheduler> value) {
        Gauge.builder(name, scheduler, value).baseUnit(unit).description(description).tags(tags).register(registry);
    }
}
