package dev.releasetrain.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PollingTest {

    /** A clock that moves only when slept on (and by what a look costs), so every wait runs at once. */
    static final class FakeTicker implements Polling.Ticker {
        long now = 1_000_000_000L;
        final List<Duration> sleeps = new ArrayList<>();

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(Duration duration) {
            sleeps.add(duration);
            now += duration.toNanos();
        }

        void advance(Duration d) {
            now += d.toNanos();
        }
    }

    final FakeTicker ticker = new FakeTicker();
    final Polling polling = new Polling(ticker);
    final List<String> reports = new ArrayList<>();
    final Polling.Progress progress = (message, details) -> reports.add(message + " " + details);

    static Duration s(long seconds) {
        return Duration.ofSeconds(seconds);
    }

    @Test
    void aFirstLookThatIsDoneReturnsWithoutReportOrSleep() throws Exception {
        String result = polling.await(Polling.Schedule.of(s(60), s(5), s(30)), waited -> Polling.Look.done("ok"), progress);
        assertEquals("ok", result);
        assertEquals(List.of(), reports);
        assertEquals(List.of(), ticker.sleeps);
    }

    @Test
    void reportsTheFirstWaitEveryChangeAndAtLeastEveryProgressInterval() throws Exception {
        // looks at 0, 5, 10, ... s: "a" until 45 s, then "b", done at 60 s
        String result = polling.await(Polling.Schedule.of(s(600), s(5), s(20)), waited -> {
            long t = waited.toSeconds();
            if (t >= 60) {
                return Polling.Look.done("done at " + t);
            }
            String state = t < 45 ? "a" : "b";
            return Polling.Look.waiting(state, state + " at " + t, Map.of("waitedSeconds", t));
        }, progress);
        assertEquals("done at 60", result);
        assertEquals(List.of("a at 0 {waitedSeconds=0}", "a at 20 {waitedSeconds=20}", "a at 40 {waitedSeconds=40}",
                "b at 45 {waitedSeconds=45}"), reports);
        assertEquals(12, ticker.sleeps.size());
        assertEquals(List.of(s(5)), ticker.sleeps.stream().distinct().toList());
    }

    @Test
    void aZeroProgressIntervalReportsEveryLookAndTheBackoffGrowsToItsCapWithoutSleepingPastTheBound() {
        Polling.Schedule schedule = Polling.Schedule.of(s(30), s(2), Duration.ZERO).withBackoff(1.5, s(7));
        Polling.TimedOut timedOut = assertThrows(Polling.TimedOut.class, () -> polling.await(schedule,
                waited -> Polling.Look.waiting("missing", "missing after " + waited.toSeconds(), Map.of()), progress));
        assertEquals(List.of(s(2), s(3), Duration.ofMillis(4500), Duration.ofMillis(6750), s(7), Duration.ofMillis(6750)),
                ticker.sleeps, "2 + 3 + 4.5 + 6.75 + 7 = 23.25 s, then only the 6.75 s left to the bound");
        assertEquals(6, reports.size());
        assertEquals(s(30), timedOut.waited());
        assertEquals("missing", timedOut.state());
        assertEquals("missing after 30", timedOut.last().message());
    }

    @Test
    void theTimeoutCountsTheTimeTheLooksTake() {
        List<Duration> looks = new ArrayList<>();
        Polling.TimedOut timedOut = assertThrows(Polling.TimedOut.class, () -> polling.await(
                Polling.Schedule.of(s(10), s(1), s(60)), waited -> {
                    looks.add(waited);
                    ticker.advance(s(4)); // a slow look
                    return Polling.Look.waiting("slow", "slow", Map.of());
                }, progress));
        assertEquals(List.of(s(0), s(5), s(10)), looks);
        assertEquals(s(14), timedOut.waited());
        assertEquals(List.of("slow {}"), reports, "one report: the state never changed within the progress interval");
    }

    @Test
    void aStepContextAwaitsWithItsTickerAndReportsAsItsProgress() throws Exception {
        List<String> published = new ArrayList<>();
        StepContext ctx = new StepContext("1.29.0", "x.wait", 1, "c1", Map.of(),
                (message, details) -> published.add(message)).withTicker(ticker);
        int[] looks = {0};
        int result = ctx.await(Polling.Schedule.of(s(3600), s(60), s(300)), waited -> ++looks[0] < 3
                ? Polling.Look.waiting("pending", "pending for " + waited.toMinutes() + " min", Map.of())
                : Polling.Look.done(looks[0]));
        assertEquals(3, result);
        assertEquals(List.of("pending for 0 min"), published);
        assertEquals(List.of(s(60), s(60)), ticker.sleeps);
    }

    @Test
    void aScheduleRefusesAShrinkingBackoffAndKeepsItsLongestPauseAtLeastTheFirst() {
        assertThrows(IllegalArgumentException.class, () -> Polling.Schedule.of(s(10), s(5), s(1)).withBackoff(0.5, s(5)));
        assertEquals(s(5), Polling.Schedule.of(s(10), s(5), s(1)).withBackoff(2, s(1)).maxInterval());
    }
}
