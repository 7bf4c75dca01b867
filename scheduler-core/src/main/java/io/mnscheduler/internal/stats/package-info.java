/**
 * Statistics.
 * <ul>
 *   <li>{@code ProcessorCounters}: single-writer event counters of one processor.</li>
 *   <li>{@code LatencyRecorder}: single-writer log-linear histogram of one processor's sampled scheduling latencies.</li>
 * </ul>
 */
package io.mnscheduler.internal.stats;
