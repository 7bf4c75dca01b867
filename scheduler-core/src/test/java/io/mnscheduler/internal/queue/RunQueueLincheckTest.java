package io.mnscheduler.internal.queue;

import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Runs random scenarios of the run queue's owner against two thieves under Lincheck's stress
 * strategy: push, pop, pollOldest and overflow on the owner's side, steals on the others. This is
 * what first caught the tail-ABA bug described in {@link RunQueue}.
 *
 * <p>The operations return nothing, so every history is linearizable by construction; what is
 * checked is the exactly-once invariant after every run: each task the owner managed to push comes
 * out exactly once, through a pop, a pollOldest, an overflow batch, a steal, or the final drain, and
 * no refused task ever comes out.
 *
 * <p>Lincheck's model-checking strategy is not used: under JDK 25 its run-time instrumentation does
 * not take here (it misses even a plain lost update), so a passing model-checking run would prove
 * nothing. Systematic interleaving exploration is done by {@code RunQueueInterleavingTest} instead.
 */
@Tag("lincheck")
public class RunQueueLincheckTest {
    private static final int CAPACITY = 4; // small, so that offers fill the queue and indices wrap
    private static final int MAX_TASKS = 64;

    private final RunQueue queue;
    private final Runnable[] batch;
    private final AtomicIntegerArray seen = new AtomicIntegerArray(MAX_TASKS);  // times each task came out
    private final boolean[] accepted = new boolean[MAX_TASKS];                  // owner thread only, then validation
    private int next;                                                            // owner thread only

    /** Lincheck makes one per scenario. */
    public RunQueueLincheckTest() {
        queue = newQueue();
        batch = new Runnable[queue.capacity() / 2 + 1];
    }

    /** The queue under test: here of fixed size. Called by the constructor, so it must not read fields. */
    RunQueue newQueue() {
        return new RunQueue(CAPACITY);
    }

    private void record(Runnable r) {
        if (r != null) {
            seen.incrementAndGet(((Task) r).id());
        }
    }

    @Operation(nonParallelGroup = "owner")
    public void push() {
        int id = next++;
        accepted[id] = queue.offer(new Task(id));
    }

    @Operation(nonParallelGroup = "owner")
    public void pop() {
        record(queue.pop());
    }

    @Operation(nonParallelGroup = "owner")
    public void pollOldest() {
        record(queue.pollOldest());
    }

    @Operation(nonParallelGroup = "owner")
    public void overflow() {
        int n = queue.takeHalfForOverflow(batch);
        for (int i = 0; i < n; i++) {
            record(batch[i]);
            batch[i] = null;
        }
    }

    @Operation
    public void steal() {
        RunQueue mine = new RunQueue(CAPACITY);
        queue.stealInto(mine);
        for (Runnable r; (r = mine.pop()) != null; ) {
            record(r);
        }
    }

    @Validate
    public void everyTaskOutExactlyOnce() {
        List<Runnable> rest = new ArrayList<>();
        queue.drainTo(rest);
        rest.forEach(this::record);
        for (int id = 0; id < next; id++) {
            int expected = accepted[id] ? 1 : 0;
            if (seen.get(id) != expected) {
                throw new AssertionError("task " + id + " came out " + seen.get(id) + " times, expected " + expected);
            }
        }
    }

    @Test
    void stress() {
        new StressOptions()
                .iterations(30)
                .invocationsPerIteration(2_000)
                .threads(3)
                .actorsPerThread(4)
                .actorsBefore(3)
                .check(getClass());
    }
}
