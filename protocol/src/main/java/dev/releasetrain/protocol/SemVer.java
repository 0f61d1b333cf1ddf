package dev.releasetrain.protocol;

import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version {@code MAJOR.MINOR.PATCH}: what names a release (its branches, tags, images and files) and what a chart
 * is versioned by. Numbers have no leading zeros (as semver requires) and at most nine digits; ordered numerically
 * part by part ({@code 1.9.0 < 1.28.3 < 1.29.0}).
 */
public record SemVer(int major, int minor, int patch) implements Comparable<SemVer> {
    private static final Pattern FORM = Pattern.compile("(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})");
    private static final Comparator<SemVer> NUMERIC = Comparator.comparingInt(SemVer::major)
            .thenComparingInt(SemVer::minor).thenComparingInt(SemVer::patch);

    /** Version strings in version order; a string that is not a version throws {@link IllegalArgumentException}. */
    public static final Comparator<String> ORDER = Comparator.comparing(SemVer::parse);

    /** What {@link #bump} raises. */
    public enum Part {
        MAJOR, MINOR, PATCH;

        /** {@code major}, {@code minor} or {@code patch}, any case. */
        public static Part of(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("'" + name + "' is not a version part (major, minor or patch)");
            }
        }
    }

    public SemVer {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version parts must not be negative: " + major + "." + minor + "." + patch);
        }
    }

    /** Exactly {@code MAJOR.MINOR.PATCH}; anything else throws {@link IllegalArgumentException} naming the text. */
    public static SemVer parse(String text) {
        return tryParse(text).orElseThrow(() -> new IllegalArgumentException(
                "'" + text + "' is not a version MAJOR.MINOR.PATCH (e.g. 1.29.0)"));
    }

    /** Exactly {@code MAJOR.MINOR.PATCH}, else empty. */
    public static Optional<SemVer> tryParse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new SemVer(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))));
    }

    public static boolean isValid(String text) {
        return tryParse(text).isPresent();
    }

    /**
     * A stable version as tools write it: an optional leading {@code v} and build metadata after {@code +} (ignored,
     * as semver orders it). Empty for a pre-release ({@code 1.2.3-rc.1}) or anything that is not a version.
     */
    public static Optional<SemVer> tryParseStable(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String core = text.startsWith("v") ? text.substring(1) : text;
        int plus = core.indexOf('+');
        return tryParse(plus < 0 ? core : core.substring(0, plus));
    }

    public SemVer nextMinor() {
        return new SemVer(major, minor + 1, 0);
    }

    public SemVer nextPatch() {
        return new SemVer(major, minor, patch + 1);
    }

    public SemVer nextMajor() {
        return new SemVer(major + 1, 0, 0);
    }

    /** The next version raising {@code part}, the parts after it reset to 0. */
    public SemVer bump(Part part) {
        return switch (part) {
            case MAJOR -> nextMajor();
            case MINOR -> nextMinor();
            case PATCH -> nextPatch();
        };
    }

    /** Whether {@code other} is of the same {@code MAJOR.MINOR} series. */
    public boolean sameSeries(SemVer other) {
        return major == other.major && minor == other.minor;
    }

    @Override
    public int compareTo(SemVer other) {
        return NUMERIC.compare(this, other);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
