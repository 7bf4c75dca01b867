package io.mnscheduler.internal;

/**
 * Tasks that wait for other tasks: the engine's side of {@link JoinableTask#get()}. A worker that
 * waits for a task nobody has started runs it inline (ForkJoinPool's {@code tryRemoveAndExec},
 * without the queue search: see JoinableTask), up to {@link #MAX_HELP_DEPTH} nested inline runs;
 * otherwise (the task runs elsewhere, or the bound is reached) it waits as {@code blocking()} does,
 * so its processor goes to a spare at once if work waits, and else as soon as work comes.
 *
 * <p>It never runs unrelated work while it waits (ForkJoinPool's {@code helpJoin} runs tasks of
 * the thief that took the awaited one): a stolen task from another processor can hold the waiter
 * far longer than its own task, which ends meanwhile; handing the processor off bounds the cost of
 * waiting at one thread, and the waiter resumes as soon as its task ends. See "Joins" in
 * {@code src/docs/decisions.md}.
 *
 * <p>Writes: the waiting worker's {@code helpDepth}; the task's claim. Used through {@link #awaitDone}
 * and, by the interleaving tests, {@link #helpInline}.
 */
final class Joining {
    /**
     * Inline runs nested on one worker's stack before a waiter waits instead: each costs the
     * frames of a task and its join (a few hundred bytes compiled, a few kilobytes interpreted),
     * so 128 fit a default 1 MB thread stack with room for the tasks' own frames. A deeper chain
     * goes on on a spare worker's fresh stack.
     */
    static final int MAX_HELP_DEPTH = 128;

    private final Scheduler scheduler; // final: tells our workers from another scheduler's
    private final RunState runState;   // final

    Joining(Scheduler scheduler, RunState runState) {
        this.scheduler = scheduler;
        this.runState = runState;
    }

    /**
     * Worker {@code w}, waiting for {@code task}: runs it inline if nobody has started it and the
     * nesting bound allows; true if it did.
     */
    boolean helpInline(Worker w, JoinableTask<?> task) {
        if (w.helpDepth >= MAX_HELP_DEPTH || !task.claim()) {
            return false;
        }
        w.helpDepth++;
        try {
            task.runClaimed(); // its queue entry, wherever it is, is now an empty run
        } finally {
            w.helpDepth--;
        }
        if (task.isCancelled()) {
            Thread.interrupted(); // a cancel(true) during the inline run interrupted us for the task's sake
        }
        return true;
    }

    /**
     * Helps or waits until {@code task} is done or {@code deadline} (a nanoTime; 0: none) passes;
     * returns at once, leaving FutureTask's own wait to the caller, on a thread that is not one of
     * this scheduler's workers or is a virtual thread (which unmounts while it waits).
     */
    void awaitDone(JoinableTask<?> task, long deadline) throws InterruptedException {
        Worker w = Worker.current();
        if (w == null || w.scheduler != scheduler || Thread.currentThread().isVirtual()) {
            return;
        }
        if (Thread.interrupted() || runState.stopCalled) {
            // After shutdownNow() a wait may be for a task it handed back, which never ends here. Its
            // interrupt reaches every running task, but a waiter that ran another task inline may
            // have lost it to that task (its own join threw): the stop itself ends the wait.
            throw new InterruptedException();
        }
        if (helpInline(w, task) || task.isDone()) {
            return;
        }
        try {
            HandOff.blocking(() -> {
                task.awaitPlain(deadline);
                return null;
            });
        } catch (InterruptedException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e); // unreachable: awaitPlain throws only InterruptedException
        }
    }
}
