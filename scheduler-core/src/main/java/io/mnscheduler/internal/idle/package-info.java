/**
 * Idling and waking.
 * <ul>
 *   <li>{@code Idle}: counts searching and unparked workers, keeps the parked ones, decides whom to wake.</li>
 * </ul>
 */
package io.mnscheduler.internal.idle;
