package dev.releasetrain.launcher.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** CPU and memory of processes, read from Linux's {@code /proc}; a process that ended counts as nothing. */
final class ProcStats {
    private static final long CLK_TCK = 100; // USER_HZ on Linux; /proc/<pid>/stat counts in these ticks

    private ProcStats() {
    }

    /** utime + stime of the processes, in clock ticks. */
    static long cpuTicks(Collection<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try {
                String[] f = statFields(pid);
                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of stat(5)
            } catch (IOException | RuntimeException gone) {
                // the process ended
            }
        }
        return sum;
    }

    /** The postmaster and its children now, from the data directory's {@code postmaster.pid}; none for an external database. */
    static List<Long> postgresPids(Path dataDir) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
            List<Long> pids = new ArrayList<>();
            pids.add(postmaster);
            ProcessHandle.of(postmaster).ifPresent(h -> h.children().forEach(child -> pids.add(child.pid())));
            return pids;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * CPU of PostgreSQL in clock ticks: the postmaster's own and its reaped children's (cutime + cstime:
     * a backend that exits moves its time there), plus the children alive now. Summing the children
     * listed once would lose the time of those that exit during a window.
     */
    static long postgresCpuTicks(Path dataDir) {
        List<Long> pids = postgresPids(dataDir);
        if (pids.isEmpty()) {
            return 0;
        }
        long sum = cpuTicks(pids.subList(1, pids.size()));
        try {
            String[] f = statFields(pids.get(0));
            sum += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            // stopped
        }
        return sum;
    }

    private static String[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** Proportional set size: shared pages (PostgreSQL's shared buffers) counted once across the processes. */
    static double pssMb(Collection<Long> pids) {
        return sumKb(pids, "smaps_rollup", "Pss:") / 1024.0;
    }

    static double rssMb(Collection<Long> pids) {
        return sumKb(pids, "status", "VmRSS:") / 1024.0;
    }

    private static long sumKb(Collection<Long> pids, String file, String field) {
        long kb = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), file))) {
                    if (line.startsWith(field)) {
                        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended
            }
        }
        return kb;
    }

    /** CPU ticks in milliseconds. */
    static double ms(long ticks) {
        return 1000.0 * ticks / CLK_TCK;
    }

    /** CPU ticks over a wall-clock window as a percentage of one core. */
    static double pct(long ticks, double seconds) {
        return 100.0 * ticks / CLK_TCK / seconds;
    }

    static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Report.fmt(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0) + " GiB";
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return "?";
    }
}
