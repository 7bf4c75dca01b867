package io.mnscheduler.examples;

import io.mnscheduler.WorkStealingScheduler;
import kotlin.Unit;
import kotlin.coroutines.Continuation;
import kotlin.coroutines.CoroutineContext;
import kotlinx.coroutines.BuildersKt;
import kotlinx.coroutines.DelayKt;
import kotlinx.coroutines.ExecutorCoroutineDispatcher;
import kotlinx.coroutines.ExecutorsKt;

/**
 * Kotlin coroutines on mn-scheduler, timers included: {@code scheduler.asCoroutineDispatcher()}
 * ({@code ExecutorsKt.from} from Java) is a dispatcher whose {@code delay()} is one of the
 * scheduler's own timers, because the scheduler is a {@code ScheduledExecutorService}; there is no
 * second timer thread. In Kotlin:
 *
 * <pre>{@code
 * WorkStealingScheduler.create().use { scheduler ->
 *     runBlocking(scheduler.asCoroutineDispatcher()) {
 *         repeat(3) { delay(100); println("tick on ${Thread.currentThread().name}") }
 *     }
 * }
 * }</pre>
 *
 * Run: {@code mvn -pl examples -am package exec:exec@coroutine-timers -DskipTests}
 */
public final class CoroutineTimers {
    private CoroutineTimers() {
    }

    public static void main(String[] args) throws InterruptedException {
        try (WorkStealingScheduler scheduler = WorkStealingScheduler.builder().threadNamePrefix("coroutines-").build()) {
            ExecutorCoroutineDispatcher dispatcher = ExecutorsKt.from(scheduler);
            for (int tick = 1; tick <= 3; tick++) {
                long before = System.nanoTime();
                String thread = BuildersKt.runBlocking(dispatcher, (scope, continuation) -> delay100ThenThreadName(continuation));
                System.out.printf("tick %d after %.1f ms on %s%n", tick, (System.nanoTime() - before) / 1e6, thread);
            }
            System.out.println("timers fired by the scheduler: " + scheduler.stats().timersFired()
                    + " (delay() used the scheduler's timers, not a timer thread of kotlinx's)");
        }
    }

    /** {@code delay(100); Thread.currentThread().name}, written by hand as the Kotlin compiler writes a suspend function. */
    private static Object delay100ThenThreadName(Continuation<? super String> continuation) {
        return DelayKt.delay(100, new Continuation<Unit>() {
            @Override
            public CoroutineContext getContext() {
                return continuation.getContext();
            }

            @Override
            public void resumeWith(Object result) {
                continuation.resumeWith(result instanceof kotlin.Result.Failure failure ? failure
                        : Thread.currentThread().getName());
            }
        });
    }
}
