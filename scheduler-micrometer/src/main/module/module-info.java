/**
 * A Micrometer binder for mn-scheduler: {@link io.mnscheduler.micrometer.WorkStealingSchedulerMetrics}.
 */
// Micrometer's jar names itself micrometer.core (an automatic module); the binder's API takes its types.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.mnscheduler.micrometer {
    requires transitive io.mnscheduler;
    requires transitive micrometer.core;

    exports io.mnscheduler.micrometer;
}
