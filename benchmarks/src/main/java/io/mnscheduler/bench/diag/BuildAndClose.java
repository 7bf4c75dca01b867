package io.mnscheduler.bench.diag;

import io.mnscheduler.WorkStealingScheduler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * What a large parallelism costs: for each parallelism given, builds a scheduler, runs 1,000
 * outside tasks, closes it, and prints the three times, the heap in use (after a GC, the pool still
 * reachable) and the live threads; then the same for {@code ForkJoinPool} for comparison. One JVM per run: JIT state and
 * HotSpot's thread list carry over between sizes, so run one size per JVM for clean figures.
 *
 * <pre>
 * for p in 1000 8000 16000 32767; do java -cp benchmarks/target/benchmarks.jar io.mnscheduler.bench.diag.BuildAndClose $p; done
 * </pre>
 */
public final class BuildAndClose {
    private static final int TASKS = 1000;

    private BuildAndClose() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: BuildAndClose parallelism...  (1 to " + WorkStealingScheduler.Builder.MAX_PARALLELISM + ")");
            System.exit(2);
        }
        for (String arg : args) {
            int p = Integer.parseInt(arg);
            mnScheduler(p);
            forkJoinPool(p);
        }
    }

    private static void mnScheduler(int p) throws InterruptedException {
        long t0 = System.nanoTime();
        WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(p).build();
        long t1 = System.nanoTime();
        runTasks(s::execute);
        long t2 = System.nanoTime();
        int threads = Thread.activeCount();
        long heap = heapAfterGc(); // the scheduler still reachable: its own footprint is in this figure
        s.close();
        long t3 = System.nanoTime();
        report("mn-scheduler", p, t0, t1, t2, t3, threads, heap);
    }

    private static void forkJoinPool(int p) throws InterruptedException {
        long t0 = System.nanoTime();
        ForkJoinPool f = new ForkJoinPool(p);
        long t1 = System.nanoTime();
        runTasks(f::execute);
        long t2 = System.nanoTime();
        int threads = Thread.activeCount();
        long heap = heapAfterGc();
        f.close();
        long t3 = System.nanoTime();
        report("ForkJoinPool", p, t0, t1, t2, t3, threads, heap);
    }

    private static long heapAfterGc() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) >> 20;
    }

    private static void runTasks(java.util.function.Consumer<Runnable> submit) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(TASKS);
        for (int i = 0; i < TASKS; i++) {
            submit.accept(done::countDown);
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("tasks did not finish");
        }
    }

    private static void report(String pool, int p, long t0, long t1, long t2, long t3, int threads, long heapMb) {
        System.out.printf("%-13s parallelism %6d: build %6.3f s, %d tasks %6.3f s, close %6.3f s; %4d MB heap in use;"
                        + " %5d live threads before close%n", pool, p, (t1 - t0) / 1e9, TASKS, (t2 - t1) / 1e9,
                (t3 - t2) / 1e9, heapMb, threads);
    }
}
