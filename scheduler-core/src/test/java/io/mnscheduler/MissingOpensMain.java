package io.mnscheduler;

import java.util.concurrent.TimeUnit;

/** Run in a JVM started without --add-opens by {@code VirtualThreadCarrierTest}; prints what happened. */
public final class MissingOpensMain {
    private MissingOpensMain() {
    }

    public static void main(String[] args) throws Exception {
        try (WorkStealingScheduler s = WorkStealingScheduler.builder().parallelism(1).build()) {
            try {
                s.virtualThreadBuilder();
                System.out.println("NO ERROR");
            } catch (UnsupportedOperationException e) {
                System.out.println("UOE: " + e.getMessage());
            }
            System.out.println("executor still works: " + s.submit(() -> 6 * 7).get(30, TimeUnit.SECONDS));
        }
    }
}
