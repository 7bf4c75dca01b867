package io.mnscheduler.bench;

import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.internal.carrier.VirtualThreadSupport;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.ExecutorsKt;

import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * The schedulers every benchmark runs against, by the name a JMH {@code @Param} gives them.
 * Each is opened with the same number of workers, so the figures compare schedulers and not pool
 * sizes.
 */
public enum Peer {
    /** mn-scheduler with its defaults. */
    MN("mn", "mn-scheduler"),
    /**
     * mn-scheduler timing one submission in 64 for its latency histogram
     * ({@code schedulingLatencySampling(64)}; the default is off): beside {@link #MN} in one run,
     * what the sampling costs a workload.
     */
    MN_SAMPLED("mn-sampled", "mn-scheduler, latency sampled 1 in 64"),
    /**
     * mn-scheduler running each task on a virtual thread of its own (a thread-per-task executor over
     * its virtual threads): a task that waits unmounts instead of holding a worker. Join benchmarks only.
     */
    MN_VIRTUAL("mn-vt", "mn-scheduler, a virtual thread per task"),
    /** {@code new ForkJoinPool(n)}: LIFO local queues. */
    FJP("fjp", "ForkJoinPool"),
    /** {@code ForkJoinPool} in asyncMode (FIFO local queues), as the JDK's virtual-thread scheduler uses it. */
    FJP_ASYNC("fjp-async", "ForkJoinPool async"),
    /** {@code Executors.newFixedThreadPool(n)}: one shared blocking queue. */
    FIXED("fixed", "fixed pool"),
    /** Kotlin's {@code CoroutineScheduler}, through {@code Dispatchers.Default.asExecutor()}. */
    KOTLIN("kotlin", "Kotlin Dispatchers.Default"),
    /** The JDK's default virtual-thread scheduler (virtual-thread benchmarks only). */
    JDK("jdk", "JDK virtual threads");

    /** The system property that sizes Kotlin's default dispatcher; read once, when it is first used. */
    static final String KOTLIN_POOL_SIZE = "kotlinx.coroutines.scheduler.core.pool.size";

    private final String param;
    private final String label;

    Peer(String param, String label) {
        this.param = param;
        this.label = label;
    }

    /** The name used in {@code @Param} values and in result files. */
    public String param() {
        return param;
    }

    /** The name shown in tables and charts. */
    public String label() {
        return label;
    }

    /** The peer a {@code @Param} value names. */
    public static Peer of(String param) {
        for (Peer p : values()) {
            if (p.param.equals(param)) {
                return p;
            }
        }
        throw new IllegalArgumentException("peer = " + param + "; allowed: "
                + Arrays.stream(values()).map(Peer::param).toList());
    }

    /** The worker count a {@code workers} parameter of 0 stands for: every available core. */
    public static int workers(int param) {
        if (param < 0) {
            throw new IllegalArgumentException("workers = " + param + "; allowed: 0 (all cores) or a positive count");
        }
        return param == 0 ? Runtime.getRuntime().availableProcessors() : param;
    }

    /**
     * Opens this peer with {@code workers} workers. For {@link #KOTLIN} and {@link #JDK} the pool is the
     * JVM's shared one, sized through its system property, so open them before anything else in the JVM
     * touches that pool (JMH forks a JVM per trial, which guarantees it).
     */
    public Pool open(int workers) {
        return switch (this) {
            case MN -> scheduler(WorkStealingScheduler.builder().parallelism(workers));
            case MN_SAMPLED -> scheduler(WorkStealingScheduler.builder().parallelism(workers).schedulingLatencySampling(64));
            case MN_VIRTUAL -> {
                WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(workers).build();
                // The per-task executor owns nothing but its threads, which are the scheduler's: closing
                // the scheduler closes everything.
                ExecutorService perTask = Executors.newThreadPerTaskExecutor(s.virtualThreadBuilder().factory());
                yield new Pool(this, perTask, s, s::virtualThreadBuilder);
            }
            case FJP -> forkJoin(new ForkJoinPool(workers));
            case FJP_ASYNC -> forkJoin(new ForkJoinPool(workers, ForkJoinPool.defaultForkJoinWorkerThreadFactory, null, true));
            case FIXED -> {
                ExecutorService e = Executors.newFixedThreadPool(workers);
                yield new Pool(this, e, e, () -> VirtualThreadSupport.newBuilder(e));
            }
            case KOTLIN -> {
                System.setProperty(KOTLIN_POOL_SIZE, Integer.toString(workers));
                Executor e = ExecutorsKt.asExecutor(Dispatchers.getDefault());
                yield new Pool(this, e, null, () -> VirtualThreadSupport.newBuilder(e));
            }
            case JDK -> {
                System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(workers));
                // Platform tasks for the JDK peer go to the pool the JDK's scheduler is: the common pool's
                // sibling is not reachable, so executor benchmarks do not list this peer.
                yield new Pool(this, null, null, Thread::ofVirtual);
            }
        };
    }

    /** mn-scheduler as built by {@code builder}, serving both as executor and as virtual-thread scheduler. */
    private Pool scheduler(WorkStealingScheduler.Builder builder) {
        WorkStealingScheduler s = builder.build();
        return new Pool(this, s, s, s::virtualThreadBuilder);
    }

    private Pool forkJoin(ForkJoinPool pool) {
        return new Pool(this, pool, pool, () -> VirtualThreadSupport.newBuilder(pool));
    }

    /**
     * An opened peer: the executor tasks go to, and how to start virtual threads on its workers.
     *
     * @param peer          which peer this is
     * @param executor      where tasks are submitted; null for {@link #JDK}
     * @param owned         what {@link #close()} shuts down; null for the JVM's shared pools
     * @param virtualThreads a builder whose threads are carried by this peer's workers (for peers other
     *                      than mn-scheduler and the JDK, through the same package-private JDK
     *                      constructor mn-scheduler uses, so every carrier pool gets the same hook)
     */
    public record Pool(Peer peer, Executor executor, ExecutorService owned,
                       java.util.function.Supplier<Thread.Builder.OfVirtual> virtualThreads) implements AutoCloseable {

        /** The executor; fails for the peer that has none. */
        public Executor executor() {
            if (executor == null) {
                throw new IllegalStateException(peer.param + " runs virtual threads only; it has no executor to submit to");
            }
            return executor;
        }

        /** A builder for virtual threads carried by this peer. */
        public Thread.Builder.OfVirtual virtualThreadBuilder() {
            return virtualThreads.get();
        }

        /** Shuts the pool down and waits for its workers, unless it is the JVM's shared pool. */
        @Override
        public void close() {
            if (owned != null) {
                owned.shutdownNow();
                try {
                    if (!owned.awaitTermination(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(peer.param + " did not terminate within 30 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
