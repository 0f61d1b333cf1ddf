package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;
import dev.releasetrain.protocol.SemVer;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The version rules of the runbook: a minor release is the next {@code X.Y.0} after the newest
 * release; a patch release {@code X.Y.Z} follows a released (completed) version of {@code X.Y}. Pure.
 *
 * <p>Two sets of versions come in: {@code releases}, every release that holds its version (started, whatever
 * became of it since, and the versions released before Release Train), which the next version must follow;
 * and {@code released}, those that were actually released (completed, or released before Release Train),
 * which a patch needs in its series and from which the previous version is taken.
 */
public final class Versions {
    public static final Comparator<String> ORDER = Comparator.comparing(Versions::parse);

    private Versions() {
    }

    public static boolean valid(String v) {
        return SemVer.isValid(v);
    }

    /** Every version parsed so far: the known versions are compared on every start. */
    private static final Map<String, SemVer> PARSED = new ConcurrentHashMap<>();

    /** {@code v} as a version; throws {@link IllegalArgumentException} when it is not one. */
    static SemVer parse(String v) {
        SemVer known = PARSED.get(v);
        if (known != null) {
            return known;
        }
        SemVer parsed = SemVer.parse(v);
        PARSED.put(v, parsed);
        return parsed;
    }

    public static Optional<String> newest(Collection<String> versions) {
        return versions.stream().max(ORDER);
    }

    public static String nextMinor(String newest) {
        return parse(newest).nextMinor().toString();
    }

    private static String nextPatch(String v) {
        return parse(v).nextPatch().toString();
    }

    /** {@code 1.29.} for {@code 1.29.4}: the prefix every version of its {@code major.minor} series shares. */
    static String series(String version) {
        SemVer v = parse(version);
        return v.major() + "." + v.minor() + ".";
    }

    /**
     * The branch a release is built on: {@code release-<version>}. A minor cuts it from the default branch, a
     * patch from the tag of the release it patches ({@code fromRef}), so each gets its own images.
     */
    public static String releaseBranch(String version) {
        parse(version);
        return "release-" + version;
    }

    /** The newest version below {@code version}, if any. */
    public static Optional<String> previous(String version, Collection<String> released) {
        return released.stream().filter(k -> ORDER.compare(k, version) < 0).max(ORDER);
    }

    /**
     * The version a release of {@code kind} follows: the newest of {@code released} below it; for a patch, the
     * newest of its own {@code major.minor} series below it.
     */
    public static Optional<String> previous(String version, String kind, Collection<String> released) {
        if (Runbook.PATCH.equals(kind)) {
            String series = series(version);
            return previous(version, released.stream().filter(k -> k.startsWith(series)).toList());
        }
        return previous(version, released);
    }

    /**
     * The version {@code POST /releases {}} starts: a minor, the next minor after the newest of
     * {@code releases}; a patch, the next patch of the series of the newest of {@code released}, after every
     * release of that series. Versions {@code taken} (a proving run holds them) are passed over.
     */
    public static Optional<String> next(String kind, Collection<String> releases, Collection<String> released,
                                        Predicate<String> taken) {
        String v;
        if (Runbook.PATCH.equals(kind)) {
            Optional<String> base = newest(released);
            if (base.isEmpty()) {
                return Optional.empty();
            }
            String series = series(base.get());
            v = nextPatch(releases.stream().filter(k -> k.startsWith(series)).max(ORDER).orElse(base.get()));
            while (taken.test(v)) {
                v = nextPatch(v);
            }
        } else {
            Optional<String> newest = newest(releases);
            if (newest.isEmpty()) {
                return Optional.empty();
            }
            v = nextMinor(newest.get());
            while (taken.test(v)) {
                v = nextMinor(v);
            }
        }
        return Optional.of(v);
    }

    /**
     * Why {@code version} of {@code kind} cannot be released after {@code known}, or empty when it can
     * (every known version counted as released).
     */
    public static Optional<String> refusal(String version, String kind, Collection<String> known) {
        return refusal(version, kind, known, known);
    }

    /** Why {@code version} of {@code kind} cannot follow {@code releases} and {@code released}, or empty when it can. */
    public static Optional<String> refusal(String version, String kind, Collection<String> releases, Collection<String> released) {
        SemVer p = parse(version);
        if (Runbook.PATCH.equals(kind)) {
            if (p.patch() == 0) {
                return Optional.of("a patch release ends in a non-zero patch number, got " + version);
            }
            String series = series(version);
            Optional<String> newestInSeries = releases.stream().filter(k -> k.startsWith(series)).max(ORDER);
            if (newestInSeries.isEmpty()) {
                return Optional.of("no release of " + p.major() + "." + p.minor() + " exists to patch");
            }
            if (released.stream().noneMatch(k -> k.startsWith(series))) {
                return Optional.of("no release of " + p.major() + "." + p.minor() + " has completed yet to patch ("
                        + newestInSeries.get() + " has not)");
            }
            if (ORDER.compare(version, newestInSeries.get()) <= 0) {
                return Optional.of(version + " is not greater than " + newestInSeries.get() + ", already released");
            }
            return Optional.empty();
        }
        if (p.patch() != 0) {
            return Optional.of("a minor release ends in .0, got " + version + " (start a patch with \"kind\": \"patch\")");
        }
        Optional<String> newest = newest(releases);
        if (newest.isPresent() && ORDER.compare(version, newest.get()) <= 0) {
            return Optional.of(version + " is not greater than " + newest.get() + ", the newest release");
        }
        return Optional.empty();
    }
}
