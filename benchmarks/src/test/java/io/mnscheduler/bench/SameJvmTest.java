package io.mnscheduler.bench;

import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same-JVM mode's check for a scheduling loop left in the interpreter reads real JFR samples of
 * mn-scheduler's workers: if the loop's class or method were renamed, its table would show no
 * samples rather than a clean bill of health, and this fails. The evidence written when the check
 * fires is tested by {@link LoopEvidenceTest}, in a JVM of its own.
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
    void thePeersPropertyChoosesThePeersBesideMnScheduler() {
        assertEquals(EnumSet.of(Peer.MN, Peer.JDK, Peer.KOTLIN, Peer.FJP, Peer.FJP_ASYNC, Peer.FIXED), SameJvm.chosenPeers(null));
        assertEquals(Set.of(Peer.MN, Peer.JDK), SameJvm.chosenPeers("jdk"));
        assertEquals(Set.of(Peer.MN, Peer.JDK, Peer.FJP_ASYNC), SameJvm.chosenPeers(" jdk, fjp-async ,"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SameJvm.chosenPeers("jdk,forkjoin"));
        assertTrue(e.getMessage().contains("forkjoin") && e.getMessage().contains("fjp-async"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SameJvm.chosenPeers("mn-sampled"));
        assertTrue(e.getMessage().contains("mn-sampled") && e.getMessage().contains("[jdk, kotlin, fjp, fjp-async, fixed]"),
                e.getMessage());
    }
}
