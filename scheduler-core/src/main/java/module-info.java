/**
 * mn-scheduler core: a user-space M:N work-stealing scheduler. Only {@code io.mnscheduler} is
 * exported; everything under {@code io.mnscheduler.internal} is the implementation.
 */
module io.mnscheduler {
    requires transitive org.agrona;

    exports io.mnscheduler;
}
