package io.mnscheduler.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one line that says what a run ran on: cores, CPU, JVM and Go. */
final class Machine {
    private Machine() {
    }

    static String describe(int cores, String jvm, String go) {
        return "Machine: " + cores + " cores (" + cpuModel() + "), " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + "; " + jvm + (go == null ? "; Go peer not run (no go-*.json in the results: Go not installed, or not part of this run)" : "; " + go) + ".";
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            return "CPU model unknown: " + e.getMessage();
        }
        return "CPU model unknown";
    }
}
