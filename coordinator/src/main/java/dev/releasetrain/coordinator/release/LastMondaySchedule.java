package dev.releasetrain.coordinator.release;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;

/**
 * The plain schedule used when no calendar is configured: launch on the last Monday of the month
 * at 14:00 UTC, freeze on the Wednesday before, one fixed owner ({@code release-train.owner},
 * {@code name:slackId}).
 */
@ApplicationScoped
public class LastMondaySchedule {

    @Produces
    @DefaultBean
    @ApplicationScoped
    ReleaseSchedule schedule(@ConfigProperty(name = "release-train.owner", defaultValue = "alice:U0ALICE") String owner) {
        String[] o = owner.split(":", 2);
        return now -> {
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            YearMonth month = YearMonth.from(today);
            LocalDate release = month.atEndOfMonth().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            if (release.isBefore(today)) {
                release = month.plusMonths(1).atEndOfMonth().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            }
            LocalDate freeze = release.minusDays(5);
            LocalTime at = LocalTime.of(14, 0);
            return new ReleaseSchedule.Slot(freeze, freeze.atTime(at).toInstant(ZoneOffset.UTC), release,
                    release.atTime(at).toInstant(ZoneOffset.UTC), o[0], o.length > 1 ? o[1] : "");
        };
    }

}
