/**
 * mn-scheduler: a user-space M:N work-stealing scheduler. {@link io.mnscheduler.WorkStealingScheduler}
 * is the entry point; {@link io.mnscheduler.spi} holds the extension points. The engine
 * ({@code io.mnscheduler.internal} and its subpackages) is not exported.
 *
 * <p>Carrying virtual threads needs {@code --add-opens java.base/java.lang=io.mnscheduler} on the
 * module path ({@code =ALL-UNNAMED} on the class path): JDK 25 has no public API for a custom
 * virtual-thread scheduler. Nothing else needs a flag.
 */
// Agrona is an automatic module (its jar names itself org.agrona and has no descriptor); the public
// API takes its IdleStrategy, so readers of this module read it too.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.mnscheduler {
    requires transitive org.agrona;
    requires java.management; // the scheduler's MXBean
    requires jdk.jfr;         // its JFR events

    exports io.mnscheduler;
    exports io.mnscheduler.spi;
}
