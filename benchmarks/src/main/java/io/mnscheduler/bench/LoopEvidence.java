package io.mnscheduler.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the same-JVM mode writes when a worker ran mn-scheduler's scheduling loop interpreted: read
 * from the execution samples of that worker and from the JIT's own events (JFR's
 * {@code jdk.Deoptimization}, {@code jdk.Compilation} and {@code jdk.CompilationFailure}, recorded
 * through the whole run; they are rare, so recording them costs nothing measurable).
 *
 * <p>It answers the questions that decide between the explanations of the slow mode: is the
 * interpreted loop one long call (the worker's samples never show the loop compiled after the first
 * interpreted one) or many calls that each found no compiled code (compiled and interpreted samples
 * alternate); what the worker was doing above the loop; and which uncommon traps threw away the
 * loop's compiled code, and when its compilations ran, relative to the workload's start.
 */
final class LoopEvidence {
    private static final int TOP = 5;
    /** The methods above {@code runSome} on a worker's stack, outermost last. */
    private static final List<String> OUTER = List.of("runProcessor", "runProcessorOnce", "run");

    private LoopEvidence() {
    }

    /** Starts the recording of the JIT's events; the caller closes it. */
    static Recording startCompilerEvents() {
        Recording jit = new Recording();
        jit.setName("same-jvm-jit");
        jit.enable("jdk.Deoptimization").withStackTrace();
        jit.enable("jdk.Compilation").withThreshold(Duration.ZERO).withoutStackTrace();
        jit.enable("jdk.CompilationFailure").withoutStackTrace();
        jit.setMaxAge(Duration.ofMinutes(30)); // a whole same-JVM run: the outer loops compile early
        jit.start();
        return jit;
    }

    /**
     * The evidence section of one workload: {@code samples} holds the execution samples of the extra
     * round, {@code worker} is the thread with the highest interpreted share, {@code since} the
     * start of the workload's rounds.
     */
    static String describe(String workload, Path samples, String worker, Recording jit, Instant since) throws IOException {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%n### %s (worker %s)%n%n", workload, worker));
        Map<String, Integer> top = new LinkedHashMap<>();
        Map<String, Integer> above = new LinkedHashMap<>();
        int interpreted = 0;
        int compiled = 0;
        int switches = 0; // changes between interpreted and compiled in time order
        Boolean last = null;
        Instant first = null;
        Instant end = null;
        List<RecordedEvent> events = RecordingFile.readAllEvents(samples);
        events.sort(Comparator.comparing(RecordedEvent::getStartTime));
        for (RecordedEvent e : events) {
            RecordedFrame loop = SameJvm.loopFrame(e);
            if (loop == null || !worker.equals(e.getThread("sampledThread").getJavaName())) {
                continue;
            }
            boolean inInterpreter = loop.getType().equals("Interpreted");
            if (last != null && last != inInterpreter) {
                switches++;
            }
            last = inInterpreter;
            if (!inInterpreter) {
                compiled++;
                continue;
            }
            interpreted++;
            first = first == null ? e.getStartTime() : first;
            end = e.getStartTime();
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            top.merge(frame(frames.get(0)), 1, Integer::sum);
            int at = 0; // the loop's frame: found again, as getFrames() builds new frame objects on each call
            while (!SameJvm.isLoop(frames.get(at))) {
                at++;
            }
            above.merge(at > 0 ? frame(frames.get(at - 1)) : "(the loop itself)", 1, Integer::sum);
        }
        out.append(String.format(Locale.ROOT, "Samples of the loop on this worker: %d interpreted, %d compiled, %d changes"
                + " between the two in time order; interpreted from %s to %s after the workload began.%n%n",
                interpreted, compiled, switches, offset(since, first), offset(since, end)));
        out.append("Top frames of the interpreted samples: ").append(ranked(top)).append("\n\n");
        out.append("Frames right above the loop: ").append(ranked(above)).append("\n\n");
        out.append(compilerEvents(jit, since));
        return out.toString();
    }

