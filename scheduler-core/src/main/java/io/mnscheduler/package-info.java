/**
 * mn-scheduler's public API: {@link io.mnscheduler.WorkStealingScheduler}, an M:N work-stealing
 * {@link java.util.concurrent.ExecutorService}, and {@link io.mnscheduler.SchedulerStats}, its counters.
 */
package io.mnscheduler;
