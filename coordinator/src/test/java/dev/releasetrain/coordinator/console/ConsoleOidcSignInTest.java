package dev.releasetrain.coordinator.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.local.KafkaTestResource;
import dev.releasetrain.local.PostgresTestResource;
import dev.releasetrain.sandbox.OidcProviderStandIn;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Sign in with <provider>": the console's authorization code flow against an OIDC provider stand-in speaking the
 * real protocol over HTTP ({@link OidcProviderStandIn}: discovery, JWKS, a login form, one-time codes, PKCE checked at
 * its token endpoint, signed tokens). A client that behaves like a browser (it follows redirects itself and keeps
 * cookies per host and path) goes to {@code /session/oidc}, is sent to the provider with state, nonce and an S256
 * code challenge, signs in there and comes back with the console's HttpOnly session cookie; the roles are the token's
 * groups as the API reads them (a viewer cannot plan a release, a release manager can), signing out ends the session,
 * and a refusal at the provider, a forged callback or an ID token with another nonce open no session.
 */
@QuarkusTest
@TestProfile(ConsoleOidcSignInTest.WithOidc.class)
@QuarkusTestResource(value = PostgresTestResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = KafkaTestResource.class, restrictToAnnotatedClass = false)
class ConsoleOidcSignInTest {
    static final String CONSOLE_CLIENT = "release-train-console";
    static final String CONSOLE_SECRET = "console-client-secret-for-the-tests-4f1e9a7c2b";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The API and the console on OIDC, both against the stand-in; static tokens stay as configured. */
    public static class WithOidc implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(Provider.class));
        }
    }

    public static class Provider implements QuarkusTestResourceLifecycleManager {
        static OidcProviderStandIn idp;

        @Override
        public Map<String, String> start() {
            try {
                idp = new OidcProviderStandIn(CONSOLE_CLIENT, CONSOLE_SECRET,
                        Map.of("vera", List.of("viewer"), "alice", List.of("release-manager", "approver")));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            Map<String, String> config = new HashMap<>();
            config.put("quarkus.oidc.tenant-enabled", "true");
            config.put("quarkus.oidc.auth-server-url", idp.issuer());
            config.put("quarkus.oidc.client-id", "release-train");
            config.put("quarkus.oidc.roles.role-claim-path", "groups");
            config.put("quarkus.oidc.console.tenant-enabled", "true");
            config.put("quarkus.oidc.console.auth-server-url", idp.issuer());
            config.put("quarkus.oidc.console.client-id", CONSOLE_CLIENT);
            config.put("quarkus.oidc.console.credentials.secret", CONSOLE_SECRET);
            config.put("release-train.console.oidc.provider-name", "Stand-in IdP");
            return config;
        }

        @Override
        public void stop() {
            if (idp != null) {
                idp.close();
            }
        }
    }

    @TestHTTPResource("/")
    URI app;
    @Inject
    @ConfigProperty(name = "quarkus.oidc.console.auth-server-url")
    String issuer;

    @Test
    void aViewerSignsInAtTheProviderAndGetsAConsoleSessionWithTheRolesTheApiGivesHerToken() throws Exception {
        Browser b = new Browser();
        HttpResponse<String> offer = b.get(app.resolve("/session/oidc/provider"));
        assertEquals(200, offer.statusCode(), offer.body());
        assertEquals("Stand-in IdP", JSON.readTree(offer.body()).path("name").asText());
        int issuedBefore = issued();

        HttpResponse<String> signedIn = signInAtTheProvider(b, "vera");
        assertEquals(303, signedIn.statusCode(), signedIn.body());
        assertEquals("/", URI.create(signedIn.headers().firstValue("Location").orElseThrow()).getPath());
        String setCookie = signedIn.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(SessionCookieMechanism.COOKIE + "=")).findFirst().orElseThrow();
        assertTrue(setCookie.contains("HttpOnly") && setCookie.matches("(?i).*SameSite=Strict.*") && setCookie.contains("Path=/"), setCookie);
        assertEquals(issuedBefore + 1, issued(), "one code exchanged for tokens: " + record().path("refusals"));
        assertTrue(b.cookieNames().stream().noneMatch(n -> n.startsWith("q_session")),
                "the flow's own session cookie is dropped, the console cookie is the only session: " + b.cookieNames());

        JsonNode who = JSON.readTree(b.get(app.resolve("/session")).body());
        assertEquals("vera", who.path("name").asText());
        assertEquals(List.of("viewer"), list(who.path("roles")));
        String csrf = who.path("csrfToken").asText();
        assertEquals(43, csrf.length(), who.toString());

        // her roles are her token's groups: she reads, and may not plan (or start) a release
        assertEquals(200, b.get(app.resolve("/releases")).statusCode());
        assertEquals(403, b.send("POST", app.resolve("/releases/plan"), "{}", csrf).statusCode());

        // signing out ends the session; the next sign-in goes to the provider again
        assertEquals(204, b.send("DELETE", app.resolve("/session"), null, csrf).statusCode());
        assertEquals(401, b.get(app.resolve("/session")).statusCode());
        HttpResponse<String> again = b.get(app.resolve("/session/oidc"));
        assertEquals(302, again.statusCode());
        assertTrue(again.headers().firstValue("Location").orElseThrow().startsWith(issuer + "/authorize"));
    }

    @Test
    void aReleaseManagersSessionMayPlanAndTheFlowUsesPkceStateAndNonce() throws Exception {
        Browser b = new Browser();
        int requests = record().path("authorizations").size();
        HttpResponse<String> signedIn = signInAtTheProvider(b, "alice");
        assertEquals(303, signedIn.statusCode(), signedIn.body());

        Map<String, String> asked = JSON.convertValue(record().path("authorizations").get(requests), Map.class);
        assertEquals("S256", asked.get("code_challenge_method"), asked.toString());
        assertTrue(asked.get("code_challenge").length() >= 43, asked.toString());
        assertFalse(asked.get("state").isEmpty() || asked.get("nonce").isEmpty(), asked.toString());
        assertEquals(app.resolve("/session/oidc").toString(), asked.get("redirect_uri"));
        assertTrue(asked.get("scope").contains("openid"), asked.toString());

        JsonNode who = JSON.readTree(b.get(app.resolve("/session")).body());
        assertEquals("alice", who.path("name").asText());
        assertTrue(list(who.path("roles")).containsAll(List.of("release-manager", "approver", "viewer")), who.toString());
        HttpResponse<String> plan = b.send("POST", app.resolve("/releases/plan"), "{}", who.path("csrfToken").asText());
        assertEquals(200, plan.statusCode(), plan.body());
        assertFalse(JSON.readTree(plan.body()).path("version").asText().isEmpty(), plan.body());
        // without the CSRF token the same change is refused
        assertEquals(403, b.send("POST", app.resolve("/releases/plan"), "{}", null).statusCode());
    }

    @Test
    void aRefusalAtTheProviderAForgedCallbackOrAnotherNonceOpenNoSession() throws Exception {
        // the person refuses at the provider: back on the sign-in page with the provider's words
        Browser refusing = new Browser();
        HttpResponse<String> toProvider = refusing.get(app.resolve("/session/oidc"));
        HttpResponse<String> form = refusing.get(URI.create(toProvider.headers().firstValue("Location").orElseThrow()));
        HttpResponse<String> back = refusing.post(URI.create(issuer + "/login"),
                "request=" + requestId(form.body()) + "&username=vera&decision=deny");
        HttpResponse<String> landed = refusing.followOnApp(URI.create(back.headers().firstValue("Location").orElseThrow()));
        assertEquals(302, landed.statusCode(), landed.body());
        String errorPage = landed.headers().firstValue("Location").orElseThrow();
        assertTrue(errorPage.contains("error=access_denied"), errorPage);
        assertNull(refusing.cookie(SessionCookieMechanism.COOKIE));
        assertEquals(401, refusing.get(app.resolve("/session")).statusCode());

        // a callback this browser did not start (no state cookie of its own): no tokens asked for, no session
        int issued = issued();
        Browser forged = new Browser();
        HttpResponse<String> callback = forged.followOnApp(app.resolve("/session/oidc?code=stolen-code&state=forged-state"));
        assertNotEquals303(callback);
        assertNull(forged.cookie(SessionCookieMechanism.COOKIE));
        assertEquals(issued, issued());

        // an ID token whose nonce is not this flow's is refused
        wrongNonce(true);
        try {
            Browser replayed = new Browser();
            HttpResponse<String> r = signInAtTheProvider(replayed, "alice");
            assertNotEquals303(r);
            assertNull(replayed.cookie(SessionCookieMechanism.COOKIE));
            assertEquals(401, replayed.get(app.resolve("/session")).statusCode());
        } finally {
            wrongNonce(false);
        }
    }

    /** What the provider saw: tokens issued, token requests refused, authorization requests. */
    private JsonNode record() throws Exception {
        return JSON.readTree(new Browser().get(URI.create(issuer + "/stand-in/record")).body());
    }

    private int issued() throws Exception {
        return record().path("issued").asInt();
    }

    private void wrongNonce(boolean on) throws Exception {
        assertEquals(String.valueOf(on), new Browser().send("POST", URI.create(issuer + "/stand-in/wrong-nonce"), String.valueOf(on), null).body());
    }

    private static void assertNotEquals303(HttpResponse<String> r) {
        assertTrue(r.statusCode() != 303 && r.statusCode() != 200, r.statusCode() + " " + r.headers().map() + " " + r.body());
    }

    /** From the console's sign-in link through the provider's login form and back; the app's last answer. */
    private HttpResponse<String> signInAtTheProvider(Browser b, String user) throws Exception {
        HttpResponse<String> toProvider = b.get(app.resolve("/session/oidc"));
        assertEquals(302, toProvider.statusCode(), toProvider.body());
        URI authorize = URI.create(toProvider.headers().firstValue("Location").orElseThrow());
        assertTrue(authorize.toString().startsWith(issuer + "/authorize"), authorize.toString());
        HttpResponse<String> form = b.get(authorize);
        assertEquals(200, form.statusCode(), form.body());
        HttpResponse<String> back = b.post(URI.create(issuer + "/login"),
                "request=" + requestId(form.body()) + "&username=" + user + "&decision=allow");
        assertEquals(302, back.statusCode(), back.body());
        URI callback = URI.create(back.headers().firstValue("Location").orElseThrow());
        assertTrue(callback.toString().startsWith(app.resolve("/session/oidc").toString() + "?"), callback.toString());
        return b.followOnApp(callback);
    }

    private static String requestId(String html) {
        Matcher m = Pattern.compile("name=\"request\" value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), html);
        return m.group(1);
    }

    private static List<String> list(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    /** Follows redirects itself and keeps cookies per host and path, as a browser does (SameSite aside). */
    final class Browser {
        record Cookie(String value, String path) {
        }

        final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        final Map<String, Map<String, Cookie>> jar = new HashMap<>();

        HttpResponse<String> get(URI uri) throws Exception {
            return send("GET", uri, null, null);
        }

        HttpResponse<String> post(URI uri, String form) throws Exception {
            HttpRequest.Builder r = request(uri).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form));
            return keep(uri, http.send(r.build(), HttpResponse.BodyHandlers.ofString()));
        }

        HttpResponse<String> send(String method, URI uri, String json, String csrf) throws Exception {
            HttpRequest.Builder r = request(uri).header("Accept", "application/json");
            if (csrf != null) {
                r.header(CsrfCheck.HEADER, csrf);
            }
            if (json != null) {
                r.header("Content-Type", "application/json");
            }
            r.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            return keep(uri, http.send(r.build(), HttpResponse.BodyHandlers.ofString()));
        }

        /** Requests {@code uri} and follows the app's redirects within the app (not to the provider). */
        HttpResponse<String> followOnApp(URI uri) throws Exception {
            HttpResponse<String> r = get(uri);
            for (int i = 0; i < 5 && r.statusCode() == 302; i++) {
                URI next = uri.resolve(r.headers().firstValue("Location").orElseThrow());
                if (!next.getPath().startsWith("/session/oidc") || !app.getAuthority().equals(next.getAuthority())) {
                    return r;
                }
                uri = next;
                r = get(uri);
            }
            return r;
        }

        String cookie(String name) {
            Cookie c = jar.getOrDefault(app.getAuthority(), Map.of()).get(name);
            return c == null ? null : c.value();
        }

        List<String> cookieNames() {
            return List.copyOf(jar.getOrDefault(app.getAuthority(), Map.of()).keySet());
        }

        private HttpRequest.Builder request(URI uri) {
            HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
            List<String> cookies = new ArrayList<>();
            jar.getOrDefault(uri.getAuthority(), Map.of()).forEach((name, c) -> {
                if (uri.getPath().startsWith(c.path())) {
                    cookies.add(name + "=" + c.value());
                }
            });
            if (!cookies.isEmpty()) {
                r.header("Cookie", String.join("; ", cookies));
            }
            return r;
        }

        private HttpResponse<String> keep(URI uri, HttpResponse<String> response) {
            Map<String, Cookie> cookies = jar.computeIfAbsent(uri.getAuthority(), k -> new LinkedHashMap<>());
            for (String header : response.headers().allValues("Set-Cookie")) {
                String[] parts = header.split(";");
                int eq = parts[0].indexOf('=');
                String name = parts[0].substring(0, eq).trim();
                String value = parts[0].substring(eq + 1).trim();
                String path = "/";
                boolean gone = value.isEmpty();
                for (int i = 1; i < parts.length; i++) {
                    String a = parts[i].trim();
                    String lower = a.toLowerCase();
                    if (lower.startsWith("path=")) {
                        path = a.substring(5);
                    } else if (lower.equals("max-age=0") || lower.startsWith("max-age=-")) {
                        gone = true;
                    } else if (lower.startsWith("expires=") && a.contains("1970")) {
                        gone = true;
                    }
                }
                if (gone) {
                    cookies.remove(URLDecoder.decode(name, StandardCharsets.UTF_8));
                } else {
                    cookies.put(name, new Cookie(value, path));
                }
            }
            return response;
        }
    }
}
