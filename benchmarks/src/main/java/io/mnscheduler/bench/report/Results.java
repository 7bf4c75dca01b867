package io.mnscheduler.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads one run's results back: JMH's JSON files ({@code jmh-*.json}), the side results the
 * latency and idle benchmarks write ({@code side/*.json}), and the Go peer's {@code go-<workers>.json}.
 */
public final class Results {
    /** Benchmarks whose JMH score is not the figure: their figures come from side results. */
    private static final List<String> SIDE_ONLY = List.of("wakeup_latency", "idle_cost");

    private final List<Figure> figures = new ArrayList<>();
    private String jvm = "unknown JVM";
    private String go;

    /** Reads every result file under {@code dir}; {@code cores} resolves a {@code workers} parameter of 0. */
    public static Results read(Path dir, int cores) throws IOException {
        Results r = new Results();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("jmh-.*\\.json")).sorted().toList()) {
                r.readJmh(f, cores);
            }
        }
        Path side = dir.resolve("side");
        if (Files.isDirectory(side)) {
            try (Stream<Path> files = Files.list(side)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                    r.readSide(f);
                }
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("go-\\d+\\.json")).sorted().toList()) {
                r.readGo(f);
            }
        }
        return r;
    }

    /** Every figure read. */
    public List<Figure> figures() {
        return figures;
    }

    /** The JVM the JMH runs used, as JMH reports it. */
    public String jvm() {
        return jvm;
    }

    /** Go's version, or null when the Go peer did not run. */
    public String go() {
        return go;
    }

    private void readJmh(Path f, int cores) throws IOException {
        JsonArray runs = parse(f).getAsJsonArray();
        for (JsonElement e : runs) {
            JsonObject run = e.getAsJsonObject();
            jvm = run.get("vmName").getAsString() + " " + run.get("vmVersion").getAsString()
                    + " (JDK " + run.get("jdkVersion").getAsString() + ")";
            String full = run.get("benchmark").getAsString();
            String benchmark = full.substring(full.lastIndexOf('.') + 1);
            if (SIDE_ONLY.contains(benchmark)) {
                continue;
            }
            JsonObject params = run.getAsJsonObject("params");
            // wait_behind sizes its pools itself, by its own parameter
            int workers = Integer.parseInt(params.get(params.has("parallelism") ? "parallelism" : "workers").getAsString());
            JsonObject primary = run.getAsJsonObject("primaryMetric");
            double error = primary.get("scoreError").isJsonPrimitive() ? primary.get("scoreError").getAsDouble() : Double.NaN;
            String unit = primary.get("scoreUnit").getAsString();
            String metric = params.has("producers") ? params.get("producers").getAsString() + " producers" : "";
            figures.add(new Figure(benchmark, metric, params.get("peer").getAsString(), workers == 0 ? cores : workers,
                    primary.get("score").getAsDouble(), error, unit, unit.startsWith("ops/"), "", forkScores(primary)));
        }
    }

    /** Each fork's mean over its measurement iterations, from JMH's {@code rawData} (one array per fork). */
    static List<Double> forkScores(JsonObject primary) {
        List<Double> forks = new ArrayList<>();
        if (primary.has("rawData") && primary.get("rawData").isJsonArray()) {
            for (JsonElement fork : primary.getAsJsonArray("rawData")) {
                double sum = 0;
                int n = 0;
                for (JsonElement v : fork.getAsJsonArray()) {
                    sum += v.getAsDouble();
                    n++;
                }
                if (n > 0) {
                    forks.add(sum / n);
                }
            }
        }
        return forks;
    }

    private void readSide(Path f) throws IOException {
        String[] stem = f.getFileName().toString().replaceFirst("\\.json$", "").split("--");
        if (stem.length != 3) {
            throw new IOException(f + ": a side result is named <benchmark>--<peer>--<workers>.json");
        }
        JsonObject o = parse(f).getAsJsonObject();
        int workers = Integer.parseInt(stem[2]);
        switch (stem[0]) {
            case "wakeup_latency" -> {
                for (String p : List.of("p50", "p99", "p99.9")) {
                    figures.add(new Figure(stem[0], p, stem[1], workers, o.get(p).getAsDouble(), Double.NaN, "µs", false));
                }
            }
            case "timer_fire_lateness" -> {
                for (String p : List.of("p50", "p99", "max")) {
                    figures.add(new Figure(stem[0], p, stem[1], workers, o.get(p).getAsDouble(), Double.NaN, "µs", false));
                }
            }
            case "idle_cost" -> figures.add(new Figure(stem[0], "", stem[1], workers, o.get("mean").getAsDouble(),
                    Double.NaN, "% of a core", false));
            case "spawn_many_remote_busy" -> figures.add(new Figure(stem[0], "", stem[1], workers, 0, Double.NaN, "ops/s", true,
                    "starved: the outside tasks did not all run in " + o.get("waitedSeconds").getAsLong() + " s"));
            case "blocking_join", "completable_join", "wait_behind" -> {
                if (o.has("deadlockedSeconds")) {
                    figures.add(new Figure(stem[0], "", stem[1], workers, 0, Double.NaN, "ops/s", true,
                            "deadlocked: not finished in " + o.get("deadlockedSeconds").getAsLong() + " s"));
                }
                if (o.has("threads")) {
                    figures.add(new Figure(stem[0], "threads", stem[1], workers, o.get("threads").getAsDouble(), Double.NaN,
                            "threads", false));
                }
            }
            default -> throw new IOException(f + ": unknown side result " + stem[0]);
        }
    }

    private void readGo(Path f) throws IOException {
        JsonObject o = parse(f).getAsJsonObject();
        go = o.get("go").getAsString();
        int workers = o.get("workers").getAsInt();
        for (JsonElement e : o.getAsJsonArray("results")) {
            JsonObject r = e.getAsJsonObject();
            figures.add(new Figure(r.get("benchmark").getAsString(), "", "go", workers, r.get("score").getAsDouble(),
                    Double.NaN, r.get("unit").getAsString(), true));
        }
    }

    private static JsonElement parse(Path f) throws IOException {
        try {
            return JsonParser.parseString(Files.readString(f));
        } catch (RuntimeException e) {
            throw new IOException(f + " is not the JSON expected: " + e.getMessage(), e);
        }
    }
}
