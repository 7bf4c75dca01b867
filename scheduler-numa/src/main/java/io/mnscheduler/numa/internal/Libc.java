package io.mnscheduler.numa.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.BitSet;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Panama FFM bindings to libc's {@code sched_getaffinity}, {@code sched_setaffinity},
 * {@code sched_getcpu} and {@code gettid}. Errors are read through {@code captureCallState("errno")}
 * and reported with the errno name. Loaded once; {@link #get()} is null where it cannot work (not
 * Linux, or native access denied), after one log line that says why.
 */
@SuppressWarnings("restricted") // binding native functions is the point of this class; users grant it with --enable-native-access
public final class Libc {
    private static final System.Logger LOG = System.getLogger("io.mnscheduler.numa");
    private static final Map<Integer, String> ERRNO_NAMES = Map.of(1, "EPERM", 3, "ESRCH", 12, "ENOMEM",
            14, "EFAULT", 22, "EINVAL", 38, "ENOSYS");
    private static final int EINVAL = 22;
    private static final int MIN_MASK_BYTES = 128;      // glibc's cpu_set_t: 1024 CPUs
    private static final int MAX_MASK_BYTES = 1 << 16;  // 524,288 CPUs

    private static final Libc INSTANCE = load();

    private final MethodHandle getAffinity; // int sched_getaffinity(pid_t, size_t, cpu_set_t*), errno captured
    private final MethodHandle setAffinity; // int sched_setaffinity(pid_t, size_t, const cpu_set_t*), errno captured
    private final MethodHandle getCpu;      // int sched_getcpu(void), errno captured
    private final MethodHandle getTid;      // pid_t gettid(void)
    private final StructLayout capture;
    private final VarHandle errno;

    private Libc(Linker linker) {
        SymbolLookup libc = linker.defaultLookup();
        capture = Linker.Option.captureStateLayout();
        errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        Linker.Option keepErrno = Linker.Option.captureCallState("errno");
        getAffinity = linker.downcallHandle(find(libc, "sched_getaffinity"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), keepErrno);
        setAffinity = linker.downcallHandle(find(libc, "sched_setaffinity"),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), keepErrno);
        getCpu = linker.downcallHandle(find(libc, "sched_getcpu"), FunctionDescriptor.of(JAVA_INT), keepErrno);
        getTid = linker.downcallHandle(find(libc, "gettid"), FunctionDescriptor.of(JAVA_INT));
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static Libc load() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            LOG.log(System.Logger.Level.WARNING, "CPU pinning needs Linux (this is " + os + "); workers will not be pinned");
            return null;
        }
        try {
            return new Libc(Linker.nativeLinker());
        } catch (IllegalCallerException e) {
            LOG.log(System.Logger.Level.WARNING, "Native access is denied (" + e.getMessage() + "); workers will not be "
                    + "pinned. Run with " + nativeAccessFlag() + " to pin them");
            return null;
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot bind libc's scheduling calls (" + e + "); workers will not be pinned");
            return null;
        }
    }

    /**
     * The JVM flag that grants this library native access, for the way it was loaded: its module's
     * name on the module path, {@code ALL-UNNAMED} on the class path.
     */
    public static String nativeAccessFlag() {
        Module m = Libc.class.getModule();
        return "--enable-native-access=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED");
    }

    /** The bindings, or null where they cannot work (the reason was logged once). */
    public static Libc get() {
        return INSTANCE;
    }

    /** The CPUs the calling thread may run on. */
    public BitSet currentThreadAffinity() {
        for (int bytes = MIN_MASK_BYTES; bytes <= MAX_MASK_BYTES; bytes *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(capture);
                MemorySegment mask = arena.allocate(bytes, 8);
                int rc = (int) getAffinity.invokeExact(state, 0, (long) bytes, mask);
                if (rc == 0) {
                    return BitSet.valueOf(mask.toArray(JAVA_LONG));
                }
                int e = (int) errno.get(state, 0L);
                if (e != EINVAL) {
                    throw failure("sched_getaffinity", e);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        throw new IllegalStateException("sched_getaffinity: no mask of up to " + MAX_MASK_BYTES + " bytes was large enough");
    }

    /**
     * Restricts the calling thread to {@code cpus}.
     *
     * @throws IllegalStateException with the errno name when the kernel refuses
     */
    public void pinCurrentThread(BitSet cpus) {
        long[] words = cpus.toLongArray();
        int bytes = Math.max(MIN_MASK_BYTES, words.length * 8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(capture);
            MemorySegment mask = arena.allocate(bytes, 8);
            MemorySegment.copy(words, 0, mask, JAVA_LONG, 0, words.length);
            int rc = (int) setAffinity.invokeExact(state, 0, (long) bytes, mask);
            if (rc != 0) {
                throw failure("sched_setaffinity(" + CpuLists.format(cpus) + ")", (int) errno.get(state, 0L));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The CPU the calling thread runs on now, or -1 with no answer. */
    public int currentCpu() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(capture);
            return (int) getCpu.invokeExact(state);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** The kernel's id of the calling thread, as in {@code /proc/self/task/<tid>}. */
    public int currentThreadId() {
        try {
            return (int) getTid.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static IllegalStateException failure(String call, int errno) {
        return new IllegalStateException(call + " failed: " + ERRNO_NAMES.getOrDefault(errno, "errno " + errno));
    }
}
