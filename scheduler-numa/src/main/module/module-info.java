/**
 * NUMA support for mn-scheduler: topology, CPU pinning through Panama FFM, and NUMA-aware placement
 * ({@link io.mnscheduler.numa.NumaPlacement}). Pinning needs
 * {@code --enable-native-access=io.mnscheduler.numa} on the module path
 * ({@code =ALL-UNNAMED} on the class path); without it, pinning falls back to a no-op with one log line.
 */
module io.mnscheduler.numa {
    requires transitive io.mnscheduler;

    exports io.mnscheduler.numa;
}
