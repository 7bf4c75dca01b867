/**
 * Extension points of the scheduler, one method each: {@link io.mnscheduler.spi.WorkerPlacement}
 * places a worker and (by a default method) orders the victims it steals from.
 */
package io.mnscheduler.spi;
