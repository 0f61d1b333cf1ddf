package dev.releasetrain.coordinator.console;

import dev.releasetrain.coordinator.api.DatabaseOutage;
import dev.releasetrain.coordinator.security.ApiTokens;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web console's sessions ({@code console_sessions}, V7). A session id is 32 random bytes (base64url, 43
 * characters) that lives only in the browser's HttpOnly cookie; the table keeps its SHA-256. A session made from
 * a static token keeps that token's digest and takes its holder and roles from the configured tokens at every
 * request, so roles apply exactly as on the API and a removed token ends its sessions; an OIDC session keeps the
 * name and roles its token carried and ends when that token would have. Every session ends after
 * {@link #LIFETIME} at the latest, or at sign-out.
 */
@ApplicationScoped
public class ConsoleSessions {
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** What an issued session id looks like; anything else is not looked up. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** A live session: who, with which roles, and the token its page must send back on every change. */
    public record Session(String person, Set<String> roles, String csrfToken, Instant expiresAt) {
    }

    /** A new session and the id its cookie carries. */
    public record Issued(String id, Session session) {
    }

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ApiTokens tokens;

    /**
     * Opens a session for {@code person}. {@code staticToken}: the static token exchanged (its digest is kept),
     * or null for an OIDC token, whose {@code roles} are kept instead, until {@code notAfter} at the latest.
     */
    public Issued open(String person, Set<String> roles, String staticToken, Instant notAfter) {
        String id = random();
        String csrf = random();
        Instant expires = Instant.now().plus(LIFETIME);
        if (notAfter != null && notAfter.isBefore(expires)) {
            expires = notAfter;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("insert into console_sessions (id_sha256, person, roles, token_sha256,"
                     + " csrf_token, expires_at) values (?, ?, ?, ?, ?, ?)")) {
            q.setBytes(1, sha256(id));
            q.setString(2, person);
            q.setString(3, String.join(",", roles));
            q.setBytes(4, staticToken == null ? null : ApiTokens.digest(staticToken));
            q.setString(5, csrf);
            q.setTimestamp(6, Timestamp.from(expires));
            q.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot store the console session of " + person, e);
        }
        purgeExpired();
        return new Issued(id, new Session(person, roles, csrf, expires));
    }

    /** The live session of a cookie's id: unknown, expired, or of a token no longer configured: none. */
    public Optional<Session> find(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("select person, roles, token_sha256, csrf_token, expires_at"
                     + " from console_sessions where id_sha256 = ? and expires_at > now()")) {
            q.setBytes(1, sha256(id));
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] token = rs.getBytes(3);
                String csrf = rs.getString(4);
                Instant expires = rs.getTimestamp(5).toInstant();
                if (token != null) {
                    return tokens.holderOfDigest(token).map(h -> new Session(h.name(), h.roles(), csrf, expires));
                }
                Set<String> roles = new LinkedHashSet<>(Arrays.asList(rs.getString(2).split(",")));
                roles.remove("");
                return Optional.of(new Session(rs.getString(1), roles, csrf, expires));
            }
        } catch (SQLException e) {
            throw failure("cannot read the console sessions", e);
        }
    }

    /** Ends the session of a cookie's id (sign-out); false when there was none. */
    public boolean close(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            return false;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("delete from console_sessions where id_sha256 = ?")) {
            q.setBytes(1, sha256(id));
            return q.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure("cannot end a console session", e);
        }
    }

    private void purgeExpired() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement q = c.prepareStatement("delete from console_sessions where expires_at <= now()")) {
            q.executeUpdate();
        } catch (SQLException e) {
            throw failure("cannot remove expired console sessions", e);
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Only the SQL state goes into the message (the statement's parameters are digests, but still). */
    private static IllegalStateException failure(String what, SQLException e) {
        IllegalStateException ex = new IllegalStateException(what + " (SQL state " + e.getSQLState() + ")");
        if (DatabaseOutage.causes(e)) {
            ex.initCause(e);
        }
        return ex;
    }

    static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
