package io.mnscheduler.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every workload, scaled down, on every peer that runs it: each finishes and computes the right
 * answer, so a benchmark figure is never the speed of a wrong or unfinished computation.
 */
class WorkloadsTest {

    @ParameterizedTest
    @ValueSource(strings = {"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    void executorWorkloadsFinishWithTheRightAnswers(String peer) throws Exception {
        try (Peer.Pool pool = Peer.of(peer).open(2)) {
            Executor ex = pool.executor();
            Workloads.spawnManyLocal(ex, 1_000);
            Workloads.spawnManyRemote(ex, 1_000);
            Workloads.chainedSpawn(ex, 100);
            assertEquals(Workloads.skynetExpected(10_000), Workloads.skynetFutures(ex, 10_000, 10));
            assertEquals(610, Workloads.fib(ex, 15));
            try (RemoteProducers producers = new RemoteProducers(4)) {
                for (int i = 0; i < 3; i++) {
                    Workloads.spawnManyRemote(producers, ex, 400);
                }
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Workloads.spawnManyRemote(producers, ex, 401), "not a multiple of the producers");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mn", "jdk", "fjp-async", "fixed", "kotlin"})
    void virtualThreadWorkloadsFinishWithTheRightAnswers(String peer) throws Exception {
        try (Peer.Pool pool = Peer.of(peer).open(2)) {
            Thread.Builder.OfVirtual vt = pool.virtualThreadBuilder();
            Workloads.yieldMany(vt, 20, 50);
            Workloads.pingPong(vt, 100);
            Workloads.pingPongRendezvous(vt, 100);
            assertEquals(499_500, Workloads.skynetThreads(vt, 1_000, 10));
            Workloads.spawnJoin(vt, 500);
            Workloads.sleepMany(vt, 500, 1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mn", "fjp", "fjp-async", "fixed", "kotlin"})
    void submitToStartRunsTheTaskOnceAndMeasuresInsideTheCall(String peer) {
        try (Peer.Pool pool = Peer.of(peer).open(2)) {
            java.util.concurrent.atomic.AtomicInteger submitted = new java.util.concurrent.atomic.AtomicInteger();
            Executor counting = task -> {
                submitted.incrementAndGet();
                pool.executor().execute(task);
            };
            for (int i = 0; i < 100; i++) {
                long before = System.nanoTime();
                long latency = Workloads.submitToStart(counting);
                long call = System.nanoTime() - before;
                org.junit.jupiter.api.Assertions.assertTrue(latency >= 0 && latency <= call,
                        "latency " + latency + " ns outside the call's " + call + " ns");
            }
            assertEquals(100, submitted.get());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mn", "mn-vt", "fjp", "fjp-async"})
    void joinWorkloadsFinishWithTheRightAnswersOnPoolsThatCanWait(String peer) throws Exception {
        try (Peer.Pool pool = Peer.of(peer).open(2)) {
            assertEquals(Workloads.fibExpected(12), JoinWorkloads.fibSubmit(pool.executor(), 12, 120));
            assertEquals(Workloads.fibExpected(8), JoinWorkloads.fibCompletable(pool.executor(), 8, 120));
        }
        try (Peer.Pool pool = Peer.of(peer).open(peer.startsWith("fjp") ? 2 : 1)) { // ForkJoinPool(1) deadlocks here
            for (int i = 0; i < 3; i++) {
                JoinWorkloads.waitBehind(pool.executor(), 120);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fjp", "fixed"})
    void aDeadlockedPoolIsReportedAndLeftAbleToShutDown(String peer) throws Exception {
        try (Peer.Pool pool = Peer.of(peer).open(1)) {
            org.junit.jupiter.api.Assertions.assertThrows(JoinWorkloads.Deadlocked.class,
                    () -> JoinWorkloads.waitBehind(pool.executor(), 1));
        }
        try (Peer.Pool pool = Peer.of("fixed").open(2)) {
            JoinWorkloads.Deadlocked d = org.junit.jupiter.api.Assertions.assertThrows(JoinWorkloads.Deadlocked.class,
                    () -> JoinWorkloads.fibCompletable(pool.executor(), 10, 1));
            org.junit.jupiter.api.Assertions.assertTrue(d.getMessage().contains("completable_join"), d.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(JoinWorkloads.Deadlocked.class,
                    () -> JoinWorkloads.fibSubmit(pool.executor(), 10, 1));
        } // close() fails the test if the deadlocked workers did not unwind
    }

    @org.junit.jupiter.api.Test
    void theExpectedAnswersAreTheKnownOnes() {
        assertEquals(499_999_500_000L, Workloads.skynetExpected(1_000_000));
        assertEquals(832_040, Workloads.fibExpected(30));
        assertEquals(0, Workloads.fibExpected(0));
        assertEquals(1, Workloads.fibExpected(1));
    }

    @org.junit.jupiter.api.Test
    void unknownPeersAndWorkerCountsAreRefusedByName() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Peer.of("tokio"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("tokio") && e.getMessage().contains("fjp-async"), e.getMessage());
        assertEquals(Runtime.getRuntime().availableProcessors(), Peer.workers(0));
        assertEquals(3, Peer.workers(3));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Peer.workers(-1));
    }
}
