package io.mnscheduler.bench.diag;

import io.mnscheduler.bench.SameJvm;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;

/**
 * Two or more builds of mn-scheduler in one JVM, each in a class loader of its own, and
 * {@code ForkJoinPool(2)}, taking turns at one workload in 1-second rounds: an A/B of builds that
 * machine drift and JIT differences between JVMs cannot bias. Each build is given as a
 * {@code benchmarks.jar} (which holds the library and the workloads); the workloads come from the
 * first. Prints each pool's median and range over the rounds after the first three and, when a
 * ForkJoinPool is among them, each build's per-round ratio to it (median and range).
 *
 * <pre>
 * java --add-opens java.base/java.lang=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *   io.mnscheduler.bench.diag.BuildsInOneJvm local 12 new=benchmarks/target/benchmarks.jar old=/tmp/old/benchmarks.jar fjp=fjp
 * </pre>
 *
 * Arguments: the workload ({@code chain}: a 1,000-task chain; {@code local}: 10,000 local spawns;
 * {@code remote}: 10,000 outside submissions; {@code fib}: fib(27) by future composition), the number
 * of rounds, and {@code label=jar} pairs ({@code label=fjp} for ForkJoinPool(2)). Every pool has 2
 * workers.
 */
public final class BuildsInOneJvm {
    private static final int WARM_UP_ROUNDS = 3;

    private BuildsInOneJvm() {
    }

    /** Runs the rounds; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("arguments: chain|local|remote|fib ROUNDS label=jar|label=fjp ...; got "
                    + Arrays.toString(args));
        }
        String workload = args[0];
        int rounds = Integer.parseInt(args[1]);
        if (rounds <= WARM_UP_ROUNDS) {
            throw new IllegalArgumentException("rounds = " + rounds + "; allowed: more than " + WARM_UP_ROUNDS);
        }
        List<String> names = new ArrayList<>();
        List<ExecutorService> pools = new ArrayList<>();
        Path firstJar = null;
        for (String spec : Arrays.asList(args).subList(2, args.length)) {
            String[] kv = spec.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException(spec + ": expected label=jar or label=fjp");
            }
            names.add(kv[0]);
            if (kv[1].equals("fjp")) {
                pools.add(new ForkJoinPool(2));
                continue;
            }
            Path jar = Path.of(kv[1]);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException(spec + ": no such jar");
            }
            firstJar = firstJar == null ? jar : firstJar;
            URLClassLoader loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Class<?> scheduler = loader.loadClass("io.mnscheduler.WorkStealingScheduler");
            Object builder = scheduler.getMethod("builder").invoke(null);
            builder.getClass().getMethod("parallelism", int.class).invoke(builder, 2);
            pools.add((ExecutorService) builder.getClass().getMethod("build").invoke(builder));
        }
        if (firstJar == null) {
            throw new IllegalArgumentException("at least one label=jar is needed: the workloads come from it");
        }
        ClassLoader workloadsLoader = new URLClassLoader(new URL[]{firstJar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
        Class<?> workloads = workloadsLoader.loadClass("io.mnscheduler.bench.Workloads");
        Method op = switch (workload) {
            case "chain" -> workloads.getMethod("chainedSpawn", Executor.class, int.class);
            case "local" -> workloads.getMethod("spawnManyLocal", Executor.class, int.class);
            case "remote" -> workloads.getMethod("spawnManyRemote", Executor.class, int.class);
            case "fib" -> workloads.getMethod("fib", Executor.class, int.class);
            default -> throw new IllegalArgumentException("workload = " + workload + "; allowed: chain, local, remote, fib");
        };
        int size = switch (workload) {
            case "chain" -> 1_000;
            case "fib" -> 27;
            default -> 10_000;
        };
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < pools.size(); i++) {
                    long start = System.nanoTime();
                    int ops = 0;
                    do {
                        op.invoke(null, pools.get(i), size);
                        ops++;
                    } while (System.nanoTime() - start < 1_000_000_000L);
                    if (round >= WARM_UP_ROUNDS) {
                        rates.computeIfAbsent(names.get(i), k -> new ArrayList<>()).add(ops / ((System.nanoTime() - start) / 1e9));
                    }
                }
            }
        } finally {
            pools.forEach(ExecutorService::shutdownNow);
        }
        List<Double> forkJoin = forkJoinRates(names, pools, rates);
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            List<Double> rate = e.getValue();
            String ratio = "";
            if (forkJoin != null && rate != forkJoin) {
                List<Double> perRound = new ArrayList<>();
                for (int r = 0; r < rate.size(); r++) {
                    perRound.add(rate.get(r) / forkJoin.get(r)); // the same round: the machine's drift cancels
                }
                ratio = String.format("; per-round ratio to ForkJoinPool: median %.3f [%.3f-%.3f]",
                        SameJvm.median(perRound), Collections.min(perRound), Collections.max(perRound));
            }
            System.out.printf("%s %s: median %.2f ops/s [%.2f-%.2f]%s%n", workload, e.getKey(), SameJvm.median(rate),
                    Collections.min(rate), Collections.max(rate), ratio);
        }
        System.exit(0);
    }

    /** The rates of the first ForkJoinPool given, or null when none was. */
    private static List<Double> forkJoinRates(List<String> names, List<ExecutorService> pools, Map<String, List<Double>> rates) {
        for (int i = 0; i < pools.size(); i++) {
            if (pools.get(i) instanceof ForkJoinPool) {
                return rates.get(names.get(i));
            }
        }
        return null;
    }

}
