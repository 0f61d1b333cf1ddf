package dev.releasetrain.coordinator.calendar;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Optional;

/**
 * {@code release-train.calendar.*}. Values are read as text and checked by {@link CalendarProducer}, so a
 * bad value fails start-up with a message naming its key.
 */
@ConfigMapping(prefix = "release-train.calendar")
public interface CalendarConfig {

    /** Time zone of the freeze and release times, e.g. {@code UTC}, {@code America/New_York}. */
    @WithDefault("UTC")
    String zone();

    /** Time of day of the code freeze (HH:mm). */
    @WithName("freeze-time")
    @WithDefault("14:00")
    String freezeTime();

    /** Time of day of the release (HH:mm). */
    @WithName("release-time")
    @WithDefault("14:00")
    String releaseTime();

    /** How long after the freeze the "break the release" session starts (ISO-8601 duration or e.g. 2h). */
    @WithName("break-the-release-after")
    @WithDefault("2h")
    String breakTheReleaseAfter();

    /** Days that are not business days (YYYY-MM-DD). */
    Optional<List<String>> holidays();

    /** The release owners in order, each {@code name:slackUserId}; no default (the dev and test profiles have one). */
    List<String> rotation();

    /** The month (YYYY-MM) the first person of the rotation owns. */
    @WithName("rotation-start")
    @WithDefault("2026-01")
    String rotationStart();

    @WithName("auto-start")
    AutoStart autoStart();

    /**
     * The coordinator's address as calendar apps reach it (e.g. {@code https://release-train.example.com}), for
     * the secret feed URLs; by default the address the request for one came to.
     */
    @WithName("feed-base-url")
    Optional<String> feedBaseUrl();

    interface AutoStart {
        /** Start each month's release at its freeze time. Off by default. */
        @WithDefault("false")
        boolean enabled();
    }
}
