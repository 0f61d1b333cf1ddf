package dev.releasetrain.coordinator.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The configured static bearer tokens: each one names a person and their roles. Only SHA-256 digests of
 * the tokens are kept; a presented token is compared with every entry in constant time (no early exit),
 * so neither the comparison's duration nor the logs say anything about the tokens.
 */
public final class ApiTokens {
    static final String KEY = "release-train.auth.tokens";
    static final int MIN_TOKEN_LENGTH = 16;

    /** Who a token belongs to. */
    public record Holder(String name, Set<String> roles) {
    }

    private record Entry(Holder holder, byte[] digest) {
    }

    private final List<Entry> entries;

    private ApiTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Parses {@code name:role1+role2:token} entries. A bad entry throws {@link IllegalArgumentException}
     * naming the key, the entry's position and the person (never the token).
     */
    public static ApiTokens parse(List<String> specs) {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int position = 0;
        for (String spec : specs) {
            position++;
            if (spec == null || spec.isBlank()) {
                continue;
            }
            String[] parts = spec.trim().split(":", 3);
            String where = KEY + ": entry " + position;
            if (parts.length != 3) {
                throw new IllegalArgumentException(where + " must be name:role1+role2:token");
            }
            String name = parts[0].trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(where + " has no name (name:role1+role2:token)");
            }
            where = where + " (" + name + ")";
            if (!names.add(name)) {
                throw new IllegalArgumentException(where + ": " + name + " has more than one entry");
            }
            Set<String> roles = new LinkedHashSet<>();
            for (String r : parts[1].split("\\+")) {
                String role = r.trim();
                if (!Roles.ALL.contains(role)) {
                    throw new IllegalArgumentException(where + ": unknown role '" + role + "' (known: "
                            + Roles.VIEWER + ", " + Roles.RELEASE_MANAGER + ", " + Roles.APPROVER + ")");
                }
                roles.add(role);
            }
            String token = parts[2].trim();
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new IllegalArgumentException(where + ": the token must be at least " + MIN_TOKEN_LENGTH + " characters");
            }
            byte[] digest = sha256(token);
            for (Entry e : entries) {
                if (MessageDigest.isEqual(e.digest(), digest)) {
                    throw new IllegalArgumentException(where + ": the same token is also given to " + e.holder().name());
                }
            }
            entries.add(new Entry(new Holder(name, Set.copyOf(Roles.withImplied(roles))), digest));
        }
        return new ApiTokens(entries);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int size() {
        return entries.size();
    }

    /** The holder of {@code presented}, if it is one of the configured tokens. */
    public Optional<Holder> holderOf(String presented) {
        if (presented == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        Holder found = null;
        for (Entry e : entries) {
            // Every entry is compared, whatever matched before: the time taken does not depend on the tokens.
            if (MessageDigest.isEqual(e.digest(), digest) & found == null) {
                found = e.holder();
            }
        }
        Arrays.fill(digest, (byte) 0);
        return Optional.ofNullable(found);
    }

    /**
     * The holder of the token whose SHA-256 is {@code digest} (the console's sessions keep only that), if it is
     * still configured; compared with every entry in constant time, like {@link #holderOf}.
     */
    public Optional<Holder> holderOfDigest(byte[] digest) {
        if (digest == null) {
            return Optional.empty();
        }
        Holder found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), digest) & found == null) {
                found = e.holder();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The SHA-256 of a token, as {@link #holderOfDigest} takes it. */
    public static byte[] digest(String token) {
        return sha256(token);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
