package io.mnscheduler.internal.carrier;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.concurrent.Executor;

/**
 * The one place that reaches into the JDK for virtual threads. JDK 25 has no public API for a
 * custom virtual-thread scheduler, so this uses three package-private members of {@code java.lang},
 * which need {@code --add-opens java.base/java.lang=ALL-UNNAMED}:
 * <ul>
 *   <li>the constructor {@code ThreadBuilders.VirtualThreadBuilder(Executor)}, whose threads submit
 *       every continuation (start, unpark, yield) to the given executor;</li>
 *   <li>{@code Thread.currentCarrierThread()}, to find the worker a virtual thread runs on;</li>
 *   <li>the virtual thread bound into its continuation task ({@code this::runContinuation}), to
 *       keep track of live virtual threads;</li>
 *   <li>the private {@code VirtualThread.state}, read to tell a thread's first submission (its
 *       start, state {@code STARTED}) from the later ones without a map lookup per submission.
 *       Where that field cannot be read, the scheduler falls back to looking the task up.</li>
 * </ul>
 * If a future JDK exposes a public custom-scheduler API, this class is what changes.
 */
public final class VirtualThreadSupport {
    private static final System.Logger LOG = System.getLogger(VirtualThreadSupport.class.getName());

    private static final Constructor<?> BUILDER;      // null when java.lang is not open to us
    private static final MethodHandle CURRENT_CARRIER; // null likewise
    private static final Throwable FAILURE;           // why the above are null; the cause of newBuilder's exception
    private static final Class<?> CONTINUATION_CLASS; // the class of every continuation task; null when not found
    private static final Field BOUND_THREAD;          // its captured VirtualThread; null when not found
    private static final VarHandle STATE;             // VirtualThread.state (volatile int); null when not found
    private static final int STARTED;                 // VirtualThread.STARTED: started, first submission not yet run

    /** {@link #startState}: the submission starts the thread. */
    public static final int START = 0;
    /** {@link #startState}: the thread ran before (an unpark or a yield). */
    public static final int RESUME = 1;
    /** {@link #startState}: cannot be told here; look the task up. */
    public static final int UNKNOWN = 2;

