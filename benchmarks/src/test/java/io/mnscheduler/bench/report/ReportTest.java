package io.mnscheduler.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report over a fixture run (src/test/resources/results): what it reads, computes, writes and draws. */
class ReportTest {

    private static Path fixture() throws URISyntaxException {
        return Path.of(Objects.requireNonNull(ReportTest.class.getResource("/results/jmh-throughput.json")).toURI()).getParent();
    }

    @Test
    void readsJmhSideAndGoResultsAndResolvesAllCores() throws Exception {
        Results r = Results.read(fixture(), 2);
        List<Figure> f = r.figures();
        // 6 JMH figures (the wake-up JMH score is left to its HdrHistogram), 2 x 3 wake-up percentiles,
        // 2 x 3 timer lateness figures, 1 idle, 1 starved, 1 Go
        assertEquals(6 + 6 + 6 + 1 + 1 + 1, f.size(), f.toString());
        assertTrue(f.stream().filter(x -> !x.peer().equals("go")).allMatch(x -> x.workers() == 2), "workers = 0 means all 2 cores");
        assertTrue(f.stream().noneMatch(x -> x.benchmark().equals("wakeup_latency") && x.metric().isEmpty()));
        assertEquals("go1.19.8", r.go());
        assertTrue(r.jvm().contains("25.0.3"), r.jvm());
        Figure nan = f.stream().filter(x -> x.peer().equals("fjp-async")).findFirst().orElseThrow();
        assertTrue(Double.isNaN(nan.error()), "JMH writes a missing error as \"NaN\"");
    }

    @Test
    void ratiosPointTheWayOfBetter() {
        Figure fastMn = new Figure("x", "", "mn", 2, 200, Double.NaN, "ops/s", true);
        Figure slowFjp = new Figure("x", "", "fjp", 2, 100, Double.NaN, "ops/s", true);
        assertEquals(2.0, fastMn.advantageOver(slowFjp), 1e-9);
        Figure lowLatencyMn = new Figure("w", "p99", "mn", 2, 50, Double.NaN, "µs", false);
        Figure highLatencyFjp = new Figure("w", "p99", "fjp", 2, 100, Double.NaN, "µs", false);
        assertEquals(2.0, lowLatencyMn.advantageOver(highLatencyFjp), 1e-9);
        assertEquals(0.5, highLatencyFjp.advantageOver(lowLatencyMn), 1e-9);
    }

    @Test
    void theTableGivesEveryFigureWithMnSchedulersAdvantage() throws Exception {
        Report report = new Report(Results.read(fixture(), 2).figures());
        String table = report.table();
        // spawn_many_local: mn 2000 vs fjp 1000 (2.00x) and fjp-async 2500 (0.80x)
        assertTrue(table.contains("| spawn_many_local | 2 | ops/s ↑ | 2000 ± 100 | 1000 ± 50.0 (2.00×) | 2500 (0.80×) |"), table);
        assertTrue(table.contains("starved: the outside tasks did not all run in 10 s"), table);
        assertTrue(table.contains("| wakeup_latency p99 | 2 | µs ↓ | 80.0 | 100 (1.25×) |"), table);
        // the timer lateness side result: lower is better, against ScheduledThreadPoolExecutor's column
        assertTrue(table.contains("| timer_fire_lateness p50 | 2 | µs ↓ | 88.0 |"), table);
        assertTrue(table.contains("22000 (250.00×)"), table);
        assertTrue(table.contains("900 (0.33×)"), "Go's ping_pong against mn's 300: " + table);
        List<String> order = report.rows().stream().map(Figure.Row::title).toList();
        assertTrue(order.indexOf("spawn_many_local") < order.indexOf("ping_pong")
                && order.indexOf("ping_pong") < order.indexOf("wakeup_latency p50")
                && order.indexOf("wakeup_latency p50") < order.indexOf("idle_cost"), order.toString());
    }

    @Test
    void targetsAreCheckedAgainstTheBetterForkJoinPoolMode() throws Exception {
        String targets = new Report(Results.read(fixture(), 2).figures()).targets();
        // mn 2000 against the better FJP mode, async at 2500: missed
        assertTrue(targets.contains("| spawn_many_local | 2 | 0.80× vs ForkJoinPool async | **no** |"), targets);
        // FJP starved: any throughput beats it
        assertTrue(targets.contains("| spawn_many_remote_busy | 2 | ∞× vs ForkJoinPool | yes |"), targets);
        assertTrue(targets.contains("| ping_pong | 2 | 0.50× vs JDK VT scheduler | **no** |"), targets);
        assertTrue(targets.contains("| wakeup_latency p99 | 2 | 1.25× vs ForkJoinPool | yes |"), targets);
        assertTrue(targets.contains("| idle_cost | 2 | 0.400% | yes |"), targets);
    }

