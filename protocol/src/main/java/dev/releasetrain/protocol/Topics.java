package dev.releasetrain.protocol;

import java.util.List;

/** Kafka topic names. Every record is keyed by release id so one release keeps its order. */
public final class Topics {
    /** Every event of every release, as appended to the release log, in stream order. */
    public static final String EVENTS = "release.events";
    /** What services publish: StepStarted, StepProgress, StepSucceeded, StepFailed. */
    public static final String RESULTS = "release.results";
    /**
     * Records nobody could decode, record or publish, each with the reason in header {@link #DEAD_LETTER_REASON}.
     */
    public static final String DEAD_LETTER = "release.deadletter";
    /**
     * The header naming why a record is on {@link #DEAD_LETTER}: the name SmallRye's dead-letter-queue failure
     * strategy gives it (the workers' parked commands), which the coordinator's results consumer and relay use too.
     */
    public static final String DEAD_LETTER_REASON = "dead-letter-reason";
    /** On a dead letter: the topic the record came from, or was bound for when Kafka refused it. */
    public static final String DEAD_LETTER_TOPIC = "dead-letter-topic";
    /** On a dead letter of a record that came from a topic: its partition and offset there. */
    public static final String DEAD_LETTER_PARTITION = "dead-letter-partition";
    public static final String DEAD_LETTER_OFFSET = "dead-letter-offset";
    public static final String COMMANDS_PREFIX = "release.commands.";

    public static final List<String> SERVICES = List.of("git", "deploy", "cdn", "notify");

    private Topics() {
    }

    /** {@code release.commands.git} and so on. */
    public static String commands(String service) {
        return COMMANDS_PREFIX + service;
    }

    public static List<String> all() {
        var all = new java.util.ArrayList<>(List.of(EVENTS, RESULTS, DEAD_LETTER));
        SERVICES.forEach(s -> all.add(commands(s)));
        return List.copyOf(all);
    }
}
