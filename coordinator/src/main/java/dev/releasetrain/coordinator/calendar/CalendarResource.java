package dev.releasetrain.coordinator.calendar;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.releasetrain.coordinator.api.ApiError;
import dev.releasetrain.coordinator.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;

/** {@code GET /calendar/{year}}: the twelve months of a year, with freeze, release, owner and version. */
@Path("/calendar")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
@RolesAllowed(Roles.VIEWER)
public class CalendarResource {
    static final int FIRST_YEAR = 2000;
    static final int LAST_YEAR = 2100;

    @Inject
    ReleaseCalendar calendar;
    @Inject
    VersionForMonth versions;

    /** One month; times are ISO-8601 instants in UTC, dates are in the calendar's zone. */
    public record MonthView(String month, String freezeDate, String freezeTime, String breakTheReleaseTime,
                            String releaseDate, String releaseTime, String owner, String ownerSlack,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String version) {
        static MonthView of(ReleaseCalendar.Month m, VersionForMonth versions) {
            return new MonthView(m.yearMonth().toString(), m.freezeDate().toString(), m.freezeTime().toString(),
                    m.breakTheReleaseTime().toString(), m.releaseDate().toString(), m.releaseTime().toString(),
                    m.owner().name(), m.owner().slack(), versions.versionFor(m.yearMonth()).orElse(null));
        }
    }

    @Operation(summary = "The release calendar of a year", description = "Per month: the code freeze, break-the-release and release day, moved for holidays.")
    @APIResponse(responseCode = "200", description = "The year's months", content = @Content(schema = @Schema(implementation = MonthView.class, type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY)))
    @APIResponse(responseCode = "400", description = "Not a year")
    @GET
    @Path("/{year}")
    public List<MonthView> year(@PathParam("year") String year) {
        int y = parseYear(year);
        return calendar.year(y).stream().map(m -> MonthView.of(m, versions)).toList();
    }

    static int parseYear(String value) {
        int y;
        try {
            y = Integer.parseInt(value.trim());
        } catch (RuntimeException e) {
            throw outOfRange(value);
        }
        if (y < FIRST_YEAR || y > LAST_YEAR) {
            throw outOfRange(value);
        }
        return y;
    }

    private static RuntimeException outOfRange(String value) {
        return ApiError.of(Response.Status.BAD_REQUEST, "path parameter 'year' must be a year between " + FIRST_YEAR
                + " and " + LAST_YEAR + ", got '" + value + "'");
    }
}
