package io.mnscheduler.internal;

/**
 * Schedule points for the interleaving explorer in the tests, in the spirit of Tokio's loom: the
 * lock-free code calls {@link #point()} just before each access to shared state, and an explorer can
 * then decide which thread makes the next access and enumerate the orders systematically.
 *
 * <p>{@link #ENABLED} is read once from the system property {@code io.mnscheduler.interleavings}.
 * It is false in every normal run, and as a static final it lets the JIT drop each call entirely,
 * so the hot paths pay nothing.
 */
public final class Interleavings {
    /** True only in the JVM that explores interleavings. */
    public static final boolean ENABLED = Boolean.getBoolean("io.mnscheduler.interleavings");

    private static volatile Runnable hook; // set by the explorer in tests; read at each point when ENABLED
    private static final ThreadLocal<Boolean> SPINNING = new ThreadLocal<>(); // set around the hook at spin points

    private Interleavings() {
    }

    /** A point where another thread may be scheduled; free unless {@link #ENABLED}. */
    public static void point() {
        if (ENABLED) {
            Runnable h = hook;
            if (h != null) {
                h.run();
            }
        }
    }

    /**
     * A point inside a spin loop, where the calling thread cannot progress until another moves:
     * the explorer runs another thread first. Free unless {@link #ENABLED}.
     */
    public static void spin() {
        if (ENABLED) {
            Runnable h = hook;
            if (h != null) {
                SPINNING.set(Boolean.TRUE);
                try {
                    h.run();
                } finally {
                    SPINNING.remove();
                }
            }
        }
    }

    /** Whether the current thread is at a {@link #spin()} point; for the explorer's hook. */
    public static boolean spinning() {
        return SPINNING.get() != null;
    }

    /** Installs the explorer's hook (null to remove it); tests only. */
    public static void install(Runnable explorerHook) {
        if (!ENABLED) {
            throw new IllegalStateException("run with -Dio.mnscheduler.interleavings=true");
        }
        hook = explorerHook;
    }
}