    /**
     * The uncommon traps taken with the loop on the stack and the compilations of {@code WorkerLoop}
     * since {@code since}, and the compilations of the methods above the loop over the whole run.
     */
    private static String compilerEvents(Recording jit, Instant since) throws IOException {
        Path file = Files.createTempFile("samejvm-jit-", ".jfr");
        try {
            jit.dump(file);
            Map<String, int[]> traps = new LinkedHashMap<>(); // where and why -> {count}
            Map<Integer, String> failures = new HashMap<>(); // compile id -> message
            List<RecordedEvent> loopCompilations = new ArrayList<>();
            List<RecordedEvent> all = RecordingFile.readAllEvents(file);
            Map<Integer, String> compiled = new HashMap<>(); // compile id -> the method compiled, and how
            List<RecordedEvent> outerCompilations = new ArrayList<>(); // of the loops above runSome, at any time
            for (RecordedEvent e : all) {
                if (e.getEventType().getName().equals("jdk.Compilation") && e.getValue("method") != null) {
                    RecordedMethod m = e.getValue("method");
                    compiled.put(e.getInt("compileId"), name(m) + " at level " + e.getShort("compileLevel")
                            + (e.getBoolean("isOsr") ? " on stack" : ""));
                    if (m.getType().getName().equals(SameJvm.LOOP_CLASS) && OUTER.contains(m.getName())) {
                        outerCompilations.add(e);
                    }
                }
            }
            for (RecordedEvent e : all) {
                String type = e.getEventType().getName(); // a dump holds every running recording's events
                if (e.getStartTime().isBefore(since)) {
                    continue;
                }
                if (type.equals("jdk.Deoptimization")) {
                    if (onLoopStack(e.getStackTrace())) {
                        String key = String.format(Locale.ROOT, "%s line %d (%s, %s; `%s`) in the code of %s",
                                name(e.getValue("method")), e.getInt("lineNumber"), e.getString("reason"),
                                e.getString("action"), e.getString("instruction"),
                                compiled.getOrDefault(e.getInt("compileId"), "compilation " + e.getInt("compileId")));
                        traps.computeIfAbsent(key, k -> new int[1])[0]++;
                    }
                } else if (type.equals("jdk.CompilationFailure")) {
                    failures.put(e.getInt("compileId"), e.getString("failureMessage"));
                } else if (type.equals("jdk.Compilation")) {
                    RecordedMethod m = e.getValue("method");
                    if (m != null && m.getType().getName().equals(SameJvm.LOOP_CLASS)) {
                        loopCompilations.add(e);
                    }
                }
            }
            String compilations = list(loopCompilations, since, failures);
            StringBuilder out = new StringBuilder("Uncommon traps with the scheduling loop on the stack since the"
                    + " workload began (where, reason, action; the compiled code thrown away; count):\n\n");
            if (traps.isEmpty()) {
                out.append("- none\n");
            }
            traps.forEach((k, c) -> out.append("- ").append(k).append(": ").append(c[0]).append('\n'));
            out.append("\nCompilations of `WorkerLoop` since the workload began:\n\n").append(compilations)
                    .append("\nCompilations of the methods above `runSome` (`runProcessor`, `runProcessorOnce`, `run`) in the whole run,"
                            + " times from this workload's start:\n\n").append(list(outerCompilations, since, failures));
            return out.toString();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Compilation events as a Markdown list, in time order, times relative to {@code since}. */
    private static String list(List<RecordedEvent> compilations, Instant since, Map<Integer, String> failures) {
        if (compilations.isEmpty()) {
            return "- none\n";
        }
        compilations.sort(Comparator.comparing(RecordedEvent::getStartTime));
        StringBuilder out = new StringBuilder();
        for (RecordedEvent e : compilations) {
            out.append(String.format(Locale.ROOT, "- %s: compiled %s at level %d%s in %d ms%s%n",
                    offset(since, e.getStartTime()), name(e.getValue("method")), e.getShort("compileLevel"),
                    e.getBoolean("isOsr") ? " on stack" : "", e.getDuration().toMillis(),
                    e.getBoolean("succeded") ? "" : ", failed: " + failures.getOrDefault(e.getInt("compileId"), "?")));
        }
        return out.toString();
    }

    /** Whether the scheduling loop is on a trap's stack. */
    private static boolean onLoopStack(RecordedStackTrace stack) {
        if (stack == null) {
            return false;
        }
        for (RecordedFrame f : stack.getFrames()) {
            if (SameJvm.isLoop(f)) {
                return true;
            }
        }
        return false;
    }

    private static String frame(RecordedFrame f) {
        return name(f.getMethod()) + " (" + f.getType() + ")";
    }

    private static String name(RecordedMethod m) {
        if (m == null) {
            return "?";
        }
        String type = m.getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
    }

    private static String offset(Instant since, Instant at) {
        return at == null ? "-" : String.format(Locale.ROOT, "%.1f s", Duration.between(since, at).toMillis() / 1000.0);
    }

    private static String ranked(Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(TOP)
                .forEach(e -> out.append(out.isEmpty() ? "" : "; ").append('`').append(e.getKey()).append("` ").append(e.getValue()));
        return out.toString();
    }
}
