/**
 * Run queues, one concern per file.
 * <ul>
 *   <li>{@code RunQueue}: a processor's bounded lock-free queue (owner pushes and pops, thieves steal half).</li>
 *   <li>{@code InjectionQueue}: the global queue for outside submissions and local overflow.</li>
 * </ul>
 */
package io.mnscheduler.internal.queue;
