package io.mnscheduler.numa;

import io.mnscheduler.numa.internal.CpuLists;
import io.mnscheduler.numa.internal.Libc;

import java.util.BitSet;

/**
 * The calling thread's CPU affinity, through libc ({@code sched_getaffinity},
 * {@code sched_setaffinity}, {@code sched_getcpu}) by Panama FFM. Needs
 * {@code --enable-native-access=ALL-UNNAMED} (on the module path:
 * {@code --enable-native-access=io.mnscheduler.numa}) to run without a JDK warning. Where it cannot work
 * (not Linux, or native access denied with {@code --illegal-native-access=deny}), one log line says
 * so and every method falls back: pinning does nothing, the affinity is every available CPU, the
 * current CPU is unknown. Thread-safe.
 */
public final class Affinity {
    private static final BitSet PROCESS = initialAffinity(); // the CPUs allowed when this class loaded

    private Affinity() {
    }

    private static BitSet initialAffinity() {
        Libc libc = Libc.get();
        if (libc != null) {
            return libc.currentThreadAffinity();
        }
        BitSet all = new BitSet();
        all.set(0, Runtime.getRuntime().availableProcessors());
        return all;
    }

    /**
     * Whether pinning really happens here.
     *
     * @return true on Linux with native access granted
     */
    public static boolean isSupported() {
        return Libc.get() != null;
    }

    /**
     * The CPU the calling thread runs on now, or -1 when that cannot be told.
     *
     * @return the CPU number, or -1
     */
    public static int currentCpu() {
        Libc libc = Libc.get();
        return libc == null ? -1 : libc.currentCpu();
    }

    /**
     * The CPUs the calling thread may run on; every available CPU where that cannot be read.
     *
     * @return the CPUs, a new set
     */
    public static BitSet currentThreadAffinity() {
        Libc libc = Libc.get();
        return libc == null ? (BitSet) PROCESS.clone() : libc.currentThreadAffinity();
    }

    /**
     * Restricts the calling thread to {@code cpus}; does nothing where pinning is unsupported.
     *
     * @param cpus the CPUs the thread may run on, a non-empty subset of the process's allowed set
     * @throws IllegalArgumentException when {@code cpus} is empty or holds a CPU outside the
     *                                  process's allowed set; the message lists both
     * @throws IllegalStateException    with the errno name when the kernel refuses
     */
    public static void pinCurrentThread(BitSet cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("Empty CPU set; allowed: a non-empty subset of " + CpuLists.format(PROCESS));
        }
        BitSet outside = (BitSet) cpus.clone();
        outside.andNot(PROCESS);
        if (!outside.isEmpty()) {
            throw new IllegalArgumentException("CPUs " + CpuLists.format(outside) + " are outside the allowed set "
                    + CpuLists.format(PROCESS));
        }
        Libc libc = Libc.get();
        if (libc != null) {
            libc.pinCurrentThread(cpus);
        }
    }

    /** The CPUs this process was allowed when the library loaded. */
    static BitSet processAffinity() {
        return (BitSet) PROCESS.clone();
    }
}
