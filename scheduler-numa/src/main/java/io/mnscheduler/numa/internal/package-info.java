/**
 * The NUMA module's internals; not API.
 * <ul>
 *   <li>{@code Libc}: FFM bindings to libc's affinity calls, chosen once, null where unusable.</li>
 *   <li>{@code LibNuma}: FFM bindings to libnuma, when present.</li>
 *   <li>{@code CpuLists}: the kernel's CPU-list text format.</li>
 * </ul>
 */
package io.mnscheduler.numa.internal;
