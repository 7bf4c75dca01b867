/**
 * NUMA support for mn-scheduler, one line of configuration:
 * {@code WorkStealingScheduler.builder().placement(NumaPlacement.pinToCpu())}.
 * <ul>
 *   <li>{@link io.mnscheduler.numa.NumaTopology}: nodes, their CPUs, distances; detected or read from a sysfs-shaped directory.</li>
 *   <li>{@link io.mnscheduler.numa.NumaPlacement}: pin to a CPU or a node, and steal from the own node first.</li>
 *   <li>{@link io.mnscheduler.numa.Affinity}: the calling thread's affinity and CPU, through Panama FFM.</li>
 * </ul>
 * Needs {@code --enable-native-access=ALL-UNNAMED} on the class path, or
 * {@code --enable-native-access=io.mnscheduler.numa} on the module path; without it, or off Linux, pinning falls back
 * to a no-op with one log line.
 */
package io.mnscheduler.numa;
