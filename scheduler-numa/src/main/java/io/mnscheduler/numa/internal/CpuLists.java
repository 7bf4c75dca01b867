package io.mnscheduler.numa.internal;

import java.util.BitSet;

/** The kernel's CPU-list format ({@code 0-3,8,10-11}), as in sysfs and {@code Cpus_allowed_list}. */
public final class CpuLists {
    private CpuLists() {
    }

    /**
     * Parses a CPU list; blank text is the empty set.
     *
     * @param source names where the text came from, for the error message
     * @throws IllegalArgumentException naming {@code source} and the text when it is malformed
     */
    public static BitSet parse(String text, String source) {
        BitSet cpus = new BitSet();
        String t = text.strip();
        if (t.isEmpty()) {
            return cpus;
        }
        for (String part : t.split(",")) {
            String p = part.strip();
            try {
                int dash = p.indexOf('-');
                if (dash < 0) {
                    cpus.set(nonNegative(Integer.parseInt(p)));
                } else {
                    int from = nonNegative(Integer.parseInt(p.substring(0, dash)));
                    int to = nonNegative(Integer.parseInt(p.substring(dash + 1)));
                    if (to < from) {
                        throw new NumberFormatException("descending range");
                    }
                    cpus.set(from, to + 1);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Malformed CPU list in " + source + ": '" + text.strip()
                        + "' (at '" + p + "'); expected comma-separated CPU numbers and ranges such as 0-3,8,10-11", e);
            }
        }
        return cpus;
    }

    private static int nonNegative(int cpu) {
        if (cpu < 0) {
            throw new NumberFormatException("negative CPU");
        }
        return cpu;
    }

    /** Formats a set as a CPU list, ranges collapsed. */
    public static String format(BitSet cpus) {
        StringBuilder sb = new StringBuilder();
        for (int from = cpus.nextSetBit(0); from >= 0; ) {
            int to = cpus.nextClearBit(from) - 1;
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(from);
            if (to > from) {
                sb.append('-').append(to);
            }
            from = cpus.nextSetBit(to + 1);
        }
        return sb.toString();
    }
}
