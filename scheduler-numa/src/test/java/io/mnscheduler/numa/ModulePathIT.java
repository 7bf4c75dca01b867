package io.mnscheduler.numa;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library as a named module on the module path, the way a JPMS application uses it: a small
 * application module is compiled against the two jars (and Agrona) and run in a forked JVM with the
 * module-path flags the README gives. It uses the executor, a virtual thread carried by the
 * scheduler and NUMA pinning. A second module that imports an engine package must not compile, and
 * the messages about missing flags name the module, not {@code ALL-UNNAMED}.
 *
 * <p>Run by Failsafe after {@code package}, so the jars are the ones the build produced.
 */
class ModulePathIT {
    private static final long WAIT_S = 120; // a forked JVM on a loaded 2-core machine

    private static String modulePath;

    @BeforeAll
    static void findTheJars() {
        String numaJar = System.getProperty("mn.numa.jar");
        assertNotNull(numaJar, "Failsafe passes the path of this module's jar as mn.numa.jar");
        assertTrue(Files.isRegularFile(Path.of(numaJar)), "built by package: " + numaJar);
        List<String> entries = new ArrayList<>(List.of(numaJar));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if ((name.startsWith("scheduler-core") || name.startsWith("agrona")) && name.endsWith(".jar")) {
                entries.add(e);
            }
        }
        assertEquals(3, entries.size(), "the numa, core and agrona jars: " + entries);
        modulePath = String.join(File.pathSeparator, entries);
    }

    private static final String APP_MODULE = """
            module demo.app {
                requires io.mnscheduler.numa;
            }
            """;

    private static final String APP_MAIN = """
            package demo.app;

            import io.mnscheduler.WorkStealingScheduler;
            import io.mnscheduler.numa.Affinity;
            import io.mnscheduler.numa.NumaPlacement;
            import java.util.concurrent.TimeUnit;
            import java.util.concurrent.atomic.AtomicReference;

            public class Main {
                public static void main(String[] args) throws Exception {
                    try (var scheduler = WorkStealingScheduler.builder().parallelism(2).build()) {
                        System.out.println("executor " + scheduler.submit(() -> 6 * 7).get(60, TimeUnit.SECONDS));
                        try {
                            AtomicReference<String> where = new AtomicReference<>();
                            Thread vt = scheduler.virtualThreadBuilder().start(
                                    () -> where.set(Thread.currentThread().isVirtual() ? "virtual" : "platform"));
                            vt.join();
                            System.out.println("thread " + where.get());
                        } catch (UnsupportedOperationException e) {
                            System.out.println("no virtual threads: " + e.getMessage());
                        }
                    }
                    try (var pinned = WorkStealingScheduler.builder().parallelism(1)
                            .placement(NumaPlacement.pinToCpu()).build()) {
                        String allowed = pinned.submit(() -> Affinity.currentThreadAffinity().toString())
                                .get(60, TimeUnit.SECONDS);
                        System.out.println("pinned worker may run on " + allowed);
                    }
                    System.out.println("module " + WorkStealingScheduler.class.getModule().getName());
                }
            }
            """;

    @Test
    void anApplicationModuleUsesTheExecutorVirtualThreadsAndNumaWithTheModuleFlags(@TempDir Path dir) throws Exception {
        Path classes = compile(dir, "demo.app", APP_MODULE, APP_MAIN, true);
        Run run = java(classes, "--add-opens", "java.base/java.lang=io.mnscheduler",
                "--enable-native-access=io.mnscheduler.numa", "-m", "demo.app/demo.app.Main");
        assertEquals(0, run.exit, run.output);
        assertTrue(run.output.contains("executor 42"), run.output);
        assertTrue(run.output.contains("thread virtual"), run.output);
        assertTrue(run.output.contains("module io.mnscheduler"), run.output);
        assertTrue(run.output.matches("(?s).*pinned worker may run on \\{\\d+}.*"), "pinned to one CPU: " + run.output);
        assertFalse(run.output.contains("WARNING"), "no JDK warning with the module's flags: " + run.output);
    }

    @Test
    void withoutTheFlagsTheMessagesNameTheModule(@TempDir Path dir) throws Exception {
        Path classes = compile(dir, "demo.app", APP_MODULE, APP_MAIN, true);
        Run run = java(classes, "--illegal-native-access=deny", "-m", "demo.app/demo.app.Main");
        assertEquals(0, run.exit, "both fall back and the executor runs: " + run.output);
        assertTrue(run.output.contains("executor 42"), run.output);
        assertTrue(run.output.contains("--add-opens java.base/java.lang=io.mnscheduler"), run.output);
        assertTrue(run.output.contains("--enable-native-access=io.mnscheduler.numa"), run.output);
        assertFalse(run.output.contains("ALL-UNNAMED"), "the class-path advice is wrong here: " + run.output);
    }

    @Test
    void theEnginePackagesAreNotExported(@TempDir Path dir) throws Exception {
        String module = """
                module demo.sneaky {
                    requires io.mnscheduler;
                }
                """;
        String main = """
                package demo.sneaky;

                public class Main {
                    public static void main(String[] args) {
                        System.out.println(io.mnscheduler.internal.Scheduler.class);
                    }
                }
                """;
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        boolean compiled = tryCompile(dir, "demo.sneaky", module, main, diagnostics);
        String messages = describe(diagnostics);
        assertFalse(compiled, "compiled against an engine package: " + messages);
        assertTrue(messages.contains("io.mnscheduler.internal") && messages.contains("not visible"), messages);
    }

    /** Compiles a one-class module; fails the test on any error, and on any warning when {@code noWarnings}. */
    private static Path compile(Path dir, String name, String moduleInfo, String main, boolean noWarnings)
            throws IOException {
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        assertTrue(tryCompile(dir, name, moduleInfo, main, diagnostics), describe(diagnostics));
        if (noWarnings) { // a named library module, not an automatic one: no requires-automatic warning
            assertTrue(diagnostics.getDiagnostics().stream().noneMatch(d -> d.getKind() != Diagnostic.Kind.NOTE),
                    describe(diagnostics));
        }
        return dir.resolve("out");
    }

    private static boolean tryCompile(Path dir, String name, String moduleInfo, String main,
                                      DiagnosticCollector<JavaFileObject> diagnostics) throws IOException {
        Path src = dir.resolve("src");
        Path pkg = src.resolve(name.replace('.', '/'));
        Files.createDirectories(pkg);
        Path info = Files.writeString(src.resolve("module-info.java"), moduleInfo, StandardCharsets.UTF_8);
        Path mainFile = Files.writeString(pkg.resolve("Main.java"), main, StandardCharsets.UTF_8);
        Path out = Files.createDirectories(dir.resolve("out"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "the tests run on a JDK");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-Xlint:all", "--module-path", modulePath, "-d", out.toString());
            return javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(info, mainFile)).call();
        }
    }

    private static String describe(DiagnosticCollector<JavaFileObject> diagnostics) {
        return diagnostics.getDiagnostics().stream().map(d -> d.getKind() + ": " + d.getMessage(null))
                .collect(Collectors.joining("\n"));
    }

    private record Run(int exit, String output) {
    }

    private static Run java(Path appClasses, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--module-path");
        command.add(appClasses + File.pathSeparator + modulePath);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes(); // until the JVM exits and closes its output
        assertTrue(p.waitFor(WAIT_S, TimeUnit.SECONDS), "the forked JVM exits");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
