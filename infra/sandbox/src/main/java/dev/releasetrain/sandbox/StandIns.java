package dev.releasetrain.sandbox;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The stand-ins a sandbox runs, by name ({@link Sandbox#SLACK}, {@link Sandbox#GITHUB}, ...): their injected
 * faults and call counters, as the admin endpoint exposes them. Thread-safe once the sandbox has started.
 */
public final class StandIns {

    private final Map<String, StandIn> byName = new LinkedHashMap<>();

    StandIns() {
    }

    <T extends StandIn> T add(T standIn) {
        byName.put(standIn.name(), standIn);
        return standIn;
    }

    /** The stand-in of that name, if this sandbox runs one. */
    public Optional<StandIn> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names of the running stand-ins, in the order they started. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Makes a stand-in fail its next {@code count} calls with HTTP {@code status}. */
    public void failNext(String name, int count, int status) {
        require(name).failNext(count, status);
    }

    /** Queues a fault on a stand-in: its next matching calls are delayed and/or fail (see {@link FaultSpec}). */
    public void inject(String name, FaultSpec fault) {
        require(name).inject(fault);
    }

    /** Requests a stand-in received so far (failed ones included). */
    public long calls(String name) {
        return require(name).calls();
    }

    /** Requests a stand-in received so far that may have changed something ({@link StandIn#writes()}). */
    public long writes(String name) {
        return require(name).writes();
    }

    /** Drops every queued fault of every stand-in. */
    public void clearFaults() {
        byName.values().forEach(StandIn::clearFaults);
    }

    private StandIn require(String name) {
        return get(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown stand-in " + name + "; running: " + byName.keySet()));
    }
}
