package io.mnscheduler;

import io.mnscheduler.internal.jfr.HandOffEvent.Reason;
import io.mnscheduler.internal.jfr.ThreadStates;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.mnscheduler.ObservabilityTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The monitor's reading of a thread's kernel state, against real threads: one asleep in a socket
 * read (handed off as blocked in the kernel), one spinning (running: {@code R} with its CPU time
 * advancing), and one runnable but held off the CPU, pinned with {@code taskset} to one CPU together
 * with fifteen spinning threads: the monitor asks it to yield, but does not hand its processor off
 * while it barely runs, and does once it runs again.
 */
class KernelStateTest {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Test
    void aThreadInASocketReadIsAsleepInTheKernel() throws Exception {
        assumeTrue(ThreadStates.currentTid() != ThreadStates.NO_TID, "needs /proc/thread-self (Linux)");
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            AtomicInteger tid = new AtomicInteger(ThreadStates.NO_TID);
            Thread reader = Thread.ofPlatform().start(() -> {
                tid.set(ThreadStates.currentTid());
                try {
                    accepted.read(ByteBuffer.allocate(1));
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            await(() -> tid.get() != ThreadStates.NO_TID && ThreadStates.kernelState(tid.get()) == 'S',
                    "the reader sleeps in read(2)");
            assertEquals(Thread.State.RUNNABLE, reader.getState(), "Java sees a thread in a system call as running");
            assertEquals(Reason.BLOCKED_IN_KERNEL, Reason.waiting(reader.getState(), ThreadStates.kernelState(tid.get())));
            client.write(ByteBuffer.wrap(new byte[]{1}));
            reader.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(reader.isAlive());
        }
    }

    @Test
    void aSpinningThreadIsRunningWithItsCpuTimeAdvancing() throws Exception {
        assumeTrue(ThreadStates.currentTid() != ThreadStates.NO_TID, "needs /proc/thread-self (Linux)");
        assumeTrue(THREADS.isThreadCpuTimeSupported(), "needs per-thread CPU time");
        AtomicInteger tid = new AtomicInteger(ThreadStates.NO_TID);
        Spinners stop = new Spinners();
        Thread spinner = Thread.ofPlatform().start(() -> {
            tid.set(ThreadStates.currentTid());
            stop.spin();
        });
        try {
            await(() -> tid.get() != ThreadStates.NO_TID, "the spinner started");
            long cpu = THREADS.getThreadCpuTime(spinner.threadId());
            await(() -> THREADS.getThreadCpuTime(spinner.threadId()) > cpu + TimeUnit.MILLISECONDS.toNanos(20),
                    "the spinner's CPU time advances");
            await(() -> ThreadStates.kernelState(tid.get()) == 'R', "the spinner is seen running");
            assertEquals(null, Reason.waiting(spinner.getState(), 'R'), "a running thread is not waiting");
        } finally {
            stop.stop();
            spinner.join();
        }
    }

    @Test
    void aRunnableTaskHeldOffTheCpuKeepsItsProcessorUntilItRunsAgain() throws Exception {
        assumeTrue(ThreadStates.currentTid() != ThreadStates.NO_TID, "needs /proc/thread-self (Linux)");
        assumeTrue(THREADS.isThreadCpuTimeSupported(), "needs per-thread CPU time");
        int cpu = firstAllowedCpu();
        assumeTrue(cpu >= 0 && pin(ThreadStates.currentTid(), cpu, true), "needs taskset (util-linux) and an allowed CPU");
        pin(ThreadStates.currentTid(), -1, true); // the test thread itself runs anywhere again
        Spinners competitors = new Spinners();
        List<Thread> pinned = new ArrayList<>();
        CountDownLatch competing = new CountDownLatch(15);
        for (int i = 0; i < 15; i++) {
            pinned.add(Thread.ofPlatform().daemon().start(() -> {
                pin(ThreadStates.currentTid(), cpu, false);
                competing.countDown();
                competitors.spin();
            }));
        }
        Spinners task = new Spinners();
        // A 100 ms tick: the share of CPU since the request is taken over 100 ms or more, long enough
        // for the kernel to share one CPU fairly among 16 threads (about 6% each; the rule is 25%).
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1)
                .preemptionTick(Duration.ofMillis(100)).handOffTicks(2).build()) {
            try {
                assertTrue(competing.await(60, TimeUnit.SECONDS));
                CountDownLatch started = new CountDownLatch(1);
                Future<?> spinner = s.submit(() -> {
                    pin(ThreadStates.currentTid(), cpu, false);
                    started.countDown();
                    task.spin(); // computes, and never yields
                });
                assertTrue(started.await(60, TimeUnit.SECONDS));
                Future<?> behind = s.submit(() -> { });
                await(() -> s.stats().handOffsDeclined() >= 1, "the monitor declines to hand off a task held off the CPU");
                assertFalse(behind.isDone(), "the task behind waits: no hand-off while the CPU is the bottleneck");
                assertEquals(0, s.stats().handOffs());
                assertTrue(s.stats().preemptionRequests() >= 1);

                competitors.stop(); // the task's thread now has its CPU to itself, and makes progress
                behind.get(60, TimeUnit.SECONDS);
                assertEquals(1, s.stats().handOffs(), "handed off once it ran again while holding up work");
                task.stop();
                spinner.get(60, TimeUnit.SECONDS);
            } finally {
                competitors.stop(); // before close(), which waits for the spinning task
                task.stop();
            }
        } finally {
            for (Thread t : pinned) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
    }

    /** A stop flag for spinning threads. */
    private static final class Spinners {
        private volatile boolean stopped; // written by the test thread, read by the spinners

        void spin() {
            while (!stopped) {
                Thread.onSpinWait();
            }
        }

        void stop() {
            stopped = true;
        }
    }

    /** The first CPU this process may run on, from /proc/self/status, or -1. */
    private static int firstAllowedCpu() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return Integer.parseInt(line.substring(line.indexOf(':') + 1).trim().split("[-,]")[0]);
            }
        }
        return -1;
    }

    /** Pins kernel task {@code tid} to {@code cpu} (-1: every allowed CPU) with taskset; false if that failed. */
    private static boolean pin(int tid, int cpu, boolean quiet) {
        try {
            String cpus = cpu >= 0 ? Integer.toString(cpu) : allowedCpus();
            Process p = new ProcessBuilder("taskset", "-p", "-c", cpus, Integer.toString(tid))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
            if (!ok && !quiet) {
                throw new IllegalStateException("taskset -p -c " + cpus + " " + tid + " failed");
            }
            return ok;
        } catch (IOException | InterruptedException e) {
            if (quiet) {
                return false;
            }
            throw new IllegalStateException("taskset could not run", e);
        }
    }

    private static String allowedCpus() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        throw new IOException("no Cpus_allowed_list in /proc/self/status");
    }
}
