package io.mnscheduler.examples;

import io.mnscheduler.WorkStealingScheduler;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * "What blocked my scheduler?": records a workload in which one task waits for a reply (a latch
 * nobody counts down in time) and another blocks in a read from a pipe nobody writes to, with the
 * JFR settings shipped in the
 * scheduler's jar, then prints each {@code io.mnscheduler.HandOff} event it recorded: the
 * processor, the reason, how long the task had held it, and the stack of the task that held it.
 *
 * <pre>mvn -q -pl examples -am package exec:exec@jfr-handoffs -DskipTests</pre>
 */
public final class JfrHandOffs {
    private JfrHandOffs() {
    }

    public static void main(String[] args) throws Exception {
        Configuration settings;
        try (Reader jfc = new InputStreamReader(Objects.requireNonNull(
                WorkStealingScheduler.class.getResourceAsStream("/io/mnscheduler/mn-scheduler.jfc")),
                StandardCharsets.UTF_8)) {
            settings = Configuration.create(jfc);
        }
        Path file = Files.createTempFile("mn-handoffs", ".jfr");
        try (Recording recording = new Recording(settings)) {
            recording.start();
            runWorkload();
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> handOffs = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals("io.mnscheduler.HandOff")).toList();
        System.out.println(handOffs.size() + " hand-offs recorded in " + file + " (also: jfr print --events"
                + " io.mnscheduler.HandOff " + file + ")");
        for (RecordedEvent e : handOffs) {
            System.out.printf("%nHand-off of processor %d: %s, after %d ms; worker %s (%s)%n%s",
                    e.getInt("processor"), e.getString("reason"), Duration.ofNanos(e.getLong("runTime")).toMillis(),
                    e.getThread("worker").getJavaName(), e.getString("threadState"), e.getString("taskStack"));
        }
    }

    /** Two processors; one task waits on a latch, one reads an empty pipe, and work queues behind them. */
    private static void runWorkload() throws Exception {
        Pipe pipe = Pipe.open();
        try (WorkStealingScheduler scheduler = WorkStealingScheduler.builder().parallelism(2).name("example")
                .preemptionTick(Duration.ofMillis(5)).build()) {
            CountDownLatch reply = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(2);
            scheduler.execute(() -> awaitReply(reply, blocked));
            scheduler.execute(() -> readPipe(pipe, blocked));
            blocked.await();
            Future<?>[] behind = new Future<?>[200];
            for (int i = 0; i < behind.length; i++) {
                behind[i] = scheduler.submit(() -> compute(Duration.ofMillis(1)));
            }
            for (Future<?> f : behind) {
                f.get(1, TimeUnit.MINUTES); // they run once the monitor hands the blocked processors to spares
            }
            reply.countDown();
            pipe.sink().write(ByteBuffer.wrap(new byte[]{1}));
        }
    }

    private static double compute(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        double x = 0;
        while (System.nanoTime() < end) {
            x += Math.sqrt(x + 42);
        }
        return x;
    }

    private static void readPipe(Pipe pipe, CountDownLatch blocked) {
        blocked.countDown();
        try {
            pipe.source().read(ByteBuffer.allocate(1)); // a blocking system call: RUNNABLE to Java, asleep in the kernel
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitReply(CountDownLatch reply, CountDownLatch blocked) {
        blocked.countDown();
        try {
            reply.await(); // stands for a blocking call: a lock, a future of another executor, a slow reply
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
