package io.mnscheduler.bench.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Turns one run's results into {@code results.md} (every benchmark, every peer, with mn-scheduler's
 * advantage over each) and PNG charts drawn with XChart: each peer as a ratio to ForkJoinPool for the
 * executor benchmarks, to the JDK's own (ForkJoinPool-based) scheduler for the virtual-thread ones,
 * plus the wake-up latency percentiles.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.mnscheduler.bench.report.Report <results-dir> [title]}.
 */
public final class Report {
    /** Peers in column order, with their labels. */
    static final Map<String, String> PEERS = new LinkedHashMap<>();

    static {
        PEERS.put("mn", "mn-scheduler");
        PEERS.put("mn-sampled", "mn-scheduler, latency sampled 1 in 64");
        PEERS.put("mn-vt", "mn-scheduler, virtual thread per task");
        PEERS.put("fjp", "ForkJoinPool");
        PEERS.put("fjp-async", "ForkJoinPool async");
        PEERS.put("fixed", "fixed pool");
        PEERS.put("kotlin", "Kotlin");
        PEERS.put("jdk", "JDK VT scheduler");
        PEERS.put("stpe", "ScheduledThreadPoolExecutor");
        PEERS.put("go", "Go");
    }

    /** Benchmarks in the order the table lists them. */
    static final List<String> EXECUTOR_BENCHMARKS = List.of("spawn_many_local", "spawn_many_remote_idle",
            "spawn_many_remote", "spawn_many_remote_busy", "chained_spawn", "skynet_futures", "fork_join_fib", "blocking_tolerance");
    static final List<String> THREAD_BENCHMARKS = List.of("yield_many", "ping_pong", "ping_pong_rendezvous", "skynet_threads",
            "virtual_spawn_join", "sleep_many");
    static final List<String> ORDER = List.of("spawn_many_local", "spawn_many_remote_idle", "spawn_many_remote",
            "spawn_many_remote_busy", "chained_spawn", "yield_many", "ping_pong", "ping_pong_rendezvous", "skynet_threads",
            "virtual_spawn_join", "sleep_many", "skynet_futures", "fork_join_fib",
            "wakeup_latency", "idle_cost", "blocking_tolerance", "blocking_join", "completable_join", "wait_behind",
            "timer_churn", "timer_fire", "timer_fire_lateness", "timer_from_tasks");

    /** The idle-cost target: at most this percentage of one core. */
    static final double IDLE_TARGET_PERCENT = 1.0;

    private final List<Figure> figures;

    Report(List<Figure> figures) {
        this.figures = figures;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Report <results-dir> [title]");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        Path dir = Path.of(args[0]);
        int cores = Runtime.getRuntime().availableProcessors();
        Results results = Results.read(dir, cores);
        if (results.figures().isEmpty()) {
            throw new IOException("no results under " + dir.toAbsolutePath() + " (expected jmh-*.json)");
        }
        Report report = new Report(results.figures());
        List<String> charts = report.drawCharts(dir);
        String md = report.markdown(args.length > 1 ? args[1] : "mn-scheduler benchmarks",
                Machine.describe(cores, results.jvm(), results.go()), charts);
        Files.writeString(dir.resolve("results.md"), md);
        System.out.println("Wrote " + dir.resolve("results.md") + " and " + charts.size() + " charts");
    }

    /** The rows present, in table order. */
    List<Figure.Row> rows() {
        TreeSet<Figure.Row> rows = new TreeSet<>((a, b) -> {
            int c = Integer.compare(rank(a.benchmark()), rank(b.benchmark()));
            c = c != 0 ? c : a.benchmark().compareTo(b.benchmark());
            c = c != 0 ? c : a.metric().compareTo(b.metric());
            return c != 0 ? c : Integer.compare(a.workers(), b.workers());
        });
        figures.forEach(f -> rows.add(f.row()));
        return List.copyOf(rows);
    }

    private static int rank(String benchmark) {
        int i = ORDER.indexOf(benchmark);
        return i < 0 ? ORDER.size() : i;
    }

    /** The figure of {@code peer} in {@code row}, if it ran. */
    Optional<Figure> find(Figure.Row row, String peer) {
        return figures.stream().filter(f -> f.row().equals(row) && f.peer().equals(peer)).findFirst();
    }

