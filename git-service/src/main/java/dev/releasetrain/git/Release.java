package dev.releasetrain.git;

import dev.releasetrain.protocol.SemVer;
import dev.releasetrain.worker.StepContext;
import dev.releasetrain.worker.StepFailure;
import org.eclipse.jgit.lib.PersonIdent;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** The release variables every command carries, read and checked once. */
final class Release {
    private Release() {
    }

    /** {@code version}, which must be MAJOR.MINOR.PATCH (it names branches, tags and files). */
    static String version(StepContext ctx) {
        String v = ctx.param("version");
        if (!SemVer.isValid(v)) {
            throw new StepFailure("version '" + v + "' is not MAJOR.MINOR.PATCH", false);
        }
        return v;
    }

    static String releaseBranch(StepContext ctx, GitSettings settings, String version) {
        String b = ctx.params().get("releaseBranch");
        return b == null || b.isBlank() ? GitSettings.render(settings.releaseBranch(), version) : b.strip();
    }

    /**
     * A time derived from the release, not from the clock: the first of these params present (an instant or a
     * date, taken at 00:00 UTC). Commits and tags made with it are the same objects whenever they are made again.
     */
    static Instant time(StepContext ctx, String... names) {
        for (String name : names) {
            String value = ctx.params().get(name);
            if (value == null || value.isBlank()) {
                continue;
            }
            try {
                return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                        : OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw new StepFailure("parameter '" + name + "' is not a date or ISO time: " + value, false);
            }
        }
        throw new StepFailure("step " + ctx.step() + " needs one of the parameters " + String.join(", ", names)
                + " (a date or an ISO time)", false);
    }

    static PersonIdent bot(GitSettings settings, Instant when) {
        return new PersonIdent(settings.botName(), settings.botEmail(), when, ZoneOffset.UTC);
    }

    static String cherryPickTrailer(String sourceCommit) {
        return "(cherry picked from commit " + sourceCommit + ")";
    }
}
