import io.mnscheduler.WorkStealingScheduler;
import io.mnscheduler.bench.JoinWorkloads;

public class Peak {
    public static void main(String[] a) throws Exception {
        int cap = Integer.parseInt(a[0]);
        WorkStealingScheduler.Builder b = WorkStealingScheduler.builder().parallelism(2);
        if (cap > 0) b.localQueueCapacity(cap);
        if (a.length > 1) b.maxWorkers(Integer.parseInt(a[1]));
        try (WorkStealingScheduler s = b.build()) {
            long end = System.nanoTime() + 8_000_000_000L;
            int ops = 0;
            while (System.nanoTime() < end) { JoinWorkloads.fibSubmit(s, 26, 20); ops++; }
            System.out.println("capacity " + (cap > 0 ? cap : "default") + ": ops " + ops + ", " + s.stats());
        }
    }
}
