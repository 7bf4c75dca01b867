/**
 * The scheduler's internals; not exported. This page is the one place for the big picture: first
 * which file owns what, then the implementation overview, whose sections name the files that
 * implement them. Each file's class comment says what it owns, which state it may write, and which
 * section it implements; a part reaches another only through the few methods that comment names.
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>{@code Scheduler}: the wiring: builds and connects the parts, starts the threads, the entry
 *       point of {@code WorkStealingScheduler}.</li>
 *   <li>{@code RunState}: RUNNING, SHUTDOWN, STOP, TERMINATED; the soft stop; live workers and termination.</li>
 *   <li>{@code Processor}: a processor (P): run queue, runnext slot, yield list, counters, and its state
 *       word (statuses, epochs, the accesses each transition uses).</li>
 *   <li>{@code Worker}: a worker (M): its fields, its platform thread (ours, a {@code WorkerThread}, or
 *       the user's factory's), started at its first wake-up, and its park and wake-up primitive.</li>
 *   <li>{@code Submission}: every way a task enters: outside, local (runnext), virtual-thread continuations.</li>
 *   <li>{@code WorkerLoop}: a worker's life: claim a processor, the scheduling loop, running a task, exit.</li>
 *   <li>{@code TaskOrder}: which task runs next (runnext streaks, fairness ticks, oldest-first pops,
 *       global refill) and where an overflowing push goes.</li>
 *   <li>{@code Stealing}: searching: steal rounds over the victims, nearest first.</li>
 *   <li>{@code VictimOrder}: the order a worker visits victims in: nearest tier first, random within a tier.</li>
 *   <li>{@code Parking}: parking a worker after the final look, and waking one after a submission.</li>
 *   <li>{@code HandOff}: hand-off of a processor to a spare, claims, spares waiting for a processor,
 *       {@code checkpoint()} and {@code blocking()}.</li>
 *   <li>{@code Spares}: the worker threads under the cap, and the parked spares among them.</li>
 *   <li>{@code MonitorView}: what the monitor thread sees of the processors and may do to them.</li>
 *   <li>{@code Shutdown}: {@code shutdown()}, {@code shutdownNow()}: stopping, draining, the soft stop.</li>
 *   <li>{@code StatsView}: the counters and depths that {@code stats()} reads.</li>
 *   <li>{@code Timers}, {@code TimerHeap}, {@code DelayedTask}: Go-style timers, one heap per processor;
 *       scheduled tasks and their futures.</li>
 *   <li>{@code SampledTask}: the one submission in N timed for the scheduling-latency histogram.</li>
 *   <li>{@code Interleavings}: schedule points for the interleaving explorer, compiled out in normal runs.</li>
 *   <li>{@code SpinLock}: the acquire loop of the small spin locks (timer heaps, registry stripes).</li>
 *   <li>Subpackages: {@code queue/} (RunQueue, InjectionQueue), {@code idle/} (Idle), {@code monitor/}
 *       (Monitor), {@code carrier/} (virtual threads), {@code stats/} (ProcessorCounters, LatencyRecorder),
 *       {@code jfr/} (the JFR events, the periodic sampler, task stacks and kernel thread states).</li>
 * </ul>
 *
 * <pre>
 * Implementation Overview
 *
 * Processors (Processor, Worker, Scheduler). There are N processors (Go's P), each with a bounded
 * RunQueue and a runnext slot, and N workers (Go's M), platform threads that each hold one
 * processor. A task (Go's G) is a Runnable; nothing is allocated per task.
 *
 * Local queues (queue/RunQueue; the policy in TaskOrder; pushes in Submission). The holder of a
 * processor pushes and pops at the tail of its RunQueue without a CAS; thieves take the older half
 * from the head in one claim (see RunQueue for the protocol and its memory-ordering argument). Its
 * array starts at INITIAL_QUEUE_SLOTS (256) and doubles when full up to the configured capacity
 * (default 4096), so a burst of spawns stays where thieves take half of it at a time. A
 * task submitted from a worker goes into runnext (Go's runnext, Tokio's LIFO slot) and the previous
 * occupant moves into the queue, so a task just made ready runs next and stays in cache. After
 * RUNNEXT_LIMIT consecutive runnext tasks the queue is served first, so two tasks that keep
 * submitting each other cannot starve it; if the global queue holds work then, the runnext task
 * moves to its tail (Go's preempted goroutine), behind that work. Because the owner pops LIFO, a
 * FAIRNESS_INTERVAL-th tick also takes the oldest local task from the head, if none was taken so
 * for a preemption tick per OLDEST_PER_TICK_DEPTH tasks queued (see TaskOrder.pollOldestIfDue).
 *
 * Injection (queue/InjectionQueue; polls and overflow in TaskOrder). Submissions from other threads
 * go into the InjectionQueue (rings under locks of their own, a submitting thread's chosen by its
 * id; see there). When a local queue is full at its capacity, the owner moves its older half plus
 * the new task there in one batch (Go's runqputslow). A worker polls the global queue first on
 * every 61st tick (Go's schedtick % 61), and otherwise when its own queue is empty, taking
 * min(len / N + 1, 128) tasks at once (Go's globrunqget; 128 is Processor.batchLimit, half the
 * initial array). For a tick after its queue overflowed, a processor polls it on at most one
 * fairness tick per preemption tick and keeps its spent runnext task: the global queue then holds
 * mostly its own overflow (see TaskOrder.overflowedRecently).
 *
 * Stealing (Stealing, VictimOrder; the runnext side in Processor). A worker whose queue is empty
 * asks Idle to become a searcher; at most half of the unparked workers search at once. A searcher
 * visits victims nearest first, by the distances of the WorkerPlacement (NUMA nodes, say), and at
 * equal distance in a random order (a random start and a random stride coprime to the tier's size,
 * as Go's randomOrder; with no placement, one tier holds every other processor), stops at the first
 * steal, and on the last of STEAL_ROUNDS rounds also takes the runnext task of a processor whose
 * task is still running (Go's runqsteal with stealRunNextG), so a task readied by a task that then
 * blocks is not stuck. To do so it holds the victim's state word in STEALING for a few steps, so
 * that the owner, who holds the word whenever it touches the slot, never pays an atomic for runnext
 * (see Processor). A victim whose task is running and whose steal would take fewer than
 * SMALL_STEAL tasks (or only its runnext task) is left for last in the round, after the global
 * queue, and stolen from once the same task has run on there for up to MAX_PATIENCE_NANOS (20 µs)
 * with the queue still short, the searcher looking every PATIENCE_SLICE_NANOS (2 µs) and reading
 * none of its memory in between: taking each task as a spawning owner pushes it makes every push
 * miss on the lines the steals touch (Go's runqgrab waits 3 µs before taking a running P's runnext,
 * for the same reason).
 * Every round still tries every victim, so what a round is guaranteed to find is unchanged.
 *
 * Idling and wake-up (Parking; the counting in idle/Idle). A worker that finds nothing parks on
 * LockSupport and costs no CPU. With an IdleStrategy configured, a searcher first backs off through
 * it for LOW_LATENCY_SEARCH_NANOS. A submission ends with Parking.notifyWork (Idle.workerToNotify),
 * which wakes a parked worker only when no worker searches; Idle documents why no wake-up is lost.
 * A worker's own submission calls it only when its processor's queue was empty: a push onto a
 * queue that held work wakes nobody, since the submission that filled the queue notified, and a
 * worker that parked since then did so after its final check saw that work, or while a thief that
 * emptied the queue in between still runs and will search again. The final check
 * (Parking.hasStealableWork) reads the global and run queues, not runnext, and counts a processor
 * whose owner is SUBMITTING as holding work: that owner may be pushing a displaced task without
 * notifying, having seen the queue non-empty before a thief emptied it. A runnext task is never
 * stranded: its own worker takes it when the current task ends, a searcher may take it on its last
 * steal round (which is why a push into runnext asks for a worker: a task that forks one child and
 * then waits for it needs another worker to take that child), and the monitor hands the processor
 * off if that task holds it while work waits. A chain of tasks, each submitting the next into
 * runnext, asks on every link; the first ask wakes a worker, which then spins (Stealing), counted
 * as a searcher, so the later asks cost a fence and a read, not an unpark, and a spinner leaves
 * runnext alone, so the chain stays on its core. SubmitStealParkInterleavingTest explores this rule
 * against a thief and a parking worker. A binary fork-join task asks twice (its first child goes
 * into runnext, its second moves the first into the empty queue: the first ask may have found a
 * searcher that then parked without seeing runnext); a task that submits many children asks twice
 * in all. The last searcher to find work wakes another (Go's resetspinning), so a burst spreads
 * over the workers.
 *
 * Timers (Timers, TimerHeap, DelayedTask; the loop's side in WorkerLoop.runSome, the thief's in
 * Stealing.stealRound, the parked worker's in Parking.awaitWork, the monitor's in
 * HandOff.workWaiting). Each processor has a timer heap under a spin lock of its own (Go's
 * timers.mu): no timer thread, no global lock. The holder adds its own timers and, each round of its
 * loop when its heap is not empty, moves the due ones onto its run queue (Go's checkTimers); an
 * outside thread adds to a random processor whose worker has started; a searcher takes the due
 * timers of a processor whose worker is busy (tryLock, never waiting); the monitor counts due timers
 * as work waiting, so a processor held by a blocked or hogging task is handed off. A parked worker
 * reads its earliest deadline under the heap's lock and records that it sleeps until then
 * (TimerHeap.sleep); an add under the same lock pokes it when the new timer is earlier. So either
 * the worker's read sees the timer, or the add sees the worker asleep: no timer waits for an
 * unrelated wake-up. A timed-out worker takes itself off Idle's sleeper stack (Idle.cancelPark),
 * counted unparked and searching as a waker would have; if a waker took it first, it waits for that
 * wake-up. A timer's set is counted (Timers.pending) before the run state is read, against
 * shutdown()'s write of SHUTDOWN before its read of the count (Shutdown.quiescent), so a timer is
 * either seen by that check or refused. After shutdown() a worker leaves only once its heap is empty,
 * closing it under its lock, so no timer is added to a heap nobody serves; until then it parks until
 * its next deadline. TimerInterleavingTest explores the holder, a thief and a canceller on one timer.
 * Our virtual threads' timed parks set their timers here too (carrier/CarrierPool, the ForkJoinPool
 * the JDK must see to call schedule on it; Timers.scheduleWake): set on the worker the thread parked
 * on, never refused after shutdown (the thread runs on, and is counted live, so the quiescence check
 * fails anyway), never cancelled by shutdown(), and moved by shutdownNow() to a daemon timer thread.
 *
 * Start-up (Scheduler.start, Parking.startParked, Worker.wake; WorkerLoop.retire). A new scheduler
 * is an idle one: before any thread runs, every worker is counted parked in Idle and pushed on its
 * sleeper stack, and every processor's word is PARKED, as if each worker had parked after a final
 * look that found nothing (nothing can have been submitted yet). So no worker searches or looks at
 * every queue at start, which cost O(parallelism) per worker, O(P^2) in all. A worker's thread is
 * started by its first wake-up instead of by build() (Go starts an M only for work): Worker.wake
 * moves the worker's life from UNSTARTED to STARTED by CAS and starts the thread, otherwise it
 * unparks it. Whoever wakes a worker took it off the sleeper stack under Idle's lock, so one waker
 * has it; the notified flag, written before start or unpark, is read by the thread's first
 * awaitNotified (Parking.awaitFirstWakeUp), which then leaves PARKED by CAS as Parking.park does.
 * The fields set at build() reach the thread through Idle's lock (written before the push,
 * read after the pop) and Thread.start. Processor 0's worker and the monitor are started by
 * build(), so that a scheduler that cannot start even one thread fails there, and one worker lives
 * until shutdown (a processor's worker never leaves before it, so the count of live workers cannot
 * reach zero and terminate a running scheduler). Shutdown's wake-all retires a worker that never
 * started (UNSTARTED to RETIRED by CAS; its exit done on the caller's thread), so an unused
 * scheduler closes without starting a thread; a thread that cannot start at its first wake-up
 * (the OS's limit) is retired the same way, its empty processor stopped, and the waker wakes
 * another worker for the same work.
 *
 * Processor states (Processor; transitions made by WorkerLoop, Submission, Stealing, Parking,
 * HandOff and Shutdown, each a named method of Processor). Each processor's state word holds an
 * epoch (the current worker's tenure) and a status saying what that worker is doing:
 *   SCHEDULING  between tasks: popping, stealing, polling (owner-only transitions out of it)
 *   RUNNING     inside a task
 *   SUBMITTING  inside a task, pushing onto its own queue (entered by CAS from RUNNING)
 *   BLOCKING    inside a task's blocking() section (entered by CAS from RUNNING)
 *   STEALING    inside a task, while a thief takes runnext (entered by the thief's CAS from RUNNING,
 *               left by its releasing store of the same RUNNING word)
 *   PARKED      parked with nothing to do
 *   HANDOFF     taken from its worker; a spare worker is on its way to claim it
 *   STOPPED     taken by shutdownNow, or left by an exiting worker; final
 * The owner moves SCHEDULING to RUNNING or PARKED with a releasing store (nobody else writes a
 * processor in SCHEDULING), and leaves RUNNING, BLOCKING and PARKED by CAS, because the monitor or
 * shutdownNow may have taken them; an owner that finds its word in STEALING waits for the thief's
 * few steps to end (Processor.leaveRunning). shutdownNow and the monitor never CAS SCHEDULING,
 * SUBMITTING or STEALING: those last a few steps of scheduler code; shutdownNow waits for them to
 * end, and the monitor tries again on its next tick.
 *
 * The monitor and hand-off, the M in M:N (monitor/Monitor decides, MonitorView shows it the
 * processors, HandOff hands off, Spares keeps the spare threads). A Monitor thread ticks
 * (preemptionTick, 10 ms by default). While every processor is parked it looks less often (the
 * sleep doubles up to ten ticks), and after 50 such looks it parks (whoever wakes a parked worker
 * then unparks it, after the worker). It compares each processor's schedTick (tasks started,
 * written opaque by the owner) with the last tick's. A task seen running for a whole tick while
 * work waits gets a preemption request (a flag the owner clears at its next task start); still
 * running handOffTicks - 1 ticks later, or sitting in blocking() while work waits, it loses its
 * processor: HandOff.handOff reserves a spare under the worker cap (a parked one, or room for a new
 * thread; at the cap it counts a delay and retries next tick), then CASes the state word from the
 * exact word it saw to (epoch + 1, HANDOFF), and gives the processor to the spare, which claims it
 * by CAS from HANDOFF to SCHEDULING. checkpoint() and blocking() hand off the same way, from the
 * worker itself. The old worker keeps running its task without a processor; when the task returns,
 * its CAS back to SCHEDULING fails on the epoch, and it takes a processor still in HANDOFF (the
 * designated spare's claim then fails) or parks as a spare, leaving after spareKeepAlive.
 *
 * Why a hand-off neither loses nor duplicates a task (HandOff, Submission, WorkerLoop). The queue,
 * runnext, yield list and counters of a processor are only ever touched as owner by the worker
 * whose epoch is in the state word, and every owner operation that races a hand-off starts with a
 * CAS or a check of that word: Submission.submitLocal CASes RUNNING to SUBMITTING under its own
 * epoch, so after a hand-off it fails and the task goes to the global queue instead; the end of a
 * task CASes RUNNING to SCHEDULING under its epoch, so a worker that lost its processor never pops
 * from it again; the hand-off CAS fails if the word changed (the task returned, or SUBMITTING), so
 * a processor is never taken mid-push. The tasks themselves never move during a hand-off: they stay
 * in the processor's queue and runnext, and the next owner (or a thief) takes them with the usual
 * exactly-once operations. A processor in HANDOFF has one claim that can succeed: each claimant
 * CASes from the same word. Single-writer counters move with the processor: a task that ends
 * without its processor is counted in executedWithoutProcessor, never in the processor's counters.
 *
 * Shutdown (Shutdown; the run state in RunState; workers' exit in WorkerLoop). shutdown() closes
 * the global queue to outside submitters and sets SHUTDOWN under the queue's lock, so every outside
 * submission is either queued before or rejected after. A worker's own submission reads the run
 * state after its CAS to SUBMITTING; if it read RUNNING, its task sits on a live worker's
 * processor, which that worker runs before it exits. Workers exit when a full scan finds nothing;
 * the last one out terminates the scheduler. shutdownNow() sets STOP the same way, then stops every
 * processor (CAS RUNNING or PARKED to STOPPED, interrupting the task of a RUNNING one), then drains
 * every runnext, local queue, yield list and the global queue. Once a processor is STOPPED no one
 * pushes onto it again: a submission by its still running task fails its CAS and is rejected, and
 * its worker's CAS back to SCHEDULING fails, so it exits. Hence every accepted task is run exactly
 * once or returned exactly once.
 *
 * Virtual threads (carrier/VirtualThreadSupport, carrier/VirtualThreadRegistry; starts in
 * Submission, ends in WorkerLoop). A virtual thread built by virtualThreadBuilder() submits its
 * continuation task through executeContinuation() whenever it starts, is unparked, or yields; the
 * thread's own state (STARTED only for the first) tells a start from the rest without a map lookup.
 * Where the submitter is one of our workers, or a virtual thread mounted on one, the task goes into
 * that processor's runnext (Go's ready()); otherwise into the global queue. A yield puts it on its
 * processor's yield list, an owner-only FIFO behind everything else there (the LIFO queue has no
 * back to put it at): when the queue and runnext run dry the list moves into the queue, under a
 * batch from the global queue, so outside work still runs first, as behind Go's Gosched, and
 * thieves can take it from there; a fairness tick also takes its oldest. A yield thus costs no lock
 * and no shared write. The first submission counts the thread in liveVirtual, in the stripe of the
 * processor it starts on, or, started elsewhere, in an off-processor stripe chosen by its thread id
 * (VirtualThreadRegistry). A thread that ends in its first run is never stored anywhere: its worker
 * takes it off its own stripe's count. One whose first run parks or yields is tracked in its
 * worker's stripe's table, and the worker that sees it TERMINATED after a later run removes it;
 * VirtualThreadRegistry.afterFirstRun says why exactly one of them takes it off, and
 * RegistryInterleavingTest explores it. shutdownNow() interrupts the tracked threads, the running
 * ones (read from each worker's current task) and the queued ones (their continuations drained);
 * a first run reads the stop after a full fence that follows its write of current, and a first run
 * that parked reads it after its track, so neither is missed. Continuations of started virtual threads are never refused: the JDK would
 * throw the RejectedExecutionException into whoever unparked the thread and leave it stranded. So
 * after shutdown() new virtual threads are refused but started ones run on, and workers exit only
 * once none is alive. shutdownNow() with live virtual threads interrupts them and returns the plain
 * tasks, but keeps the processors running (a soft stop) until the last virtual thread ends;
 * anything a worker still finds then runs, so nothing is lost. A start and shutdownNow decide
 * against each other Dekker-style: the start raises its stripe's count, then reads the run state;
 * shutdownNow writes the run state, then reads the counts. An end may be counted in another stripe
 * than its start; the sum still never misses a thread alive throughout the read, because a start
 * that the read misses was refused (the VirtualThreadRegistry class comment).
 *
 * Memory ordering. Each field says who writes and reads it and in which mode. The pairs that carry
 * the arguments, with the files they sit in: RunQueue's tail store/head load against the thief's
 * claim CAS/tail load (queue/RunQueue, called from TaskOrder, Submission and Stealing); the
 * submitter's fence in Idle.workerToNotify (reached through Parking.notifyWork) against the parking
 * worker's fence before its final scan (Idle.prepareToPark, reached through Parking.mayBlock); the
 * releasing store that ends SUBMITTING (Submission.submitLocal) against the CAS of
 * Shutdown.stopProcessor, which makes the pushed task visible to its drain; the releasing store
 * that ends STEALING (Processor.stealRunnext, called by Stealing) against the owner's next CAS out
 * of RUNNING (Processor.leaveRunning, called by Submission.submitLocal and WorkerLoop.runTask), and
 * the owner's releasing store of RUNNING (WorkerLoop.runTask) against the thief's CAS, which hand
 * the runnext slot back and forth; a virtual thread's start (Submission.startVirtual: count, then
 * run state) against Shutdown.shutdownNow (run state, then counts).
 * </pre>
 */
package io.mnscheduler.internal;
