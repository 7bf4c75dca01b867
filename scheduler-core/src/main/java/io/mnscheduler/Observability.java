package io.mnscheduler;

import io.mnscheduler.internal.Scheduler;
import io.mnscheduler.internal.StatsView;
import io.mnscheduler.internal.jfr.Sampler;
import io.mnscheduler.internal.stats.ProcessorCounters.Event;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a scheduler shows of itself beyond {@code stats()}: its MXBean on the platform MBean
 * server, its place in the JFR {@code ProcessorSample} hook, and the {@code schedtrace} thread.
 * Started by the scheduler's constructor, stopped once at its termination (the engine's
 * termination hook), so nothing of a terminated scheduler stays registered or running.
 */
final class Observability {
    /** The system property that turns {@code schedtrace} on: a {@link Duration}, as {@code 1s}, {@code 500ms} or {@code PT1S}. */
    static final String SCHEDTRACE_PROPERTY = "io.mnscheduler.schedtrace";
    /** The shortest schedtrace interval accepted. */
    static final Duration MIN_SCHEDTRACE = Duration.ofMillis(1);

    private static final System.Logger LOG = System.getLogger(WorkStealingScheduler.class.getName());
    private static final System.Logger TRACE = System.getLogger("io.mnscheduler.schedtrace");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ns|us|µs|ms|s|m|h)");

    private final ObjectName objectName; // final; null when not registered
    private final Sampler sampler;       // final
    private final Thread trace;          // final; null without schedtrace

    private Observability(ObjectName objectName, Sampler sampler, Thread trace) {
        this.objectName = objectName;
        this.sampler = sampler;
        this.trace = trace;
    }

    /** Numbers schedulers in the order they are built, for their default names (as ForkJoinPool numbers its pools). */
    private static final java.util.concurrent.atomic.AtomicInteger POOL_NUMBERS = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * A new scheduler's name: {@code given}, else the thread name {@code prefix}, else {@code mn-N};
     * made unique among the registered ones (see {@link #uniqueName}) when it will register.
     */
    static String nameOf(String given, String prefix, boolean register) {
        int number = POOL_NUMBERS.incrementAndGet();
        String base = given != null ? given : prefix != null ? prefix : "mn-" + number;
        return register ? uniqueName(base, given != null) : base;
    }

    /**
     * {@code base}, or when an MXBean of that name is registered and the name was not given
     * explicitly, the first free {@code base#2}, {@code base#3}...; a prefix shared by two
     * schedulers thus gives two names.
     *
     * @throws IllegalStateException when {@code nameGiven} and the name is taken
     */
    static String uniqueName(String base, boolean nameGiven) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int attempt = 1; ; attempt++) {
            String candidate = attempt == 1 ? base : base + "#" + attempt;
            if (!server.isRegistered(objectName(candidate))) {
                return candidate;
            }
            if (nameGiven) {
                throw clash(base, null);
            }
        }
    }

    private static IllegalStateException clash(String name, Exception cause) {
        return new IllegalStateException("A scheduler named \"" + name + "\" is already registered as "
                + objectName(name) + "; allowed: a name no live scheduler has, or Builder.registerMXBean(false)", cause);
    }

    /**
     * Registers {@code s}'s MXBean under {@code name} when {@code register}, joins the JFR sampler,
     * starts schedtrace if the property asks for it, and has {@code engine} undo all three when it
     * terminates.
     *
     * @throws IllegalStateException when {@code nameGiven} and another scheduler took the name since
     *         {@link #uniqueName}; {@code engine} is then stopped, and nothing is left registered. A
     *         derived name taken so gets a warning and no MXBean.
     */
    static void attach(WorkStealingScheduler s, Scheduler engine, String name, boolean nameGiven, boolean register) {
        try {
            engine.onTermination(start(s, engine.stats(), name, nameGiven, register)::stop);
        } catch (IllegalStateException e) {
            engine.shutdownNow();
            throw e;
        }
    }

    private static Observability start(WorkStealingScheduler s, StatsView view, String name, boolean nameGiven,
                                       boolean register) {
        ObjectName registered = null;
        if (register) {
            ObjectName on = objectName(name);
            try {
                ManagementFactory.getPlatformMBeanServer().registerMBean(
                        new StandardMBean(new Bean(s, view), WorkStealingSchedulerMXBean.class, true), on);
                registered = on;
            } catch (InstanceAlreadyExistsException e) {
                if (nameGiven) {
                    throw clash(name, e);
                }
                LOG.log(System.Logger.Level.WARNING, "Scheduler " + name + " runs without an MXBean: " + on
                        + " was registered by another scheduler built at the same time");
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "Could not register the MXBean of scheduler " + name + " (" + e
                        + "); it runs without one");
            }
        }
        Sampler sampler = Sampler.start(new SamplerSource(name, view));
        return new Observability(registered, sampler, startTrace(name, view));
    }

    /** At termination: unregisters the MXBean, leaves the sampler, and lets schedtrace end. */
    void stop() {
        sampler.close();
        if (trace != null) {
            java.util.concurrent.locks.LockSupport.unpark(trace);
        }
        if (objectName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "Could not unregister MXBean " + objectName + ": " + e);
            }
        }
    }

    /** {@code io.mnscheduler:type=WorkStealingScheduler,name=<name>}, the name quoted when it holds JMX's special characters. */
    static ObjectName objectName(String name) {
        String value = name.matches("[\\w.\\-#]+") ? name : ObjectName.quote(name);
        try {
            return new ObjectName("io.mnscheduler:type=WorkStealingScheduler,name=" + value);
        } catch (JMException e) {
            throw new IllegalStateException(e); // unreachable: the value is plain or quoted
        }
    }

    // ---------------------------------------------------------------- schedtrace

    /** Parses the schedtrace property: null when absent; a warning and null when malformed. */
    static Duration schedtraceInterval(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        Duration d = null;
        Matcher m = SHORT_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ns" -> Duration.ofNanos(n);
                case "us", "µs" -> Duration.ofNanos(TimeUnit.MICROSECONDS.toNanos(n));
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } else {
            try {
                d = Duration.parse(value.trim());
            } catch (DateTimeParseException e) {
                d = null;
            }
        }
        if (d == null || d.compareTo(MIN_SCHEDTRACE) < 0) {
            LOG.log(System.Logger.Level.WARNING, "-D" + SCHEDTRACE_PROPERTY + "=" + value + " ignored; allowed: a"
                    + " duration of at least 1ms, as 1s, 500ms, 2m or PT1S");
            return null;
        }
        return d;
    }

    private static Thread startTrace(String name, StatsView view) {
        Duration interval = schedtraceInterval(System.getProperty(SCHEDTRACE_PROPERTY));
        if (interval == null) {
            return null;
        }
        long start = System.nanoTime();
        long step = interval.toNanos();
        Thread t = new Thread(null, () -> {
            for (long next = start + step; !view.terminated(); next += step) {
                long wait;
                while ((wait = next - System.nanoTime()) > 0 && !view.terminated()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                if (view.terminated()) {
                    return; // the last line came before termination: no line about a scheduler that is gone
                }
                TRACE.log(System.Logger.Level.INFO, traceLine(name, view, System.nanoTime() - start));
            }
        }, name + "-schedtrace", 0, false);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** One line in the spirit of GODEBUG=schedtrace. */
    static String traceLine(String name, StatsView view, long elapsedNanos) {
        StringBuilder b = new StringBuilder(64 + 4 * view.processors());
        b.append("SCHED ").append(name).append(' ').append(TimeUnit.NANOSECONDS.toMillis(elapsedNanos))
                .append("ms: parallelism=").append(view.processors())
                .append(" idle=").append(view.parkedProcessors())
                .append(" searching=").append(view.searchingWorkers())
                .append(" running=").append(view.runningProcessors())
                .append(" threads=").append(view.workerThreads())
                .append(" spares=").append(view.parkedSpares())
                .append(" handoffs=").append(view.handOffs())
                .append(" delayed=").append(view.delayedTasks())
                .append(" global=").append(view.globalDepth())
                .append(" [");
        for (int i = 0; i < view.processors(); i++) {
            b.append(i == 0 ? "" : " ").append(view.localDepth(i));
        }
        return b.append(']').toString();
    }

    // ---------------------------------------------------------------- the MXBean and the JFR source

    /** The MXBean: each attribute read from the engine's counters, racily. */
    private record Bean(WorkStealingScheduler s, StatsView view) implements WorkStealingSchedulerMXBean {
        @Override public String getName() { return s.name(); }
        @Override public int getParallelism() { return view.processors(); }
        @Override public int getWorkerThreads() { return view.workerThreads(); }
        @Override public int getPeakWorkerThreads() { return view.peakWorkerThreads(); }
        @Override public int getMaxWorkers() { return view.maxWorkers(); }
        @Override public int getRunningProcessors() { return view.runningProcessors(); }
        @Override public int getSearchingWorkers() { return view.searchingWorkers(); }
        @Override public int getParkedProcessors() { return view.parkedProcessors(); }
        @Override public int getWorkersWithoutProcessor() { return Math.max(0, view.workerThreads() - view.heldProcessors()); }
        @Override public int getLocalQueuedTasks() { return s.stats().localQueueDepth(); }
        @Override public int getGlobalQueuedTasks() { return view.globalDepth(); }
        @Override public long getTasksExecuted() { return s.stats().tasksExecuted(); }
        @Override public long getTasksStolen() { return s.stats().tasksStolen(); }
        @Override public long getStealOperations() { return s.stats().stealOperations(); }
        @Override public long getPreemptionRequests() { return view.preemptionRequests(); }
        @Override public long getHandOffs() { return view.handOffs(); }
        @Override public long getHandOffsDelayed() { return view.handOffsDelayed(); }
        @Override public long getHandOffsDeclined() { return view.handOffsDeclined(); }
        @Override public int getLiveVirtualThreads() { return view.liveVirtualThreads(); }
        @Override public int getMountedVirtualThreads() { return view.mountedVirtualThreads(); }
        @Override public int getQueuedVirtualThreads() { return view.queuedVirtualThreads(); }
        @Override public long getDelayedTasks() { return view.delayedTasks(); }
        @Override public long getBusyTimeMillis() { return TimeUnit.NANOSECONDS.toMillis(s.stats().busyNanos()); }
        @Override public long getSchedulingLatencySamples() { return s.stats().schedulingLatency().count(); }
        @Override public double getSchedulingLatencyP50Micros() { return micros(s.stats().schedulingLatency().valueAtQuantile(0.5)); }
        @Override public double getSchedulingLatencyP99Micros() { return micros(s.stats().schedulingLatency().valueAtQuantile(0.99)); }
        @Override public boolean isShutdown() { return s.isShutdown(); }
        @Override public boolean isTerminated() { return s.isTerminated(); }

        private static double micros(Duration d) {
            return d.toNanos() / 1_000.0;
        }
    }

    /** What the JFR sampler reads of one scheduler. */
    private record SamplerSource(String name, StatsView view) implements Sampler.Source {
        @Override public int processors() { return view.processors(); }
        @Override public long tasksExecuted(int p) { return view.counters(p).get(Event.EXECUTED); }
        @Override public long tasksStolen(int p) { return view.counters(p).get(Event.STOLEN); }
        @Override public long parks(int p) { return view.counters(p).get(Event.PARK); }
        @Override public int queueDepth(int p) { return view.localDepth(p); }
        @Override public long busyNanos(int p) { return view.busyNanos(p); }
    }
}
