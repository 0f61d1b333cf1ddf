package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The versions {@code POST /releases} decides on, at one moment: what the log holds and the versions released
 * before Release Train ({@code release-train.versions.released}). Pure.
 *
 * @param configured   released before Release Train (no release in the log, no release time)
 * @param releases     every release holding its version: configured, and every release in the log that is not a
 *                     proving run, whatever became of it (running, failed, cancelled, completed)
 * @param released     what was actually released: configured, and the completed releases that are not proving runs
 * @param taken        every version a release id of the log or a configured release holds, proving runs included
 * @param completedAt  for each completed release of the log (not proving runs): when it completed
 */
public record KnownVersions(Set<String> configured, Set<String> releases, Set<String> released, Set<String> taken,
                            Map<String, Instant> completedAt) {
    static final String PROVING = Runbook.PROVING;

    public KnownVersions {
        // built fresh by of(): wrapped, not copied again (this runs on every POST /releases)
        configured = Collections.unmodifiableSet(configured);
        releases = Collections.unmodifiableSet(releases);
        released = Collections.unmodifiableSet(released);
        taken = Collections.unmodifiableSet(taken);
        completedAt = Collections.unmodifiableMap(completedAt);
    }

    /**
     * @param before    versions released before Release Train
     * @param started   every release id of the log
     * @param proving   the ids of proving runs
     * @param completed completed release ids and when they completed
     */
    static KnownVersions of(Collection<String> before, Collection<String> started, Set<String> proving,
                            Map<String, Instant> completed) {
        Set<String> configured = new LinkedHashSet<>(before.size());
        before.forEach(v -> configured.add(v.trim()));
        Set<String> releases = new LinkedHashSet<>(configured);
        Set<String> taken = new LinkedHashSet<>(configured);
        for (String id : started) {
            taken.add(id);
            if (!proving.contains(id)) {
                releases.add(id);
            }
        }
        Set<String> released = new LinkedHashSet<>(configured);
        Map<String, Instant> times = new HashMap<>();
        completed.forEach((id, at) -> {
            if (!proving.contains(id)) {
                released.add(id);
                times.put(id, at);
            }
        });
        return new KnownVersions(configured, releases, released, taken, times);
    }

    /** For tests: released versions, no log. */
    static KnownVersions released(List<String> versions) {
        return of(versions, List.of(), Set.of(), Map.of());
    }

    /**
     * The version {@code {}} starts for {@code kind}. A proving run counts from every version in use (its id must
     * be new); a release counts from the releases only (proving runs never count) and passes over versions a
     * proving run holds.
     */
    Optional<String> next(String kind, boolean provingRun) {
        return provingRun
                ? Versions.next(kind, taken, taken, taken::contains)
                : Versions.next(kind, releases, released, taken::contains);
    }

    /** Why {@code version} of {@code kind} cannot be released now, or empty when it can. */
    Optional<String> refusal(String version, String kind) {
        return Versions.refusal(version, kind, releases, released);
    }

    /** The previous version of a release of {@code kind}: the newest released below it (for a patch, in its series); "" if none. */
    String previous(String version, String kind) {
        return Versions.previous(version, kind, released).orElse("");
    }

    /**
     * When {@code version} was released, ISO-8601: the time its {@code git.tag-release} succeeded
     * ({@code taggedAt}, read from its stream), else when it completed; "" when unknown (none given, or a
     * version released before Release Train).
     */
    String releaseTime(String version, Function<String, Optional<Instant>> taggedAt) {
        Instant completed = version == null ? null : completedAt.get(version);
        if (completed == null) {
            return "";
        }
        return taggedAt.apply(version).orElse(completed).toString();
    }
}
