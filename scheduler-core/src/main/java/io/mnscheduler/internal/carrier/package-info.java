/**
 * Carrying virtual threads.
 * <ul>
 *   <li>{@code VirtualThreadSupport}: the one adapter to the JDK's internal virtual-thread scheduler hooks.</li>
 * </ul>
 */
package io.mnscheduler.internal.carrier;
