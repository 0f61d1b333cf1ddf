package dev.releasetrain.launcher.bench;

import java.util.Arrays;

/** Latency samples in nanoseconds; percentiles in milliseconds (nearest rank). Safe to add to from several threads. */
final class Samples {
    private long[] values = new long[1024];
    private int size;

    synchronized void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    synchronized int size() {
        return size;
    }

    synchronized double p(double percentile) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percentile / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    /** "p50 / p99" in milliseconds, as the report prints them. */
    String p50p99() {
        return Report.fmt(p(50)) + " / " + Report.fmt(p(99));
    }
}
