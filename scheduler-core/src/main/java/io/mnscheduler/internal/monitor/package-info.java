/**
 * The monitor thread.
 * <ul>
 *   <li>{@code Monitor}: ticks, requests preemption from long-running tasks, hands off the processors of blocked ones.</li>
 * </ul>
 */
package io.mnscheduler.internal.monitor;