    /** The whole Markdown report. */
    String markdown(String title, String machine, List<String> charts) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n").append(machine).append("\n\n");
        md.append(table());
        md.append("\n").append(targets());
        if (!charts.isEmpty()) {
            md.append("\n## Charts\n\n");
            for (String c : charts) {
                md.append("![").append(c.replace(".png", "")).append("](").append(c).append(")\n\n");
            }
        }
        return md.toString();
    }

    /** The table: one row per benchmark metric, one column per peer. */
    String table() {
        List<String> peers = PEERS.keySet().stream().filter(p -> figures.stream().anyMatch(f -> f.peer().equals(p))).toList();
        StringBuilder md = new StringBuilder();
        md.append("Each cell is the peer's figure and, in brackets, mn-scheduler's advantage over it: above 1.00× ")
                .append("mn-scheduler is better (higher throughput, or lower latency and cost), below it is worse. ")
                .append("± is JMH's 99.9% confidence half-width; a blank cell means the peer does not run that benchmark.\n\n");
        md.append("| benchmark | workers | unit |");
        peers.forEach(p -> md.append(' ').append(PEERS.get(p)).append(" |"));
        md.append("\n|---|---:|---|");
        peers.forEach(p -> md.append("---:|"));
        md.append('\n');
        for (Figure.Row row : rows()) {
            md.append("| ").append(row.title()).append(" | ").append(row.workers()).append(" | ").append(row.unit())
                    .append(row.higherIsBetter() ? " ↑" : " ↓").append(" |");
            Optional<Figure> mn = find(row, "mn");
            for (String p : peers) {
                Optional<Figure> f = find(row, p);
                md.append(' ');
                if (f.isPresent() && !f.get().note().isEmpty()) {
                    md.append(f.get().note());
                } else if (f.isPresent()) {
                    md.append(number(f.get().score()));
                    if (!Double.isNaN(f.get().error())) {
                        md.append(" ± ").append(number(f.get().error()));
                    }
                    if (f.get().forks().size() > 1) { // the spread of the forks: a slow mode shows here
                        md.append(" [forks ").append(number(f.get().worstFork())).append("–")
                                .append(number(f.get().bestFork())).append(']');
                    }
                    if (!p.equals("mn") && mn.isPresent()) {
                        md.append(" (").append(ratio(mn.get().advantageOver(f.get()))).append(')');
                    }
                }
                md.append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The targets, each checked against the figures: met or missed, by how much. */
    String targets() {
        StringBuilder md = new StringBuilder("## Targets\n\nWith several forks, mn-scheduler's figure is the worse of its mean and its"
                + " worst fork, so a slow mode that one fork falls into is a miss.\n\n| target | benchmark | workers | mn-scheduler vs peer | met |\n|---|---|---:|---:|---|\n");
        for (Figure.Row row : rows()) {
            if (EXECUTOR_BENCHMARKS.contains(row.benchmark())) {
                best(row, "fjp", "fjp-async").ifPresent(fjp -> target(md, "≥ 1.0× ForkJoinPool throughput (its better mode)", row, fjp));
                if (row.benchmark().equals("spawn_many_remote") && row.metric().equals("16 producers")) {
                    producerScaling(md, row);
                }
            } else if (THREAD_BENCHMARKS.contains(row.benchmark())) {
                find(row, "jdk").ifPresent(jdk -> target(md, "≥ 1.0× the JDK's virtual-thread scheduler", row, jdk));
            } else if (row.benchmark().equals("wakeup_latency") && row.metric().equals("p99")) {
                best(row, "fjp", "fjp-async").ifPresent(fjp -> target(md, "p99 wake-up ≤ ForkJoinPool's (its better mode)", row, fjp));
            } else if (row.benchmark().equals("blocking_join") && row.metric().isEmpty()) {
                best(row, "fjp", "fjp-async").ifPresent(fjp -> target(md, "time within 2× ForkJoinPool's (its better mode)", row, fjp, 0.5));
            } else if (row.benchmark().equals("blocking_join") && row.metric().equals("threads")) {
                int allowed = 2 * row.workers() + 4;
                find(row, "mn").ifPresent(mn -> md.append("| at most 2 × workers + 4 = ").append(allowed).append(" threads | blocking_join | ")
                        .append(row.workers()).append(" | ").append(number(mn.score())).append(" threads | ")
                        .append(mn.score() <= allowed ? "yes" : "**no**").append(" |\n"));
            } else if (row.benchmark().equals("completable_join") && row.metric().isEmpty()) {
                best(row, "fjp", "fjp-async").ifPresent(fjp -> target(md, "time within 5× ForkJoinPool's (its better mode)", row, fjp, 0.2));
            } else if (row.benchmark().equals("idle_cost")) {
                find(row, "mn").ifPresent(mn -> md.append("| idle cost ≤ ").append(IDLE_TARGET_PERCENT).append("% of a core | idle_cost | ")
                        .append(row.workers()).append(" | ").append(number(mn.score())).append("% | ")
                        .append(mn.score() <= IDLE_TARGET_PERCENT ? "yes" : "**no**").append(" |\n"));
            }
        }
        return md.toString();
    }

    private void target(StringBuilder md, String what, Figure.Row row, Figure peer) {
        target(md, what, row, peer, 1.0);
    }

    /** mn-scheduler's time per task with 16 outside producers, against its own with 1: at most 1.5 times. */
    private void producerScaling(StringBuilder md, Figure.Row sixteen) {
        Figure.Row one = new Figure.Row(sixteen.benchmark(), "1 producers", sixteen.workers(), sixteen.unit(), sixteen.higherIsBetter());
        find(sixteen, "mn").ifPresent(at16 -> find(one, "mn").ifPresent(at1 -> {
            double slower = at1.score() / at16.score(); // both are operations of the same task count per second
            md.append("| time per task at 16 producers ≤ 1.5× at 1 | spawn_many_remote | ").append(sixteen.workers())
                    .append(" | ").append(ratio(slower)).append(" | ").append(slower <= 1.5 ? "yes" : "**no**").append(" |\n");
        }));
    }

    /** A target met when mn-scheduler's advantage over {@code peer} is at least {@code atLeast}. */
    private void target(StringBuilder md, String what, Figure.Row row, Figure peer, double atLeast) {
        find(row, "mn").ifPresent(mn -> {
            // With several forks, the worst fork of mn-scheduler must meet the target too: a slow mode
            // that one fork in five falls into is a miss, not noise.
            Figure worst = new Figure(mn.benchmark(), mn.metric(), mn.peer(), mn.workers(), mn.worstFork(), Double.NaN,
                    mn.unit(), mn.higherIsBetter());
            double a = Math.min(mn.advantageOver(peer), worst.advantageOver(peer));
            md.append("| ").append(what).append(" | ").append(row.title()).append(" | ").append(row.workers()).append(" | ")
                    .append(ratio(a)).append(" vs ").append(PEERS.get(peer.peer())).append(" | ")
                    .append(a >= atLeast ? "yes" : "**no**").append(" |\n");
        });
    }

    /** Of the named peers' figures in {@code row}, the best one. */
    Optional<Figure> best(Figure.Row row, String... peers) {
        Figure best = null;
        for (String p : peers) {
            Figure f = find(row, p).orElse(null);
            if (f != null && (best == null || f.advantageOver(best) > 1.0)) {
                best = f;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Draws the charts into {@code dir}; returns their file names. */
    List<String> drawCharts(Path dir) throws IOException {
        List<String> written = new ArrayList<>();
        TreeSet<Integer> workerCounts = new TreeSet<>();
        figures.forEach(f -> workerCounts.add(f.workers()));
        for (int w : workerCounts) {
            List<String> executorRows = new ArrayList<>(EXECUTOR_BENCHMARKS);
            executorRows.add("wakeup_latency p99");
            chartVs(dir, w, "executors-vs-forkjoinpool", "Executors, " + w + " workers: performance relative to ForkJoinPool (higher is better)",
                    executorRows, "fjp", List.of("mn", "fjp", "fjp-async", "fixed", "kotlin")).ifPresent(written::add);
            chartVs(dir, w, "virtual-threads-vs-jdk", "Virtual threads, " + w + " workers: relative to the JDK's ForkJoinPool scheduler (higher is better)",
                    THREAD_BENCHMARKS, "jdk", List.of("mn", "jdk", "fjp-async", "fixed", "kotlin", "go")).ifPresent(written::add);
            latencyChart(dir, w).ifPresent(written::add);
        }
        return written;
    }

    /**
     * A bar chart of {@code rowTitles} (categories) by peer, each bar the peer's advantage over
     * {@code base}; rows where the base is missing or starved (no ratio to it exists) are left out,
     * and so are peers missing a row; the table has them all.
     */
    private Optional<String> chartVs(Path dir, int workers, String name, String title, List<String> rowTitles,
                                     String base, List<String> peers) throws IOException {
        List<Figure.Row> rows = rows().stream()
                .filter(r -> r.workers() == workers && rowTitles.contains(r.title())
                        && find(r, base).filter(f -> f.score() > 0).isPresent()).toList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        CategoryChart chart = new CategoryChartBuilder().width(1400).height(650).title(title)
                .xAxisTitle("benchmark").yAxisTitle("× " + PEERS.get(base)).build();
        style(chart);
        List<String> categories = rows.stream().map(Figure.Row::title).toList();
        for (String p : peers) {
            List<Double> ys = new ArrayList<>();
            for (Figure.Row r : rows) {
                Optional<Figure> f = find(r, p);
                if (f.isEmpty()) {
                    break;
                }
                ys.add(f.get().advantageOver(find(r, base).orElseThrow()));
            }
            if (ys.size() == rows.size()) {
                chart.addSeries(PEERS.get(p), categories, ys);
            }
        }
        String file = name + "-" + workers + "w.png";
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return Optional.of(file);
    }

    private Optional<String> latencyChart(Path dir, int workers) throws IOException {
        List<Figure.Row> rows = rows().stream().filter(r -> r.workers() == workers && r.benchmark().equals("wakeup_latency")).toList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(600)
                .title("Wake-up latency, submit to start on an idle pool, " + workers + " workers (lower is better)")
                .xAxisTitle("percentile").yAxisTitle("µs").build();
        style(chart);
        List<String> categories = rows.stream().map(Figure.Row::metric).toList();
        for (String p : PEERS.keySet()) {
            List<Double> ys = rows.stream().map(r -> find(r, p).map(Figure::score).orElse(null)).toList();
            if (!ys.contains(null)) {
                chart.addSeries(PEERS.get(p), categories, ys);
            }
        }
        String file = "wakeup-latency-" + workers + "w.png";
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return Optional.of(file);
    }

    private static void style(CategoryChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setLabelsVisible(false);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    }

    static String number(double v) {
        double a = Math.abs(v);
        String pattern = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, pattern, v);
    }

    static String ratio(double v) {
        if (Double.isInfinite(v)) {
            return "∞×";
        }
        return String.format(Locale.ROOT, "%.2f×", v);
    }
}
