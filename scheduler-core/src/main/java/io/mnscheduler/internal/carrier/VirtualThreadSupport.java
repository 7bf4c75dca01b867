package io.mnscheduler.internal.carrier;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
 *       keep track of live virtual threads.</li>
 * </ul>
 * If a future JDK exposes a public custom-scheduler API, this class is what changes.
 */
public final class VirtualThreadSupport {
    private static final System.Logger LOG = System.getLogger(VirtualThreadSupport.class.getName());

    private static final Constructor<?> BUILDER;      // null when java.lang is not open to us
    private static final MethodHandle CURRENT_CARRIER; // null likewise
    private static final String FAILURE;              // why the above are null

    static {
        Constructor<?> builder = null;
        MethodHandle carrier = null;
        String failure = null;
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
            failure = e.toString();
        }
        BUILDER = builder;
        CURRENT_CARRIER = carrier;
        FAILURE = failure;
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

    private static volatile Field boundThread; // the continuation task's captured VirtualThread; found on first use

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
                    + "Add it to the java command line; the scheduler's ExecutorService methods work without it. Cause: " + FAILURE);
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

    /** The virtual thread whose continuation task {@code task} is, or null when it cannot be told. */
    public static Thread threadOf(Runnable task) {
        Field f = boundThread;
        if (f == null || f.getDeclaringClass() != task.getClass()) {
            f = findBoundThread(task.getClass());
            if (f == null) {
                return null;
            }
            boundThread = f;
        }
        try {
            return (Thread) f.get(task);
        } catch (IllegalAccessException e) {
            return null;
        }
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
