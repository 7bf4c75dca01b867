package io.mnscheduler.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The suite's same-JVM mode: mn-scheduler and its peers are all opened in one JVM, as in a real
 * application (which always has the common pool, and often other executors), and take turns at
 * each workload in rounds of about one second, the order of the peers rotating each round. For each
 * peer it reports the median over the rounds (after {@value #WARM_UP_ROUNDS} warm-up rounds) and the
 * median and spread (lowest to highest) of mn-scheduler's per-round ratio to it, so a slow mode
 * shows as a spread. Generalises the diagnostic {@code AlternatingRounds} to the executor and
 * virtual-thread suites.
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *   -Dworkers=2 io.mnscheduler.bench.SameJvm 15 benchmarks/results/samejvm.md [workload ...]
 * </pre>
 *
 * Arguments: rounds (more than {@value #WARM_UP_ROUNDS}), the Markdown file to write, and optionally
 * the workloads to run (default: all). {@code -Dworkers=N} sizes every pool (default: one per core).
 * {@code -Dpeers=jdk,fjp} opens and runs only those peers beside mn-scheduler (default: all; the
 * names are the JMH {@code peer} values); a suite left with no peer is skipped. With
 * {@code -Dpeers=jdk} the JVM holds the JDK's scheduler and mn-scheduler only, as an application
 * with one custom scheduler does (the README's "Forked and same-JVM figures" compares the two).
 *
 * <p>After each workload's rounds, mn-scheduler runs it for one more, uncounted round under a JFR
 * recording of execution samples (so the sampling cannot weigh on the counted rounds of any
 * peer), and a second table gives, per workload, the share of the samples in
 * mn-scheduler's scheduling loop ({@code WorkerLoop.runSome}) that found it running in the
 * interpreter, overall and on the worker where it was highest. In a JVM that ran other workloads
 * first, a loop compiled only on stack once left one worker interpreting its loop for minutes (see
 * the comments of {@code WorkerLoop.runProcessor} and {@code runProcessorOnce}); a share above a few
 * percent says the figures of that workload come from such a slow mode. When a worker's share
 * reaches {@value #EVIDENCE_SHARE}%, a last section ("Where the loop ran interpreted") gives what
 * {@link LoopEvidence} reads from that worker's samples and from the JIT's events, recorded through
 * the whole run.
 */
public final class SameJvm {
    static final int WARM_UP_ROUNDS = 3;
    static final long ROUND_NANOS = 1_000_000_000L;
    static final Duration SAMPLE_PERIOD = Duration.ofMillis(10);
    static final String LOOP_CLASS = "io.mnscheduler.internal.WorkerLoop";
    /** A worker's interpreted share of the loop, in percent, from which the evidence section is written. */
    static final int EVIDENCE_SHARE = 20;

    /** One workload on an opened peer. */
    interface Op {
        void run(Peer.Pool pool) throws Exception;
    }

    /**
     * The pools this mode opens, in that order: the JDK's and Kotlin's shared pools read their size
     * once, when first used, so they come first.
     */
    private static final List<Peer> OPENED = List.of(Peer.JDK, Peer.KOTLIN, Peer.MN, Peer.FJP, Peer.FJP_ASYNC, Peer.FIXED);

    /** The executor workloads (peers: mn, fjp, fjp-async, fixed, kotlin), by their JMH names. */
    static final Map<String, Op> EXECUTOR = new LinkedHashMap<>();
    /** The virtual-thread workloads (peers: mn, jdk, fjp-async, fixed, kotlin), by their JMH names. */
    static final Map<String, Op> THREADS = new LinkedHashMap<>();

    static {
        EXECUTOR.put("spawn_many_local", p -> Workloads.spawnManyLocal(p.executor(), ExecutorBenchmarks.SPAWN_TASKS));
        EXECUTOR.put("spawn_many_remote_idle", p -> Workloads.spawnManyRemote(p.executor(), ExecutorBenchmarks.SPAWN_TASKS));
        EXECUTOR.put("chained_spawn", p -> Workloads.chainedSpawn(p.executor(), ExecutorBenchmarks.CHAIN_LENGTH));
        EXECUTOR.put("skynet_futures", p -> ExecutorBenchmarks.check(
                Workloads.skynetFutures(p.executor(), ExecutorBenchmarks.SKYNET_LEAVES, 10),
                Workloads.skynetExpected(ExecutorBenchmarks.SKYNET_LEAVES)));
        EXECUTOR.put("fork_join_fib", p -> ExecutorBenchmarks.check(Workloads.fib(p.executor(), ExecutorBenchmarks.FIB_N),
                Workloads.fibExpected(ExecutorBenchmarks.FIB_N)));
        THREADS.put("yield_many", p -> Workloads.yieldMany(p.virtualThreadBuilder(), VirtualThreadBenchmarks.YIELD_THREADS,
                VirtualThreadBenchmarks.YIELDS));
        THREADS.put("ping_pong", p -> Workloads.pingPong(p.virtualThreadBuilder(), VirtualThreadBenchmarks.PING_PONG_ROUNDS));
        THREADS.put("virtual_spawn_join", p -> Workloads.spawnJoin(p.virtualThreadBuilder(), VirtualThreadBenchmarks.SPAWN_JOIN_THREADS));
        THREADS.put("sleep_many", p -> Workloads.sleepMany(p.virtualThreadBuilder(), VirtualThreadBenchmarks.SLEEPERS,
                VirtualThreadBenchmarks.SLEEP_MILLIS));
    }

    private SameJvm() {
    }

    /** Runs the rounds; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("arguments: ROUNDS OUTPUT.md [workload ...]; workloads: "
                    + EXECUTOR.keySet() + " " + THREADS.keySet());
        }
        int rounds = Integer.parseInt(args[0]);
        if (rounds <= WARM_UP_ROUNDS) {
            throw new IllegalArgumentException("rounds = " + rounds + "; allowed: more than " + WARM_UP_ROUNDS);
        }
        List<String> only = List.of(args).subList(2, args.length);
        for (String w : only) {
            if (!EXECUTOR.containsKey(w) && !THREADS.containsKey(w)) {
                throw new IllegalArgumentException("workload " + w + "; allowed: " + EXECUTOR.keySet() + " " + THREADS.keySet());
            }
        }
        int workers = Peer.workers(Integer.getInteger("workers", 0));
        Set<Peer> chosen = chosenPeers(System.getProperty("peers"));
        Map<Peer, Peer.Pool> pools = new LinkedHashMap<>();
        for (Peer p : OPENED) {
            if (chosen.contains(p)) {
                pools.put(p, p.open(workers));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Same-JVM mode: every peer in one JVM, alternating rounds\n\n")
                .append(String.format(Locale.ROOT, "%d workers, %d rounds of about 1 s per peer and workload (the first %d"
                        + " discarded), peers rotating each round; %s, %d cores; pools open in this JVM: %s.%n%n", workers,
                        rounds, WARM_UP_ROUNDS, ManagementFactory.getRuntimeMXBean().getVmVersion(),
                        Runtime.getRuntime().availableProcessors(), pools.keySet().stream().map(Peer::label).toList()))
                .append("Each cell: the peer's median ops/s over the rounds, then mn-scheduler's per-round ratio to it: median"
                        + " [lowest–highest]. Above 1.00× mn-scheduler is faster.\n\n")
                .append("| workload | mn-scheduler | peer | peer ops/s | mn / peer: median [range] |\n|---|---:|---|---:|---|\n");
        StringBuilder loop = new StringBuilder("\nmn-scheduler's scheduling loop in the interpreter: of the JFR execution"
                + " samples (every " + SAMPLE_PERIOD.toMillis() + " ms) that found `WorkerLoop.runSome` on a worker's"
                + " stack in one more round of mn-scheduler alone after the workload's counted rounds, the share"
                + " where it ran interpreted, overall and on the worker where it was highest.\n\n"
                + "| workload | samples | interpreted | worst worker |\n|---|---:|---:|---:|\n");
        StringBuilder evidence = new StringBuilder();
        try (Recording jit = LoopEvidence.startCompilerEvents()) {
            Loop check = new Loop(loop, jit, evidence);
            run(EXECUTOR, among(chosen, Peer.MN, Peer.FJP, Peer.FJP_ASYNC, Peer.FIXED, Peer.KOTLIN), only, pools, rounds, md, check);
            run(THREADS, among(chosen, Peer.MN, Peer.JDK, Peer.FJP_ASYNC, Peer.FIXED, Peer.KOTLIN), only, pools, rounds, md, check);
        } finally {
            pools.values().forEach(Peer.Pool::close);
        }
        md.append(loop);
        if (!evidence.isEmpty()) {
            md.append("\n## Where the loop ran interpreted\n").append(evidence);
        }
        Path out = Path.of(args[1]);
        Files.writeString(out, md.toString());
        System.out.println(md);
        System.out.println("Wrote " + out.toAbsolutePath());
        System.exit(0); // Kotlin's and the JDK's shared pools hold non-daemon state
    }

    /** mn-scheduler and the peers named in {@code -Dpeers} (comma-separated JMH names), or every peer of this mode when it is unset. */
    static Set<Peer> chosenPeers(String names) {
        if (names == null) {
            return EnumSet.copyOf(OPENED);
        }
        Set<Peer> chosen = EnumSet.of(Peer.MN);
        for (String name : names.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            Peer p = Peer.of(name.trim()); // throws for an unknown name
            if (!OPENED.contains(p)) {
                throw new IllegalArgumentException("peers: " + name.trim() + " does not run in the same-JVM mode; allowed: "
                        + OPENED.stream().filter(o -> o != Peer.MN).map(Peer::param).toList());
            }
            chosen.add(p);
        }
        return chosen;
    }

    /** The peers of a suite that were chosen, mn-scheduler first. */
    private static List<Peer> among(Set<Peer> chosen, Peer... suite) {
        return Arrays.stream(suite).filter(chosen::contains).toList();
    }

    /** The interpreted-loop table, the compiler events running all along, and the evidence written so far. */
    private record Loop(StringBuilder table, Recording jit, StringBuilder evidence) {
    }

    private static void run(Map<String, Op> suite, List<Peer> peers, List<String> only, Map<Peer, Peer.Pool> pools,
                            int rounds, StringBuilder md, Loop check) throws Exception {
        if (peers.size() < 2) {
            return; // no peer of this suite was chosen: nothing to compare with
        }
        for (Map.Entry<String, Op> e : suite.entrySet()) {
            if (!only.isEmpty() && !only.contains(e.getKey())) {
                continue;
            }
            Map<Peer, List<Double>> rates = new LinkedHashMap<>();
            peers.forEach(p -> rates.put(p, new ArrayList<>()));
            Instant began = Instant.now();
            rounds(e, peers, pools, rounds, rates);
            // After the counted rounds, so the sampling does not weigh on them: one more round of
            // mn-scheduler alone, sampled. The slow mode it looks for lasts tens of seconds.
            Recording recording = new Recording();
            recording.enable("jdk.ExecutionSample").withPeriod(SAMPLE_PERIOD);
            recording.start();
            try {
                opsPerSecond(e.getValue(), pools.get(Peer.MN));
            } finally {
                recording.stop();
            }
            check.table.append(interpretedShare(e.getKey(), recording, check.jit, check.evidence, began));
            List<Double> mn = rates.get(Peer.MN);
            for (Peer p : peers.subList(1, peers.size())) {
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < mn.size(); r++) {
                    ratios.add(mn.get(r) / rates.get(p).get(r));
                }
                md.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %.1f | %.2f× [%.2f–%.2f] |%n", e.getKey(), median(mn),
                        p.label(), median(rates.get(p)), median(ratios), Collections.min(ratios), Collections.max(ratios)));
            }
        }
    }

    private static void rounds(Map.Entry<String, Op> e, List<Peer> peers, Map<Peer, Peer.Pool> pools, int rounds,
                               Map<Peer, List<Double>> rates) throws Exception {
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < peers.size(); i++) {
                Peer p = peers.get((i + round) % peers.size()); // rotate, so no peer always follows the same one
                double rate = opsPerSecond(e.getValue(), pools.get(p));
                if (round >= WARM_UP_ROUNDS) {
                    rates.get(p).add(rate);
                }
            }
            System.out.printf(Locale.ROOT, "%s round %d done%n", e.getKey(), round);
        }
    }

    /**
     * A row of the interpreted-loop table: of the recording's samples with {@code WorkerLoop.runSome}
     * on the stack, the share where that frame was interpreted, overall and per worker thread.
     */
    static String interpretedShare(String workload, Recording recording) throws IOException {
        return interpretedShare(workload, recording, null, null, null);
    }

    /**
     * As {@link #interpretedShare(String, Recording)}; when the worst worker ran the loop interpreted
     * in at least {@value #EVIDENCE_SHARE}% of its samples and {@code jit} is not null, also appends
     * to {@code evidence} what {@link LoopEvidence} finds in those samples and in {@code jit}'s
     * compiler events since {@code since} (the start of the workload's rounds).
     */
    static String interpretedShare(String workload, Recording recording, Recording jit, StringBuilder evidence,
                                   Instant since) throws IOException {
        Path file = Files.createTempFile("samejvm-", ".jfr");
        try {
            recording.dump(file);
            Map<String, int[]> perThread = new LinkedHashMap<>(); // thread name -> {samples, interpreted}
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                RecordedFrame loopFrame = loopFrame(event);
                if (loopFrame != null) {
                    int[] c = perThread.computeIfAbsent(event.getThread("sampledThread").getJavaName(), k -> new int[2]);
                    c[0]++;
                    c[1] += loopFrame.getType().equals("Interpreted") ? 1 : 0;
                }
            }
            int samples = 0;
            int interpreted = 0;
            double worst = 0;
            String worstThread = null;
            for (Map.Entry<String, int[]> e : perThread.entrySet()) {
                int[] c = e.getValue();
                samples += c[0];
                interpreted += c[1];
                double share = 100.0 * c[1] / c[0];
                if (worstThread == null || share > worst) {
                    worst = share;
                    worstThread = e.getKey();
                }
            }
            if (jit != null && evidence != null && worst >= EVIDENCE_SHARE) {
                evidence.append(LoopEvidence.describe(workload, file, worstThread, jit, since));
            }
            return String.format(Locale.ROOT, "| %s | %d | %.1f%% | %.1f%% |%n", workload, samples,
                    samples == 0 ? 0.0 : 100.0 * interpreted / samples, worst);
        } finally {
            recording.close();
            Files.deleteIfExists(file);
        }
    }

    /**
     * The frame of {@code WorkerLoop.runSome} in an execution sample of a worker, or null (also for
     * any other event: a dump holds the events of every recording running at the time).
     */
    static RecordedFrame loopFrame(RecordedEvent event) {
        if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null
                || event.getThread("sampledThread") == null) {
            return null;
        }
        for (RecordedFrame f : event.getStackTrace().getFrames()) {
            if (isLoop(f)) {
                return f;
            }
        }
        return null;
    }

    /** Whether a frame is one of {@code WorkerLoop.runSome}. */
    static boolean isLoop(RecordedFrame f) {
        return f.getMethod().getName().equals("runSome") && f.getMethod().getType().getName().equals(LOOP_CLASS);
    }

    private static double opsPerSecond(Op op, Peer.Pool pool) throws Exception {
        long start = System.nanoTime();
        int ops = 0;
        do {
            op.run(pool);
            ops++;
        } while (System.nanoTime() - start < ROUND_NANOS);
        return ops / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * The median of {@code values} (the mean of the two middle ones for an even count); also used by
     * the diagnostics in {@code io.mnscheduler.bench.diag}.
     *
     * @param values at least one value, in any order; not changed
     * @return their median
     */
    public static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
