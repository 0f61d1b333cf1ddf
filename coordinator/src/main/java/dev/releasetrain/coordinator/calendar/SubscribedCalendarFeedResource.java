package dev.releasetrain.coordinator.calendar;

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
