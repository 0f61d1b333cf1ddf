package dev.releasetrain.launcher.bench;

/**
 * How much each phase of the bench measures. The full and the quick run differ only here; a larger run
 * (more releases in flight, a longer history) is another set of sizes.
 */
record Sizes(int rttWarmup, int rttMessages, int hopWarmupReleases, int hops, int loadWarmupSeconds, int loadSeconds,
             int concurrency, int idleSeconds, int historyEvents, int historyReleases, int timelineGets, int relayWaitMinutes) {

    static Sizes full(int concurrency) {
        return new Sizes(1_000, 5_000, 200, 2_000, 5, 30, concurrency, 30, 1_000_000, 10_000, 500, 15);
    }

    static Sizes quick(int concurrency) {
        return new Sizes(200, 1_000, 11, 300, 3, 10, concurrency, 10, 100_000, 1_000, 200, 3);
    }
}
