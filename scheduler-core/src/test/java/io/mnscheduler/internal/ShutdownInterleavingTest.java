package io.mnscheduler.internal;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interleaving, up to a preemption bound, of shutdown()'s quiescence check on the real engine
 * against a parked worker that is woken and takes the last queued task: Shutdown's two looks at the
 * processors around its look at the queues. If shutdown() reports the scheduler terminated, the
 * task must have finished by then; a check that looked at the processors once, before the queues,
 * could see the worker PARKED and then the queue already emptied by it, and terminate while the
 * task is in the worker's hand. Any other outcome is forbidden.
 */
@Tag("interleavings")
class ShutdownInterleavingTest {

    private static final class Run implements InterleavingExplorer.Execution {
        private final Scheduler engine = ExploredEngines.unstarted(1, 4);
        private final Processor processor = engine.processor(0);
        private final Worker worker = processor.owner;
        private final AtomicInteger finished = new AtomicInteger();
        private volatile boolean terminatedAtShutdown; // written by the shutdown thread, read by check()
        private volatile int finishedAtShutdown;       // likewise

        Run() {
            assertTrue(engine.handOff().claim(worker, processor));
            Runnable gone = () -> { };
            engine.global().add(gone); // the scheduler was used: the never-used shortcut does not apply
            assertEquals(gone, engine.global().poll());
            assertTrue(processor.queue.offer(finished::incrementAndGet)); // the last task, queued here
            processor.releaseWord(Processor.word(worker.epoch, Processor.PARKED)); // its worker parked before it came
        }

        @Override
        public List<Runnable> threads() {
            int epoch = worker.epoch;
            return List.of(
                    () -> { // the worker, woken: leaves PARKED as Parking.park does, takes the task, runs it, parks again
                        assertTrue(processor.casWord(Processor.word(epoch, Processor.PARKED),
                                Processor.word(epoch, Processor.SCHEDULING)));
                        Runnable task = processor.queue.pop();
                        assertEquals(WorkerLoop.KEEP, engine.loop().runTask(worker, processor, task));
                        processor.releaseWord(Processor.word(epoch, Processor.PARKED));
                    },
                    () -> { // an outside thread
                        engine.shutdown();
                        terminatedAtShutdown = engine.isTerminated();
                        finishedAtShutdown = finished.get();
                    });
        }

        @Override
        public void check() {
            assertEquals(1, finished.get(), "the task ran once");
            if (terminatedAtShutdown) {
                assertEquals(1, finishedAtShutdown, "shutdown() reported termination while the task was queued or in hand");
            }
        }
    }

    @Test
    void shutdownAgainstAWokenWorkerTakingTheLastTask() {
        InterleavingExplorer.exploreAll(2, Run::new);
    }
}
