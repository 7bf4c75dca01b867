package io.mnscheduler;

import kotlin.Unit;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.DelayKt;
import kotlinx.coroutines.ExecutorCoroutineDispatcher;
import kotlinx.coroutines.ExecutorsKt;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kotlin's {@code delay()} on {@code scheduler.asCoroutineDispatcher()} ({@code ExecutorsKt.from}
 * from Java) uses the scheduler's own timers: kotlinx-coroutines schedules on an executor that is a
 * {@code ScheduledExecutorService}, and falls back to its own timer thread otherwise.
 */
class CoroutineDelayTest {

    @Test
    void delayOnTheDispatcherIsOneOfTheSchedulersTimers() throws Exception {
        try (WorkStealingScheduler scheduler = WorkStealingScheduler.builder().parallelism(2)
                .threadNamePrefix("coroutine-").build()) {
            ExecutorCoroutineDispatcher dispatcher = ExecutorsKt.from(scheduler);
            long before = System.nanoTime();
            String resumedOn = BuildersKt.runBlocking(dispatcher, (scope, continuation) -> delayThenName(continuation));
            long elapsed = System.nanoTime() - before;
            assertTrue(resumedOn.startsWith("coroutine-"), "resumed on a worker: " + resumedOn);
            assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(5), "the delay was not skipped");
            SchedulerStats s = scheduler.stats();
            assertEquals(1, s.timersFired(), "delay() set one of the scheduler's timers: " + s);
            assertEquals(0, s.delayedTasks());
        }
    }

    /** delay(5 ms), then the thread's name: a suspend function written by hand, as Kotlin compiles one. */
    private static Object delayThenName(kotlin.coroutines.Continuation<? super String> continuation) {
        return DelayKt.delay(5, new kotlin.coroutines.Continuation<Unit>() {
            @Override
            public kotlin.coroutines.CoroutineContext getContext() {
                return continuation.getContext();
            }

            @Override
            public void resumeWith(Object result) {
                continuation.resumeWith(result instanceof kotlin.Result.Failure f ? f : Thread.currentThread().getName());
            }
        });
    }
}
