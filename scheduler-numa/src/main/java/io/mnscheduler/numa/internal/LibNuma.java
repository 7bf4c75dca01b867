package io.mnscheduler.numa.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Panama FFM bindings to {@code libnuma.so.1}, when present: {@code numa_available} first, then
 * the node, CPU and distance queries, and {@code numa_set_preferred}. {@link #get()} is null where
 * the library is missing, reports NUMA unavailable, or native access is denied, after one log line.
 * The library name can be changed with the system property {@value #LIBRARY_PROPERTY} (the tests
 * point it at a missing name).
 */
@SuppressWarnings("restricted") // binding native functions is the point of this class; users grant it with --enable-native-access
public final class LibNuma {
    /** System property naming the library to load; default {@code libnuma.so.1}. */
    public static final String LIBRARY_PROPERTY = "io.mnscheduler.numa.library";

    private static final System.Logger LOG = System.getLogger("io.mnscheduler.numa");
    private static final LibNuma INSTANCE = load();

    private final MethodHandle maxNode;     // int numa_max_node(void)
    private final MethodHandle nodeOfCpu;   // int numa_node_of_cpu(int)
    private final MethodHandle distance;    // int numa_distance(int, int)
    private final MethodHandle setPreferred; // void numa_set_preferred(int)

    private LibNuma(Linker linker, SymbolLookup numa) {
        maxNode = linker.downcallHandle(find(numa, "numa_max_node"), FunctionDescriptor.of(JAVA_INT));
        nodeOfCpu = linker.downcallHandle(find(numa, "numa_node_of_cpu"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        distance = linker.downcallHandle(find(numa, "numa_distance"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        setPreferred = linker.downcallHandle(find(numa, "numa_set_preferred"), FunctionDescriptor.ofVoid(JAVA_INT));
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libnuma has no " + name));
    }

    private static LibNuma load() {
        String name = System.getProperty(LIBRARY_PROPERTY, "libnuma.so.1");
        if (Libc.get() == null) {
            return null; // not Linux or no native access: already logged
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup numa = SymbolLookup.libraryLookup(name, Arena.global());
            MethodHandle available = linker.downcallHandle(find(numa, "numa_available"), FunctionDescriptor.of(JAVA_INT));
            if ((int) available.invokeExact() < 0) {
                LOG.log(System.Logger.Level.INFO, name + " reports NUMA unavailable; reading the topology from sysfs");
                return null;
            }
            return new LibNuma(linker, numa);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.INFO, "NUMA library " + name + " not found (install libnuma1 to use it); "
                    + "reading the topology from sysfs");
            return null;
        } catch (Throwable e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot use NUMA library " + name + " (" + e + "); reading the topology from sysfs");
            return null;
        }
    }

    /** The bindings, or null (the reason was logged once). */
    public static LibNuma get() {
        return INSTANCE;
    }

    public int maxNode() {
        try {
            return (int) maxNode.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int nodeOfCpu(int cpu) {
        try {
            return (int) nodeOfCpu.invokeExact(cpu);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int distance(int a, int b) {
        try {
            return (int) distance.invokeExact(a, b);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Makes the calling thread allocate from {@code node} first. */
    public void setPreferred(int node) {
        try {
            setPreferred.invokeExact(node);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
