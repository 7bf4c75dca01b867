package io.mnscheduler.bench.diag;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The HotSpot mechanism behind the same-JVM mode's "loop interpreted" slow mode, reproduced without
 * the scheduler: a thread whose loop never returns (as a worker's {@code WorkerLoop.run}) keeps
 * running that loop's compiled-on-stack code after the code is made not entrant, and a direct call
 * from such code that was resolved while the callee had no compiled code stays bound to the
 * interpreter (HotSpot re-binds such a call site only from code still in use:
 * {@code SharedRuntime::fixup_callers_callsite}). A call through a method handle that is not a
 * constant is not bound at the call site, and keeps reaching the callee's current code.
 *
 * <pre>
 * java -XX:-TieredCompilation -XX:CompileCommand=quiet "-XX:CompileCommand=dontinline,*StaleCallSite::work" \
 *   -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.StaleCallSite direct|handle
 * </pre>
 *
 * Two threads run {@code loop}, which calls {@code work} directly or through a handle. Once both
 * run {@code loop} compiled on stack and {@code work} compiled, the second thread takes a branch
 * {@code loop}'s compilation never saw (an uncommon trap that makes that code not entrant; the
 * first thread stays in it), then a branch {@code work}'s compilation never saw makes {@code work}
 * not entrant. {@code work} compiles again; the program then counts each thread's calls of
 * {@code work} for two seconds and prints the first thread's rate as a share of the second's: about
 * 1 when both call compiled code. (It counts calls because JFR's execution samples, tried first,
 * found the first thread's interpreted {@code work} but no sample at all of the compiled one.)
 * C2 only ({@code -XX:-TieredCompilation}) and no inlining of {@code work} make the sequence of
 * compilations the same in every run; the same-JVM mode met it under tiered compilation, where the
 * on-stack code of the loop is also made not entrant by its own compilation at the next tier.
 */
public final class StaleCallSite {
    private static volatile boolean stop;
    private static volatile boolean loopTrap;  // read by the second thread only: a branch its compilation never saw
    private static volatile boolean workTrap;  // a branch work's compilation never saw
    private static volatile long sink;
    private static final AtomicLongArray CALLS = new AtomicLongArray(2); // per thread: calls of work so far

    /** {@code work}, called through this when the mode is "handle": not final, so never a constant. */
    private static MethodHandle workHandle;

    private StaleCallSite() {
    }

    /** Arguments: {@code direct} or {@code handle}. */
    public static void main(String[] args) throws Throwable {
        if (args.length != 1 || !(args[0].equals("direct") || args[0].equals("handle"))) {
            throw new IllegalArgumentException("argument: direct or handle; got " + String.join(" ", args));
        }
        boolean handle = args[0].equals("handle");
        workHandle = MethodHandles.lookup().findStatic(StaleCallSite.class, "work", MethodType.methodType(long.class, long.class));
        Thread first = new Thread(() -> loop(false, handle), "first");
        Thread second = new Thread(() -> loop(true, handle), "second");
        first.start();
        second.start();
        Thread.sleep(4_000); // both threads in loop's on-stack code, work compiled
        loopTrap = true;     // the second thread traps in loop's code: not entrant, the first stays in it
        Thread.sleep(1_000);
        workTrap = true;     // work's code made not entrant; calls made before it compiles again resolve to the interpreter
        Thread.sleep(50);
        workTrap = false;
        Thread.sleep(4_000); // work compiled again
        long[] before = {CALLS.get(0), CALLS.get(1)};
        Thread.sleep(2_000);
        long[] after = {CALLS.get(0), CALLS.get(1)};
        stop = true;
        first.join();
        second.join();
        for (int t = 0; t < 2; t++) {
            System.out.printf(Locale.ROOT, "%s, %s thread: %,d calls of work in 2 s%n", args[0], t == 0 ? "first" : "second",
                    after[t] - before[t]);
        }
        System.out.printf(Locale.ROOT, "%s: the first thread ran at %.2f of the second's rate%n", args[0],
                (double) (after[0] - before[0]) / (after[1] - before[1]));
    }

    /** Never returns before {@code stop}: compiled only on stack, as a worker's life-long loop. */
    private static void loop(boolean second, boolean handle) {
        int me = second ? 1 : 0;
        long acc = 0;
        for (long calls = 1; !stop; calls++) {
            if (second && loopTrap) {
                acc++; // never taken while loop compiled: its uncommon trap
            }
            acc += handle ? viaHandle(acc) : work(acc);
            CALLS.lazySet(me, calls); // written by this thread only; read by main
        }
        sink = acc;
    }

    private static long viaHandle(long x) {
        try {
            return (long) workHandle.invokeExact(x);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** About a microsecond of arithmetic. */
    private static long work(long x) {
        if (workTrap) {
            sink = x; // never taken while work compiled: its uncommon trap
        }
        long h = x;
        for (int i = 0; i < 1_000; i++) {
            h = h * 31 + i;
        }
        return h & 1;
    }
}
