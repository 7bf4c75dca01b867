package io.mnscheduler.bench;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same-JVM mode's check for a scheduling loop left in the interpreter reads real JFR samples of
 * mn-scheduler's workers: if the loop's class or method were renamed, its table would show no
 * samples rather than a clean bill of health, and this fails. The evidence written when the check
 * fires is read from the same kind of samples and from the JIT's own events, and must find both.
 */
class SameJvmTest {

    @Test
    void theInterpretedLoopTableFindsTheSchedulingLoopOnTheWorkersStacks() throws Exception {
        String row;
        try (Peer.Pool pool = Peer.MN.open(2)) {
            Recording recording = new Recording();
            recording.enable("jdk.ExecutionSample").withPeriod(SameJvm.SAMPLE_PERIOD);
            recording.start();
            long start = System.nanoTime();
            do { // three seconds of work: about 300 sample periods, on a loaded machine too
                Workloads.spawnManyLocal(pool.executor(), 10_000);
            } while (System.nanoTime() - start < 3_000_000_000L);
            recording.stop();
            row = SameJvm.interpretedShare("spawn_many_local", recording);
        }
        String[] cells = row.split("\\|");
        assertEquals("spawn_many_local", cells[1].trim(), row);
        int samples = Integer.parseInt(cells[2].trim());
        assertTrue(samples >= 3, "JFR found WorkerLoop.runSome on a worker's stack only " + samples + " times: " + row);
        double share = Double.parseDouble(cells[3].trim().replace("%", ""));
        double worst = Double.parseDouble(cells[4].trim().replace("%", ""));
        assertTrue(share >= 0 && share <= 100 && worst >= share && worst <= 100, row);
    }

    @Test
    void theEvidenceNamesTheLoopsCompilationsAndTheWorkersSamples() throws Exception {
        String text;
        Path samples = Files.createTempFile("samejvm-test-", ".jfr");
        try (Recording jit = LoopEvidence.startCompilerEvents(); Recording recording = new Recording()) {
            Instant began = Instant.now();
            try (Peer.Pool pool = Peer.MN.open(2)) { // opened after the JIT recording started: its loop compiles under it
                recording.enable("jdk.ExecutionSample").withPeriod(SameJvm.SAMPLE_PERIOD);
                recording.start();
                long start = System.nanoTime();
                do {
                    Workloads.spawnManyLocal(pool.executor(), 10_000);
                } while (System.nanoTime() - start < 3_000_000_000L);
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
            text = LoopEvidence.describe("spawn_many_local", samples, worker, jit, began);
            Matcher counts = Pattern.compile("(\\d+) interpreted, (\\d+) compiled").matcher(text);
            assertTrue(counts.find(), text);
            assertEquals((int) perWorker.get(worker), Integer.parseInt(counts.group(1)) + Integer.parseInt(counts.group(2)), text);
        } finally {
            Files.deleteIfExists(samples);
        }
        assertTrue(text.contains("compiled WorkerLoop.runSome at level"), "no compilation of the loop found:\n" + text);
        assertTrue(text.contains("Uncommon traps"), text);
    }
}
