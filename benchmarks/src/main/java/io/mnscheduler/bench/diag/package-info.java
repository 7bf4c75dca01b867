/**
 * Diagnostic loops behind figures quoted in the README and {@code src/docs/decisions.md}; the JMH
 * benchmarks, not these, are what the targets are judged by.
 * <ul>
 *   <li>{@code WakeLoop}: submit-to-start latency of single tasks after an idle gap, rounds of percentiles.</li>
 *   <li>{@code AlternatingRounds}: two pools take turns at one workload in 1-second rounds in one JVM.</li>
 * </ul>
 */
package io.mnscheduler.bench.diag;
