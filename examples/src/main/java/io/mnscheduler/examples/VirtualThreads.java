package io.mnscheduler.examples;

import io.mnscheduler.WorkStealingScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.SynchronousQueue;

/**
 * Virtual threads carried by a WorkStealingScheduler, side by side with the JDK's default
 * virtual-thread scheduler: a ping-pong through a SynchronousQueue and 100,000 sleeping threads.
 * Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}. These are single wall-clock runs,
 * best of five, to show the feature working; the JMH suite is the place for performance claims.
 */
public final class VirtualThreads {
    private static final int ROUNDS = 100_000;
    private static final int SLEEPERS = 100_000;

    private VirtualThreads() {
    }

    public static void main(String[] args) throws Exception {
        int parallelism = Runtime.getRuntime().availableProcessors();
        try (WorkStealingScheduler scheduler = WorkStealingScheduler.builder().parallelism(parallelism).build()) {
            Thread.Builder ours = scheduler.virtualThreadBuilder();
            Thread.Builder jdk = Thread.ofVirtual();
            System.out.printf("parallelism %d, JDK %s%n", parallelism, Runtime.version());
            for (String name : List.of("ping-pong", "sleep")) {
                long mine = Long.MAX_VALUE;
                long theirs = Long.MAX_VALUE;
                for (int run = 0; run < 5; run++) {
                    mine = Math.min(mine, name.equals("ping-pong") ? pingPong(ours) : sleepers(ours));
                    theirs = Math.min(theirs, name.equals("ping-pong") ? pingPong(jdk) : sleepers(jdk));
                }
                String what = name.equals("ping-pong") ? ROUNDS + " round trips" : SLEEPERS + " threads sleeping 10 ms";
                System.out.printf("%-10s %-30s mn-scheduler %8.1f ms   JDK default %8.1f ms%n",
                        name, what, mine / 1e6, theirs / 1e6);
            }
            System.out.println("runnext hits on mn-scheduler: " + scheduler.stats().runnextHits());
        }
    }

    private static long pingPong(Thread.Builder builder) throws InterruptedException {
        SynchronousQueue<Integer> ping = new SynchronousQueue<>();
        SynchronousQueue<Integer> pong = new SynchronousQueue<>();
        long start = System.nanoTime();
        Thread a = builder.start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    ping.put(i);
                    pong.take();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread b = builder.start(() -> {
            try {
                for (int i = 0; i < ROUNDS; i++) {
                    pong.put(ping.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        a.join();
        b.join();
        return System.nanoTime() - start;
    }

    private static long sleepers(Thread.Builder builder) throws InterruptedException {
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>(SLEEPERS);
        for (int i = 0; i < SLEEPERS; i++) {
            threads.add(builder.start(() -> {
                try {
                    Thread.sleep(Duration.ofMillis(10));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return System.nanoTime() - start;
    }
}
