/**
 * Carrying virtual threads.
 * <ul>
 *   <li>{@code CarrierPool}: what virtual threads are built with; submits their continuations, and sets their timed parks' timers on the scheduler's timers.</li>
 *   <li>{@code VirtualThreadSupport}: the one adapter to the JDK's internal virtual-thread scheduler hooks.</li>
 *   <li>{@code VirtualThreadRegistry}: the live virtual threads, striped by the processor they start on, or by thread id when started elsewhere.</li>
 * </ul>
 */
package io.mnscheduler.internal.carrier;
