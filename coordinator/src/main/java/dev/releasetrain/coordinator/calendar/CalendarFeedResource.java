package dev.releasetrain.coordinator.calendar;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import dev.releasetrain.coordinator.security.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /calendar.ics}: the iCalendar feed of this year and the next (see {@link ICalendarFeed}), for a
 * caller with a bearer token; calendar apps subscribe to the same feed at a secret URL instead
 * ({@link CalendarFeedUrlResource}).
 */
@Path("/calendar.ics")
@Blocking
@RolesAllowed(Roles.VIEWER)
public class CalendarFeedResource {
    public static final String TEXT_CALENDAR = "text/calendar";

    @Inject
    ReleaseCalendar calendar;
    @Inject
    VersionForMonth versions;
    @Inject
    Clock clock;

    @Operation(summary = "The release calendar as an iCalendar feed")
    @APIResponse(responseCode = "200", description = "The feed", content = @Content(mediaType = TEXT_CALENDAR, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)))
    @GET
    @Produces(TEXT_CALENDAR)
    public Response feed() {
        return feed(calendar, versions, clock);
    }

    /** The feed as both routes answer it. */
    static Response feed(ReleaseCalendar calendar, VersionForMonth versions, Clock clock) {
        Instant now = clock.instant();
        int year = now.atZone(calendar.zone()).getYear();
        List<ReleaseCalendar.Month> months = new ArrayList<>(calendar.year(year));
        months.addAll(calendar.year(year + 1));
        return Response.ok(ICalendarFeed.render(months, versions, now))
                .type(TEXT_CALENDAR + "; charset=utf-8")
                .header("Content-Disposition", "inline; filename=\"release-train.ics\"")
                .build();
    }
}
