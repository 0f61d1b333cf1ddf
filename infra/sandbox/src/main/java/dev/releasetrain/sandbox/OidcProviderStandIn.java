package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenID Connect provider for the sign-in tests, speaking the real protocol over HTTP (JDK classes only): the discovery document, the JWKS
 * (a fresh RSA key), an authorization endpoint that shows a login form and, once a person signs in there, redirects
 * back with a one-time code (or with {@code error=access_denied} when they refuse), and a token endpoint that checks
 * the client's secret, the redirect URI and the PKCE verifier (S256) before it issues an RS256-signed ID token (with
 * the request's nonce) and access token, both carrying the person's groups. It refuses what a real provider would:
 * an authorization request without state, nonce or an S256 code challenge, a code used twice, a wrong verifier.
 *
 * <p>For a test that runs in another class loader than the one that started it (a Quarkus test), what happened is
 * also served as JSON at {@code /stand-in/record}, and {@code POST /stand-in/wrong-nonce} ({@code true} or
 * {@code false}) switches {@link #wrongNonce}.
 */
public final class OidcProviderStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String KID = "stand-in-1";

    private final HttpServer server;
    private final KeyPair key;
    private final String clientId;
    private final String clientSecret;
    private final Map<String, List<String>> people;
    private final Map<String, Map<String, String>> pending = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> codes = new ConcurrentHashMap<>();
    /** The authorization requests received, their query parameters in order. */
    public final List<Map<String, String>> authorizations = new CopyOnWriteArrayList<>();
    /** Token requests refused, with the reason, and tokens issued. */
    public final List<String> refusals = new CopyOnWriteArrayList<>();
    public final AtomicInteger issued = new AtomicInteger();
    /** Set: the next ID tokens carry another nonce than the authorization request's (a replayed or forged token). */
    public final AtomicBoolean wrongNonce = new AtomicBoolean();

    /** {@code people}: who can sign in, each with their groups (the role claim). */
    public OidcProviderStandIn(String clientId, String clientSecret, Map<String, List<String>> people) throws Exception {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.people = people;
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        this.key = generator.generateKeyPair();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/.well-known/openid-configuration", x -> json(x, 200, discovery()));
        server.createContext("/jwks", x -> json(x, 200, Map.of("keys", List.of(publicJwk()))));
        server.createContext("/authorize", this::authorize);
        server.createContext("/login", this::login);
        server.createContext("/token", this::token);
        server.createContext("/stand-in/record", x -> json(x, 200, Map.of("issued", issued.get(), "refusals", refusals,
                "authorizations", authorizations)));
        server.createContext("/stand-in/wrong-nonce", x -> {
            wrongNonce.set(Boolean.parseBoolean(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).trim()));
            send(x, 200, "text/plain", String.valueOf(wrongNonce.get()));
        });
        server.start();
    }

    public String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Map<String, Object> discovery() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("issuer", issuer());
        d.put("authorization_endpoint", issuer() + "/authorize");
        d.put("token_endpoint", issuer() + "/token");
        d.put("jwks_uri", issuer() + "/jwks");
        d.put("response_types_supported", List.of("code"));
        d.put("subject_types_supported", List.of("public"));
        d.put("id_token_signing_alg_values_supported", List.of("RS256"));
        d.put("code_challenge_methods_supported", List.of("S256"));
        d.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        d.put("scopes_supported", List.of("openid", "profile"));
        return d;
    }

    private void authorize(HttpExchange x) throws IOException {
        Map<String, String> q = form(x.getRequestURI().getRawQuery());
        authorizations.add(q);
        for (String required : List.of("state", "nonce", "code_challenge", "redirect_uri")) {
            if (q.getOrDefault(required, "").isEmpty()) {
                send(x, 400, "text/plain", "invalid_request: " + required + " is required");
                return;
            }
        }
        if (!"code".equals(q.get("response_type")) || !clientId.equals(q.get("client_id"))
                || !"S256".equals(q.get("code_challenge_method")) || !q.getOrDefault("scope", "").contains("openid")) {
            send(x, 400, "text/plain", "invalid_request: response_type code, client " + clientId + ", scope openid and S256 are required");
            return;
        }
        String id = random();
        pending.put(id, q);
        send(x, 200, "text/html; charset=utf-8", """
                <!DOCTYPE html><html lang="en"><head><title>Stand-in identity provider</title></head><body>
                <h1>Sign in to the stand-in identity provider</h1>
                <form method="post" action="/login">
                <input type="hidden" name="request" value="%s">
                <p><label for="username">User name</label> <input id="username" name="username" autocomplete="off"></p>
                <p><button type="submit" id="allow" name="decision" value="allow">Sign in</button>
                <button type="submit" id="deny" name="decision" value="deny">Refuse</button></p>
                </form></body></html>""".formatted(id));
    }

    private void login(HttpExchange x) throws IOException {
        Map<String, String> f = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        Map<String, String> q = pending.remove(f.getOrDefault("request", ""));
        if (q == null) {
            send(x, 400, "text/plain", "unknown or used authorization request");
            return;
        }
        String back = q.get("redirect_uri") + (q.get("redirect_uri").contains("?") ? "&" : "?");
        if (!"allow".equals(f.get("decision"))) {
            redirect(x, back + "error=access_denied&error_description=" + enc("the person refused the sign-in") + "&state=" + enc(q.get("state")));
            return;
        }
        String user = f.getOrDefault("username", "");
        if (!people.containsKey(user)) {
            send(x, 200, "text/plain", "unknown user " + user);
            return;
        }
        String code = random();
        Map<String, String> grant = new LinkedHashMap<>(q);
        grant.put("user", user);
        codes.put(code, grant);
        redirect(x, back + "code=" + enc(code) + "&state=" + enc(q.get("state")));
    }

    private void token(HttpExchange x) throws IOException {
        Map<String, String> f = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String refusal = checkClient(x, f);
        Map<String, String> grant = refusal == null ? codes.remove(f.getOrDefault("code", "")) : null;
        if (refusal == null && (!"authorization_code".equals(f.get("grant_type")) || grant == null)) {
            refusal = "invalid_grant: unknown or used code";
        }
        if (refusal == null && !grant.get("redirect_uri").equals(f.get("redirect_uri"))) {
            refusal = "invalid_grant: redirect_uri differs from the authorization request's";
        }
        if (refusal == null && !grant.get("code_challenge").equals(s256(f.getOrDefault("code_verifier", "")))) {
            refusal = "invalid_grant: the PKCE code_verifier does not match the code_challenge";
        }
        if (refusal != null) {
            refusals.add(refusal);
            json(x, 400, Map.of("error", refusal.substring(0, refusal.indexOf(':')), "error_description", refusal));
            return;
        }
        String user = grant.get("user");
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("access_token", sign(claims(user, "release-train", null)));
            out.put("id_token", sign(claims(user, clientId, (wrongNonce.get() ? "other-" : "") + grant.get("nonce"))));
            out.put("token_type", "Bearer");
            out.put("expires_in", 600);
            issued.incrementAndGet();
            json(x, 200, out);
        } catch (Exception e) {
            json(x, 500, Map.of("error", "server_error", "error_description", String.valueOf(e.getMessage())));
        }
    }

    private String checkClient(HttpExchange x, Map<String, String> f) {
        String basic = x.getRequestHeaders().getFirst("Authorization");
        String id = f.get("client_id");
        String secret = f.get("client_secret");
        if (basic != null && basic.startsWith("Basic ")) {
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            id = URLDecoder.decode(pair[0], StandardCharsets.UTF_8);
            secret = pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : null;
        }
        return clientId.equals(id) && clientSecret.equals(secret) ? null : "invalid_client: unknown client or wrong secret";
    }

    private Map<String, Object> publicJwk() {
        RSAPublicKey pub = (RSAPublicKey) key.getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("kid", KID);
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("n", unsigned(pub.getModulus()));
        jwk.put("e", unsigned(pub.getPublicExponent()));
        return jwk;
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private Map<String, Object> claims(String user, String audience, String nonce) {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", issuer());
        c.put("aud", audience);
        c.put("sub", "sub-" + user);
        c.put("preferred_username", user);
        c.put("groups", people.get(user));
        c.put("iat", now);
        c.put("exp", now + 600);
        c.put("jti", random());
        if (nonce != null) {
            c.put("nonce", nonce);
        }
        return c;
    }

    /** A compact JWS, RS256 with the JWKS key. */
    private String sign(Map<String, Object> claims) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT", "kid", KID)))
                + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key.getPrivate());
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(rsa.sign());
    }

    private static String s256(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String random() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static void redirect(HttpExchange x, String location) throws IOException {
        x.getResponseHeaders().set("Location", location);
        x.sendResponseHeaders(302, -1);
        x.close();
    }

    private static void json(HttpExchange x, int status, Object body) throws IOException {
        send(x, status, "application/json", JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
