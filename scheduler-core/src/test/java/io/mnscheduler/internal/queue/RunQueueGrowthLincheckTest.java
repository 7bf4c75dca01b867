package io.mnscheduler.internal.queue;

import org.junit.jupiter.api.Tag;

/**
 * {@link RunQueueLincheckTest}'s scenarios on a queue whose array starts at 2 slots and doubles up
 * to 8: pushes grow it while thieves claim and copy from the array they read.
 */
@Tag("lincheck")
public class RunQueueGrowthLincheckTest extends RunQueueLincheckTest {
    @Override
    RunQueue newQueue() {
        return new RunQueue(2, 8);
    }
}
