package dev.releasetrain.coordinator.calendar;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import dev.releasetrain.coordinator.api.ApiError;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

import java.time.Clock;

/**
 * {@code GET /calendar/feeds/<secret>.ics}: the feed of {@code GET /calendar.ics} for calendar apps, which
 * subscribe to a URL and send no header: the secret in the path is the credential
 * ({@link CalendarFeedUrlResource} hands it out). An unknown, replaced or revoked secret is 404, with a message
 * that does not repeat the path.
 */
@Path(SubscribedCalendarFeedResource.PATH)
@Blocking
@PermitAll
public class SubscribedCalendarFeedResource {
    static final String PATH = "/calendar/feeds";

    @Inject
    CalendarFeedUrls urls;
    @Inject
    ReleaseCalendar calendar;
    @Inject
    VersionForMonth versions;
    @Inject
    Clock clock;

    @Operation(summary = "The calendar feed at a secret URL", description = "For calendar apps, which send no token: the secret in the path is the credential.")
    @APIResponse(responseCode = "200", description = "The feed", content = @Content(mediaType = CalendarFeedResource.TEXT_CALENDAR, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "An unknown, replaced or revoked secret")
    @GET
    @Path("/{secret}.ics")
    @Produces(CalendarFeedResource.TEXT_CALENDAR)
    public Response feed(@PathParam("secret") String secret) {
        if (urls.holder(secret).isEmpty()) {
            throw ApiError.of(Response.Status.NOT_FOUND,
                    "no calendar feed at this address: the URL was revoked, replaced or never issued");
        }
        return CalendarFeedResource.feed(calendar, versions, clock);
    }
}
