package dev.releasetrain.coordinator.release;

import dev.releasetrain.coordinator.runbook.Runbook;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d{0,5})\\.(0|[1-9]\\d{0,5})");
    public static final Comparator<String> ORDER = Comparator.comparingLong(Versions::key);

    private Versions() {
    }

    public static boolean valid(String v) {
        return v != null && SEMVER.matcher(v).matches();
    }

    /** Every version compared so far and its sort key: the known versions are compared on every start. */
    private static final java.util.Map<String, Long> KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    private static long key(String v) {
        Long known = KEYS.get(v);
        if (known != null) {
            return known;
        }
        long k = parseKey(v);
        KEYS.put(v, k);
        return k;
    }

    private static long parseKey(String v) {
        Matcher m = SEMVER.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a version: " + v);
        }
        return Long.parseLong(m.group(1)) * 1_000_000_000_000L + Long.parseLong(m.group(2)) * 1_000_000L + Long.parseLong(m.group(3));
    }

    static int[] parts(String v) {
        Matcher m = SEMVER.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a version: " + v);
        }
        return new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
    }

    public static Optional<String> newest(Collection<String> versions) {
        return versions.stream().max(ORDER);
    }

    public static String nextMinor(String newest) {
        int[] p = parts(newest);
        return p[0] + "." + (p[1] + 1) + ".0";
    }

    private static String nextPatch(String v) {
        int[] p = parts(v);
        return p[0] + "." + p[1] + "." + (p[2] + 1);
    }

    /** {@code 1.29.} for {@code 1.29.4}: the prefix every version of its {@code major.minor} series shares. */
    static String series(String version) {
        int[] p = parts(version);
        return p[0] + "." + p[1] + ".";
    }

    /**
     * The branch a release is built on: {@code release-<version>}. A minor cuts it from the default branch, a
     * patch from the tag of the release it patches ({@code fromRef}), so each gets its own images.
     */
    public static String releaseBranch(String version) {
        parts(version);
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
        int[] p = parts(version);
        if (Runbook.PATCH.equals(kind)) {
            if (p[2] == 0) {
                return Optional.of("a patch release ends in a non-zero patch number, got " + version);
            }
            String series = series(version);
            Optional<String> newestInSeries = releases.stream().filter(k -> k.startsWith(series)).max(ORDER);
            if (newestInSeries.isEmpty()) {
                return Optional.of("no release of " + p[0] + "." + p[1] + " exists to patch");
            }
            if (released.stream().noneMatch(k -> k.startsWith(series))) {
                return Optional.of("no release of " + p[0] + "." + p[1] + " has completed yet to patch ("
                        + newestInSeries.get() + " has not)");
            }
            if (ORDER.compare(version, newestInSeries.get()) <= 0) {
                return Optional.of(version + " is not greater than " + newestInSeries.get() + ", already released");
            }
            return Optional.empty();
        }
        if (p[2] != 0) {
            return Optional.of("a minor release ends in .0, got " + version + " (start a patch with \"kind\": \"patch\")");
        }
        Optional<String> newest = newest(releases);
        if (newest.isPresent() && ORDER.compare(version, newest.get()) <= 0) {
            return Optional.of(version + " is not greater than " + newest.get() + ", the newest release");
        }
        return Optional.empty();
    }
}
