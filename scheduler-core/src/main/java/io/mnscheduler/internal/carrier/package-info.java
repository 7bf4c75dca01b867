/**
 * Carrying virtual threads.
 * <ul>
 *   <li>{@code VirtualThreadSupport}: the one adapter to the JDK's internal virtual-thread scheduler hooks.</li>
 *   <li>{@code VirtualThreadRegistry}: the live virtual threads, striped by the processor they start on.</li>
 * </ul>
 */
package io.mnscheduler.internal.carrier;