    static {
        Constructor<?> builder = null;
        MethodHandle carrier = null;
        Throwable failure = null;
        try {
            Class<?> c = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            Constructor<?> k = c.getDeclaredConstructor(Executor.class);
            k.setAccessible(true);
            builder = k;
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());
            carrier = lookup.findStatic(Thread.class, "currentCarrierThread", MethodType.methodType(Thread.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            builder = null;
            carrier = null;
            failure = e;
        }
        BUILDER = builder;
        CURRENT_CARRIER = carrier;
        FAILURE = failure;
        Class<?> continuationClass = null;
        Field bound = null;
        VarHandle state = null;
        int started = -1;
        if (builder != null) {
            try {
                Class<?> vtClass = Class.forName("java.lang.VirtualThread");
                Executor never = task -> {
                    throw new IllegalStateException("never started");
                };
                Thread probe = ((Thread.Builder.OfVirtual) builder.newInstance(never)).unstarted(() -> { });
                Field task = vtClass.getDeclaredField("runContinuation");
                task.setAccessible(true);
                continuationClass = task.get(probe).getClass();
                bound = findBoundThread(continuationClass);
                state = MethodHandles.privateLookupIn(vtClass, MethodHandles.lookup()).findVarHandle(vtClass, "state", int.class);
                Field startedField = vtClass.getDeclaredField("STARTED");
                startedField.setAccessible(true);
                started = startedField.getInt(null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Virtual-thread states cannot be read (" + e + "); continuation "
                        + "submissions are told apart by a lookup instead");
            }
        }
        if (bound == null || state == null) { // all or nothing: a partial set would misclassify tasks
            continuationClass = null;
            bound = null;
            state = null;
        }
        CONTINUATION_CLASS = continuationClass;
        BOUND_THREAD = bound;
        STATE = state;
        STARTED = started;
        if (builder != null) {
            startJdkPollersOffOurScheduler();
        }
    }

    /**
     * A virtual thread created by a virtual thread inherits its scheduler. The JDK starts its I/O
     * sub-poller threads ({@code sun.nio.ch.Poller}, virtual threads on Linux) from whichever thread
     * first blocks on I/O; were that one of ours, the JVM's pollers would live on our workers
     * forever, hold the scheduler open, and die with it. So the poller class is initialised here,
     * from a platform thread, before any of our virtual threads can exist: its pollers then run on
     * the JDK's default scheduler.
     */
    private static void startJdkPollersOffOurScheduler() {
        // The task must not be code of this class: the thread running it would wait for this
        // class's initialisation, which waits for that thread.
        Thread starter = Thread.ofPlatform().daemon().name("mn-poller-init").start(new PollerInit());
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Initialises the JDK's poller class; independent of {@link VirtualThreadSupport}'s initialisation. */
    private static final class PollerInit implements Runnable {
        @Override
        public void run() {
            try {
                Class.forName("sun.nio.ch.Poller", true, null);
            } catch (Throwable e) {
                System.getLogger(PollerInit.class.getName()).log(System.Logger.Level.WARNING,
                        "Could not start the JDK's I/O pollers on its default scheduler (" + e + "); if the first "
                        + "blocking I/O happens on a virtual thread of a WorkStealingScheduler, the JDK's pollers "
                        + "will be carried by it");
            }
        }
    }

    private VirtualThreadSupport() {
    }

    /** The JVM flag this class needs, for the module this library was loaded in. */
    public static String requiredFlag() {
        Module m = VirtualThreadSupport.class.getModule();
        return "--add-opens java.base/java.lang=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED");
    }

    /** Whether virtual threads can be carried here. */
    public static boolean available() {
        return BUILDER != null;
    }

    /**
     * A JDK virtual-thread builder whose threads submit their continuations to {@code scheduler}.
     *
     * @throws UnsupportedOperationException when {@code java.lang} is not open to this library
     */
    public static Thread.Builder.OfVirtual newBuilder(Executor scheduler) {
        if (BUILDER == null) {
            throw new UnsupportedOperationException("Virtual threads carried by a WorkStealingScheduler need the JVM flag "
                    + requiredFlag() + " (JDK 25 has no public API for a custom virtual-thread scheduler). "
                    + "Add it to the java command line; the scheduler's ExecutorService methods work without it. Cause: " + FAILURE,
                    FAILURE);
        }
        try {
            return (Thread.Builder.OfVirtual) BUILDER.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("Cannot create a virtual-thread builder: " + e, e);
        }
    }

    /**
     * The platform thread the caller runs on: the carrier when the caller is a virtual thread,
     * else the caller itself.
     */
    public static Thread currentCarrier() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual() || CURRENT_CARRIER == null) {
            return t;
        }
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable e) {
            return t;
        }
    }

    /** The virtual thread whose continuation task {@code task} is, or null when it is none or cannot be told. */
    public static Thread threadOf(Runnable task) {
        if (BOUND_THREAD == null || task.getClass() != CONTINUATION_CLASS) {
            return null;
        }
        try {
            return (Thread) BOUND_THREAD.get(task);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    /**
     * Whether {@code task} may be a continuation task: false only when it surely is not (its class is
     * known and differs), so that plain tasks skip the virtual-thread bookkeeping.
     */
    public static boolean mayBeContinuation(Runnable task) {
        return CONTINUATION_CLASS == null || task.getClass() == CONTINUATION_CLASS;
    }

    /**
     * Whether this submission of continuation task {@code task} starts its thread ({@link #START}),
     * resumes it ({@link #RESUME}), or cannot be told here ({@link #UNKNOWN}). Read during the
     * submission: the JDK submits a start with the thread in state {@code STARTED}, which it leaves
     * only by running.
     */
    public static int startState(Runnable task) {
        Thread vt = threadOf(task);
        if (vt == null) {
            return UNKNOWN;
        }
        return notYetRun(vt) ? START : RESUME;
    }

    /**
     * Whether virtual thread {@code vt} (from {@link #threadOf}, so its state can be read) is started
     * and has not run yet: a volatile read of its state, which leaves STARTED only by running.
     */
    public static boolean notYetRun(Thread vt) {
        return (int) STATE.getVolatile(vt) == STARTED;
    }

    private static Field findBoundThread(Class<?> taskClass) {
        for (Field f : taskClass.getDeclaredFields()) {
            if (Thread.class.isAssignableFrom(f.getType())) {
                try {
                    f.setAccessible(true);
                    return f;
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "Cannot read the virtual thread of a continuation task ("
                            + e + "); shutdown will not wait for virtual threads");
                    return null;
                }
            }
        }
        return null;
    }
}
