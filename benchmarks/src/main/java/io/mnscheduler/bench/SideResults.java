package io.mnscheduler.bench;

import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Figures that are not a JMH score (HdrHistogram percentiles, CPU time while idle), written by a
 * trial's tear-down next to JMH's JSON, one file per benchmark, peer and worker count. The report
 * reads them back by the same names.
 */
public final class SideResults {
    /** The system property naming the directory; the run script sets it. */
    public static final String DIR_PROPERTY = "mn.bench.side";

    private SideResults() {
    }

    /** The directory side results go to: the property's, or {@code target/bench-side}. */
    public static Path dir() {
        Path d = Path.of(System.getProperty(DIR_PROPERTY, "target/bench-side"));
        try {
            return Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the side-result directory " + d.toAbsolutePath(), e);
        }
    }

    /** The file stem for one benchmark, peer and worker count. */
    public static String stem(String benchmark, String peer, int workers) {
        return benchmark + "--" + peer + "--" + workers;
    }

    /** Writes {@code figures} as {@code <stem>.json}. */
    public static void write(String benchmark, String peer, int workers, Map<String, Object> figures) {
        Path f = dir().resolve(stem(benchmark, peer, workers) + ".json");
        try {
            Files.writeString(f, new GsonBuilder().setPrettyPrinting().create().toJson(figures));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + f.toAbsolutePath(), e);
        }
    }
}
