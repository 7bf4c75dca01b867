/**
 * The scheduler's JFR events (category {@code mn-scheduler}), and the code that fills them in.
 * <ul>
 *   <li>{@code HandOffEvent}, {@code PreemptionRequestEvent}, {@code HandOffDelayedEvent},
 *       {@code SpareWorkerStartEvent}, {@code SpareWorkerExitEvent}: the monitor's decisions and
 *       the spare workers they cost; rare, enabled by default.</li>
 *   <li>{@code StealEvent}, {@code OverflowEvent}: per steal and per overflow; disabled by
 *       default and throttled when enabled, so that a steal-heavy run stays cheap.</li>
 *   <li>{@code ProcessorSampleEvent}: one per processor every period, from {@code Sampler}; disabled
 *       by default.</li>
 *   <li>{@code Sampler}: the periodic hook, over every live scheduler.</li>
 *   <li>{@code TaskStacks}: the stack of a task that held a processor, as text.</li>
 *   <li>{@code ThreadStates}: a worker's state in the kernel (Linux), to tell a blocking system call
 *       from computing.</li>
 * </ul>
 * Every event is built only after {@code isEnabled()}, so a disabled event costs a read of a
 * static field JFR flips when a recording starts.
 */
package io.mnscheduler.internal.jfr;
