package io.mnscheduler.numa;

import io.mnscheduler.numa.internal.LibNuma;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fallback paths, each in a JVM forked the way a user would start one. */
class FallbackTest {

    private static String run(List<String> prefix, String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), NumaProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("ran=42"), "the scheduler ran:\n" + out);
        return out;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void libnumaMissingFallsBackToSysfs() throws Exception {
        String out = run(List.of(), "--enable-native-access=ALL-UNNAMED",
                "-D" + LibNuma.LIBRARY_PROPERTY + "=libnuma-missing.so.9");
        assertEquals(1, count(out, "NUMA library libnuma-missing.so.9 not found"), out);
        assertTrue(out.contains("supported=true"), out);
        assertTrue(out.contains("allowed=0-" + (Runtime.getRuntime().availableProcessors() - 1)), out);
    }

    @Test
    void nativeAccessDeniedMakesPinningANoOp() throws Exception {
        String out = run(List.of(), "--illegal-native-access=deny");
        assertEquals(1, count(out, "Native access is denied"), out);
        assertTrue(out.contains("--enable-native-access=ALL-UNNAMED"), out);
        assertTrue(out.contains("supported=false"), out);
        assertTrue(out.contains("worker affinity=0-" + (Runtime.getRuntime().availableProcessors() - 1)), "not pinned:\n" + out);
    }

    @Test
    void aCpuSetRestrictedWithTasksetIsRespected() throws Exception {
        String out = run(List.of("taskset", "-c", "0"), "--enable-native-access=ALL-UNNAMED");
        assertTrue(out.contains("allowed=0\n") || out.contains("allowed=0\r\n"), out);
        assertTrue(out.contains("planned=0|0"), "both processors on the one allowed CPU:\n" + out);
        assertTrue(out.contains("worker affinity=0"), out);
    }
}
