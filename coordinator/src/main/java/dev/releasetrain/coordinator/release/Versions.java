package dev.releasetrain.coordinator.release;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version rules of the runbook: a minor release is the next {@code X.Y.0} after the newest
 * release; a patch release {@code X.Y.Z} follows a released minor {@code X.Y}. Pure.
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

    /** The release branch a version is built from: its minor's {@code release-X.Y.0}. */
    public static String releaseBranch(String version) {
        int[] p = parts(version);
        return "release-" + p[0] + "." + p[1] + ".0";
    }

    /** The newest known version below {@code version}, if any. */
    public static Optional<String> previous(String version, Collection<String> known) {
        return known.stream().filter(k -> ORDER.compare(k, version) < 0).max(ORDER);
    }

    /**
     * Why {@code version} of {@code kind} cannot be released after {@code known}, or empty when it can.
     */
    public static Optional<String> refusal(String version, String kind, Collection<String> known) {
        int[] p = parts(version);
        if ("patch".equals(kind)) {
            if (p[2] == 0) {
                return Optional.of("a patch release ends in a non-zero patch number, got " + version);
            }
            String series = p[0] + "." + p[1] + ".";
            Optional<String> newestInSeries = known.stream().filter(k -> k.startsWith(series)).max(ORDER);
            if (newestInSeries.isEmpty()) {
                return Optional.of("no release of " + p[0] + "." + p[1] + " exists to patch");
            }
            if (ORDER.compare(version, newestInSeries.get()) <= 0) {
                return Optional.of(version + " is not greater than " + newestInSeries.get() + ", already released");
            }
            return Optional.empty();
        }
        if (p[2] != 0) {
            return Optional.of("a minor release ends in .0, got " + version + " (start a patch with \"kind\": \"patch\")");
        }
        Optional<String> newest = newest(known);
        if (newest.isPresent() && ORDER.compare(version, newest.get()) <= 0) {
            return Optional.of(version + " is not greater than " + newest.get() + ", the newest release");
        }
        return Optional.empty();
    }
}
