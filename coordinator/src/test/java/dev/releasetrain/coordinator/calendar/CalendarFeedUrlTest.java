package dev.releasetrain.coordinator.calendar;

import org.awaitility.Awaitility;
import dev.releasetrain.coordinator.security.TestTokens;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secret calendar feed URLs: a viewer gets one, a calendar app reads the feed with no header, a new URL
 * replaces the old, a revoked or unknown one is 404. The secret is stored as a digest only and appears in no
 * log, with the access log switched on.
 */
@QuarkusTest
@TestProfile(CalendarFeedUrlTest.WithLogFiles.class)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class CalendarFeedUrlTest {
    static final Path LOGS = Path.of("target", "calendar-feed-url-test-logs");

    /** The application log and the HTTP access log written to files this test reads. */
    public static class WithLogFiles implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOGS.resolve("coordinator.log").toString(),
                    "quarkus.http.access-log.enabled", "true",
                    "quarkus.http.access-log.log-to-file", "true",
                    "quarkus.http.access-log.log-directory", LOGS.toString(),
                    "quarkus.http.access-log.base-file-name", "access",
                    "quarkus.log.category.\"io.quarkus.vertx.http\".level", "DEBUG",
                    "quarkus.log.category.\"org.jboss.resteasy.reactive\".level", "DEBUG");
        }
    }

    @Inject
    AgroalDataSource db;

    static String issue(String token) {
        return given().spec(TestTokens.as(token)).post("/calendar/feed-url").then().statusCode(200)
                .body("url", startsWith("http")).extract().path("url");
    }

    /** The path of a feed URL (the test's client talks to the test port). */
    static String path(String url) {
        return URI.create(url).getRawPath();
    }

    static String withoutStamps(String ics) {
        return ics.replaceAll("DTSTAMP:[0-9TZ]+\r\n", "");
    }

    @Test
    void aCalendarAppReadsTheFeedAtItsSecretUrlWithNoHeaderUntilItIsReplacedOrRevoked() throws Exception {
        String url = issue(TestTokens.VERA);
        assertTrue(path(url).matches("/calendar/feeds/[A-Za-z0-9_-]{43}\\.ics"), url);
        String secret = path(url).substring("/calendar/feeds/".length(), path(url).length() - ".ics".length());

        Response feed = given().get(path(url));
        feed.then().statusCode(200).contentType(startsWith("text/calendar"));
        String bearer = given().spec(TestTokens.as(TestTokens.VERA)).get("/calendar.ics").then().statusCode(200).extract().asString();
        assertEquals(withoutStamps(bearer), withoutStamps(feed.asString()), "the same feed as the bearer-token route");
        assertEquals(72, IcsParsing.parse(feed.asString()).size());

        // only a digest is stored
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("select person, secret_sha256 from calendar_feed_urls where person = 'vera'");
             ResultSet rs = q.executeQuery()) {
            assertTrue(rs.next());
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII)), rs.getBytes(2));
            assertFalse(new String(rs.getBytes(2), StandardCharsets.ISO_8859_1).contains(secret));
        }

        // a new URL replaces the old one
        String second = issue(TestTokens.VERA);
        assertFalse(second.equals(url));
        given().get(path(url)).then().statusCode(404)
                .body("message", equalTo("no calendar feed at this address: the URL was revoked, replaced or never issued"));
        given().get(path(second)).then().statusCode(200);
        // each person has their own
        String bobs = issue(TestTokens.BOB);
        given().get(path(bobs)).then().statusCode(200);

        // revoked: 404, idempotently
        given().spec(TestTokens.as(TestTokens.VERA)).delete("/calendar/feed-url").then().statusCode(204);
        given().spec(TestTokens.as(TestTokens.VERA)).delete("/calendar/feed-url").then().statusCode(204);
        Response gone = given().get(path(second));
        gone.then().statusCode(404);
        assertFalse(gone.asString().contains(secret) || gone.asString().contains(path(second)), gone.asString());
        given().get(path(bobs)).then().statusCode(200);

        // unknown or malformed secrets, and other paths under the feeds
        given().get("/calendar/feeds/" + "A".repeat(43) + ".ics").then().statusCode(404);
        given().get("/calendar/feeds/not-a-secret.ics").then().statusCode(404);
        Response noSuffix = given().get("/calendar/feeds/" + secret);
        assertEquals(404, noSuffix.statusCode());
        assertFalse(noSuffix.asString().contains(secret), noSuffix.asString());

        // getting or revoking a URL needs a token; the other calendar routes still do
        given().post("/calendar/feed-url").then().statusCode(401);
        given().delete("/calendar/feed-url").then().statusCode(401);
        given().get("/calendar.ics").then().statusCode(401);
        given().get("/calendar/2026").then().statusCode(401);

        // no log holds a secret: the access log is written in order, so once a later request is in it, every
        // feed request before it has been written (or left out)
        String marker = UUID.randomUUID().toString();
        given().spec(TestTokens.as(TestTokens.VERA)).queryParam("marker", marker).get("/calendar/2026").then().statusCode(200);
        awaitLogged(marker);
        String logs = allLogs();
        assertTrue(logs.contains("vera was given a new calendar feed URL"), "the issue is logged, by name");
        for (String s : new String[]{secret, path(second).substring("/calendar/feeds/".length()), path(bobs).substring("/calendar/feeds/".length())}) {
            assertFalse(logs.contains(s.substring(0, s.length() - (s.endsWith(".ics") ? 4 : 0))), "a secret was logged");
        }
    }

    private static String allLogs() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.list(LOGS)) {
            for (Path f : files.toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    private static void awaitLogged(String marker) throws Exception {
        Awaitility.await("the access log to show the marker request").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> allLogs().contains(marker));
    }
}
