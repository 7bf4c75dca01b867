/**
 * Statistics.
 * <ul>
 *   <li>{@code ProcessorCounters}: single-writer event counters of one processor.</li>
 * </ul>
 */
package io.mnscheduler.internal.stats;
