package io.mnscheduler.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The evidence the same-JVM mode writes when a worker ran the scheduling loop interpreted is read
 * from real execution samples and from the JIT's own events, and must agree with both.
 *
 * <p>It runs in a JVM of its own (tag {@code fresh-jvm}: a Surefire execution of its own, which forks
 * its own JVM): the JIT compiles a method once, so in a JVM where another test had already run
 * mn-scheduler, {@code runSome} could have been compiled before this recording began and the
 * evidence would rightly list no compilation of it.
 */
@Tag("fresh-jvm")
class LoopEvidenceTest {

    @Test
    void theEvidenceCountsTheWorkersSamplesAndListsEveryCompilationOfTheLoop() throws Exception {
        String text;
        Path samples = Files.createTempFile("loop-evidence-test-", ".jfr");
        Path jitFile = Files.createTempFile("loop-evidence-jit-", ".jfr");
        try (Recording jit = LoopEvidence.startCompilerEvents(); Recording recording = new Recording()) {
            Instant began = Instant.now();
            try (Peer.Pool pool = Peer.MN.open(2)) { // the first scheduler of this JVM: its loop compiles under the recording
                recording.enable("jdk.ExecutionSample").withPeriod(SameJvm.SAMPLE_PERIOD);
                recording.start();
                long start = System.nanoTime();
                long deadline = start + 120_000_000_000L; // a generous bound for a loaded machine's compile queue
                do { // at least three seconds of work (about 300 sample periods), and until runSome has compiled
                    Workloads.spawnManyLocal(pool.executor(), 10_000);
                } while (System.nanoTime() - start < 3_000_000_000L
                        || (loopCompilations(jit, jitFile, began).stream().noneMatch(c -> c.startsWith("runSome "))
                            && System.nanoTime() < deadline));
                recording.stop();
            }
            recording.dump(samples);
            Map<String, Integer> perWorker = new HashMap<>();
            for (RecordedEvent e : RecordingFile.readAllEvents(samples)) {
                if (SameJvm.loopFrame(e) != null) {
                    perWorker.merge(e.getThread("sampledThread").getJavaName(), 1, Integer::sum);
                }
            }
            String worker = perWorker.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            List<String> before = loopCompilations(jit, jitFile, began);
            text = LoopEvidence.describe("spawn_many_local", samples, worker, jit, began);
            Matcher counts = Pattern.compile("(\\d+) interpreted, (\\d+) compiled").matcher(text);
            assertTrue(counts.find(), text);
            assertEquals((int) perWorker.get(worker), Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2)), text);

            List<String> expected = loopCompilations(jit, jitFile, began); // the JIT may compile more while describe reads
            assertTrue(expected.stream().anyMatch(c -> c.startsWith("runSome ")),
                    "the JIT recording holds no compilation of runSome: " + expected);
            String section = text.substring(text.indexOf("Compilations of `WorkerLoop` since the workload began"),
                    text.indexOf("Compilations of the methods above"));
            Matcher listed = Pattern.compile("compiled WorkerLoop\\.(\\w+) at level (\\d)").matcher(section);
            int found = 0;
            while (listed.find()) {
                String entry = listed.group(1) + " " + listed.group(2);
                assertTrue(expected.contains(entry), "listed but not in the JIT recording: " + entry + "\n" + text);
                found++;
            }
            assertTrue(found >= before.size() && found <= expected.size(),
                    "listed " + found + ", recorded " + before.size() + " before and " + expected + " after:\n" + text);
        } finally {
            Files.deleteIfExists(samples);
            Files.deleteIfExists(jitFile);
        }
    }

    /** The compilations of {@code WorkerLoop}'s methods since {@code since}, as "method level". */
    private static List<String> loopCompilations(Recording jit, Path file, Instant since) throws Exception {
        jit.dump(file);
        return RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("jdk.Compilation") && !e.getStartTime().isBefore(since))
                .filter(e -> e.getValue("method") != null
                        && ((RecordedMethod) e.getValue("method")).getType().getName().equals(SameJvm.LOOP_CLASS))
                .map(e -> ((RecordedMethod) e.getValue("method")).getName() + " " + e.getShort("compileLevel"))
                .toList();
    }
}
