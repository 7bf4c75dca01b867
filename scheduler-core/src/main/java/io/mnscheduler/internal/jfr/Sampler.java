package io.mnscheduler.internal.jfr;

import jdk.jfr.FlightRecorder;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The periodic {@link ProcessorSampleEvent}s: one hook, added to JFR when the first scheduler is
 * built, emits an event per processor of every live scheduler each period; a scheduler leaves at
 * its termination. The hook runs on JFR's periodic thread, reads each processor's counters racily,
 * and keeps the values of its previous run to report differences (its own state, touched only by
 * that thread, hence the {@code synchronized} on the hook alone).
 */
public final class Sampler {
    /** What a sample reads of one scheduler, by processor index. */
    public interface Source {
        /** The scheduler's name. */
        String name();

        /** The number of processors. */
        int processors();

        /** Tasks run on the processor so far. */
        long tasksExecuted(int processor);

        /** Tasks its worker stole so far. */
        long tasksStolen(int processor);

        /** Parks of its worker so far. */
        long parks(int processor);

        /** Tasks in its queue and runnext slot now. */
        int queueDepth(int processor);

        /** Nanoseconds its workers were awake so far. */
        long busyNanos(int processor);
    }

    private static final System.Logger LOG = System.getLogger(Sampler.class.getName());
    private static final Set<Sampler> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private final Source source;   // final
    private final long[] previous; // the hook's only: executed, stolen, parks, busy of the last sample, 4 per processor

    private Sampler(Source source) {
        this.source = source;
        this.previous = new long[4 * source.processors()];
    }

    /** Starts sampling {@code source}; {@link #close} stops it. */
    public static Sampler start(Source source) {
        if (HOOKED.compareAndSet(false, true)) {
            try {
                FlightRecorder.addPeriodicEvent(ProcessorSampleEvent.class, Sampler::emitAll);
            } catch (RuntimeException | Error e) { // JFR left out of the runtime image, or refused
                LOG.log(System.Logger.Level.INFO, "JFR periodic event io.mnscheduler.ProcessorSample unavailable: " + e);
            }
        }
        Sampler s = new Sampler(source);
        LIVE.add(s);
        return s;
    }

    /** Stops sampling; idempotent. */
    public void close() {
        LIVE.remove(this);
    }

    private static synchronized void emitAll() {
        for (Sampler s : LIVE) {
            s.emit();
        }
    }

    private void emit() {
        String name = source.name();
        for (int p = 0; p < source.processors(); p++) {
            long executed = source.tasksExecuted(p), stolen = source.tasksStolen(p), parks = source.parks(p);
            long busy = source.busyNanos(p);
            ProcessorSampleEvent e = new ProcessorSampleEvent();
            e.scheduler = name;
            e.processor = p;
            e.tasksExecuted = executed - previous[4 * p];
            e.tasksStolen = stolen - previous[4 * p + 1];
            e.parks = parks - previous[4 * p + 2];
            e.busyTime = Math.max(0, busy - previous[4 * p + 3]);
            e.queueDepth = source.queueDepth(p);
            e.commit();
            previous[4 * p] = executed;
            previous[4 * p + 1] = stolen;
            previous[4 * p + 2] = parks;
            previous[4 * p + 3] = busy;
        }
    }
}