    @Test
    void forksAreShownAndTheWorstForkMustMeetTheTarget() {
        // mn's mean beats FJP's, but one fork in three fell into a slow mode
        Figure mn = new Figure("chained_spawn", "", "mn", 2, 1100, 50, "ops/s", true, "", List.of(1400.0, 1400.0, 500.0));
        Figure fjp = new Figure("chained_spawn", "", "fjp", 2, 1000, 20, "ops/s", true, "", List.of(990.0, 1010.0, 1000.0));
        assertEquals(500.0, mn.worstFork(), 1e-9);
        assertEquals(1400.0, mn.bestFork(), 1e-9);
        Report report = new Report(List.of(mn, fjp));
        assertTrue(report.table().contains("1100 ± 50.0 [forks 500–1400]"), report.table());
        assertTrue(report.targets().contains("| chained_spawn | 2 | 0.50× vs ForkJoinPool | **no** |"), report.targets());
        Figure latency = new Figure("w", "p99", "mn", 2, 60, Double.NaN, "µs", false, "", List.of(50.0, 70.0));
        assertEquals(70.0, latency.worstFork(), 1e-9, "for a latency the worst fork is the highest");
    }

    @Test
    void joinAndProducerTargetsAreChecked() {
        Figure mnJoin = new Figure("blocking_join", "", "mn", 2, 45, Double.NaN, "ops/s", true);
        Figure fjpJoin = new Figure("blocking_join", "", "fjp", 2, 100, Double.NaN, "ops/s", true);
        Figure mnThreads = new Figure("blocking_join", "threads", "mn", 2, 12, Double.NaN, "threads", false);
        Figure mn1 = new Figure("spawn_many_remote", "1 producers", "mn", 2, 100, Double.NaN, "ops/s", true);
        Figure mn16 = new Figure("spawn_many_remote", "16 producers", "mn", 2, 80, Double.NaN, "ops/s", true);
        Figure fjp16 = new Figure("spawn_many_remote", "16 producers", "fjp", 2, 70, Double.NaN, "ops/s", true);
        String targets = new Report(List.of(mnJoin, fjpJoin, mnThreads, mn1, mn16, fjp16)).targets();
        assertTrue(targets.contains("| time within 2× ForkJoinPool's (its better mode) | blocking_join | 2 | 0.45× vs ForkJoinPool | **no** |"), targets);
        assertTrue(targets.contains("| at most 2 × workers + 4 = 8 threads | blocking_join | 2 | 12.0 threads | **no** |"), targets);
        assertTrue(targets.contains("| spawn_many_remote 16 producers | 2 | 1.14× vs ForkJoinPool | yes |"), targets);
        assertTrue(targets.contains("| time per task at 16 producers ≤ 1.5× at 1 | spawn_many_remote | 2 | 1.25× | yes |"), targets);
    }

    @Test
    void writesTheMarkdownAndRealPngCharts(@TempDir Path dir) throws Exception {
        for (Path f : Files.walk(fixture()).filter(Files::isRegularFile).toList()) {
            Path to = dir.resolve(fixture().relativize(f).toString());
            Files.createDirectories(to.getParent());
            Files.copy(f, to);
        }
        Report.main(new String[] {dir.toString(), "fixture run"});
        String md = Files.readString(dir.resolve("results.md"));
        assertTrue(md.startsWith("# fixture run\n\nMachine: "), md);
        for (String chart : List.of("executors-vs-forkjoinpool-2w.png", "virtual-threads-vs-jdk-2w.png", "wakeup-latency-2w.png")) {
            Path png = dir.resolve(chart);
            assertTrue(Files.size(png) > 5_000, chart + " has a drawing in it");
            try (InputStream in = Files.newInputStream(png)) {
                assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, in.readNBytes(4), chart + " is a PNG");
            }
            assertTrue(md.contains("](" + chart + ")"), "results.md shows " + chart);
        }
    }

    @Test
    void aDirectoryWithoutResultsOrWithBrokenOnesIsReportedByName(@TempDir Path dir) throws IOException {
        IOException none = assertThrows(IOException.class, () -> Report.main(new String[] {dir.toString()}));
        assertTrue(none.getMessage().contains("no results under"), none.getMessage());
        Files.writeString(dir.resolve("jmh-bad.json"), "{ not json");
        IOException bad = assertThrows(IOException.class, () -> Results.read(dir, 2));
        assertTrue(bad.getMessage().contains("jmh-bad.json"), bad.getMessage());
        Files.delete(dir.resolve("jmh-bad.json"));
        Files.createDirectories(dir.resolve("side"));
        Files.writeString(dir.resolve("side/oops.json"), "{}");
        IOException name = assertThrows(IOException.class, () -> Results.read(dir, 2));
        assertTrue(name.getMessage().contains("<benchmark>--<peer>--<workers>.json"), name.getMessage());
        assertFalse(Files.exists(dir.resolve("results.md")));
    }
}
