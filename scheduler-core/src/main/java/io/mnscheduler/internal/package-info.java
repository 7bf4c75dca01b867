/**
 * The scheduler's internals; not exported. {@code Scheduler} carries the implementation overview.
 * <ul>
 *   <li>{@code Scheduler}: the engine: submission, the worker loop, stealing, parking, shutdown.</li>
 *   <li>{@code Processor}: a processor (P): run queue, runnext slot, state word, counters.</li>
 *   <li>{@code Worker}: a worker (M): the platform thread that holds a processor, and its parking.</li>
 *   <li>{@code VictimOrder}: the order a worker visits victims in: nearest tier first, random within a tier.</li>
 *   <li>{@code Interleavings}: schedule points for the interleaving explorer, compiled out in normal runs.</li>
 * </ul>
 */
package io.mnscheduler.internal;
