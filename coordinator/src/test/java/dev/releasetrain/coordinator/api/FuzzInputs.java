package dev.releasetrain.coordinator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.releasetrain.coordinator.api.RestFuzzTest.Fixtures;
import dev.releasetrain.coordinator.api.RestFuzzTest.Req;
import dev.releasetrain.coordinator.security.TestTokens;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The REST fuzzer's inputs: a small seeded property-based generator of our own. A {@link Gen} draws one value
 * from a {@link SplittableRandom}; the same seed gives the same requests, in the same order.
 */
final class FuzzInputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FuzzInputs() {
    }

    /** A generator of values of one kind. */
    @FunctionalInterface
    interface Gen<T> {
        T next(SplittableRandom r);

        default <U> Gen<U> map(Function<? super T, ? extends U> f) {
            return r -> f.apply(next(r));
        }

        /** Between {@code min} and {@code max} values, joined. */
        default Gen<List<T>> list(int min, int max) {
            return r -> {
                int n = min + r.nextInt(max - min + 1);
                List<T> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(next(r));
                }
                return out;
            };
        }
    }

    /** A weighted choice between generators. */
    record Weighted<T>(int weight, Gen<? extends T> gen) {
    }

    static <T> Weighted<T> w(int weight, Gen<? extends T> gen) {
        return new Weighted<>(weight, gen);
    }

    @SafeVarargs
    static <T> Gen<T> frequency(Weighted<T>... choices) {
        return frequency(List.of(choices));
    }

    static <T> Gen<T> frequency(List<Weighted<T>> choices) {
        int total = choices.stream().mapToInt(Weighted::weight).sum();
        return r -> {
            int pick = r.nextInt(total);
            for (Weighted<T> c : choices) {
                pick -= c.weight();
                if (pick < 0) {
                    return c.gen().next(r);
                }
            }
            throw new IllegalStateException("unreachable");
        };
    }

    static <T> Gen<T> just(T value) {
        return r -> value;
    }

    @SafeVarargs
    static <T> Gen<T> of(T... values) {
        return of(Arrays.asList(values));
    }

    /** One of {@code values} (nulls allowed). */
    static <T> Gen<T> of(List<T> values) {
        List<T> copy = new ArrayList<>(values);
        return r -> copy.get(r.nextInt(copy.size()));
    }

    /** Any long, the edges (0, ±1, min, max) more often than chance would give them. */
    static Gen<Long> longs() {
        Gen<Long> edges = of(0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE);
        return frequency(w(1, edges), w(1, r -> (long) r.nextInt(-1000, 1000)), w(3, SplittableRandom::nextLong));
    }

    /** Strings of exactly {@code length} characters from {@code chars}. */
    static Gen<String> strings(String chars, int length) {
        return r -> {
            StringBuilder sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                sb.append(chars.charAt(r.nextInt(chars.length())));
            }
            return sb.toString();
        };
    }

    // ------------------------------------------------------------------------------------- inputs

    private static final List<String> TOKENS = List.of(TestTokens.VERA, TestTokens.ALICE, TestTokens.BOB);

    static Gen<String> tokens() {
        return frequency(
                w(6, just(TestTokens.ALICE)),
                w(4, of(TOKENS)),
                w(1, just((String) null)),
                w(1, of("not-a-token", "test-token-vera-5f0c1d2e3a4", "Bearer", "x".repeat(500))));
    }

    static Gen<String> versions(Fixtures f) {
        return frequency(
                w(6, of(f.versions())),
                w(4, of("9.9.9", "0.0.0", "1.2", "01.2.3", "1.2.3.4", "v1.2.3", "1.2.3-rc.1", "abc", " ",
                        "-1.0.0", "9999999.0.0", "1.0.0\u0000", "\uff11.\uff12.\uff13", "%", "..", "1.2.3 ", "1".repeat(300),
                        "1.28.3", "1.28.2", "0.77.0", "\u202e1.2.3", "\ud83d\ude80")),
                w(1, text(0, 6)));
    }

    static Gen<String> names() {
        return frequency(
                w(6, of("git.resolve-head", "notify.post-message", "deploy.list-pods", "cdn.read-distribution",
                        "qa", "launch", "notify.done", "break-the-release", "release-day")),
                w(3, of("git.nope", " ", "a b", "git.resolve-head\u0000", "\u0007", "..", "%2e", "n".repeat(129),
                        "n".repeat(1000), "\u00e9t\u00e9", "\ud83d\ude80", "GIT.RESOLVE-HEAD")),
                w(1, text(1, 5)));
    }

    static Gen<String> lastEventIds() {
        return frequency(
                w(4, just((String) null)),
                w(3, of("", "0", "1", "3", "9223372036854775807", "99999999999999999999", "-1", "abc", "1.5",
                        " 3 ", "0x10", "1e3", "+4", "00000000000000000007", "\t2", "1 2", "9".repeat(40))),
                w(1, longs().map(String::valueOf)));
    }

    /** Pieces of strings that break things: controls, lone surrogates, emoji, right-to-left, quotes, markup. */
    static final List<String> FRAGMENTS = List.of("a", "release", "fix-1", "main", " ", "1.29.0", "\u0000", "\u0007", "\n", "\t",
            "\r", "\u001b", "\u007f", "\u0085", "\u009f", "\u2028", "\u202e", "\ufeff", "\uffff", "\ud800", "\udc00",
            "\ud83d\ude80", "\u00e9t\u00e9", "\u4e2d\u6587", "\u0661", "'", "\"", "\\", "%", "%00", "{", "}", "<script>",
            "../", "null", "${x}", "{{version}}");

    /** Strings of {@code min} to {@code max} fragments. */
    static Gen<String> text(int min, int max) {
        return of(FRAGMENTS).list(min, max).map(parts -> String.join("", parts));
    }

    /** A string of exactly {@code length} characters ending in a fragment. */
    static Gen<String> longText(int length) {
        return of(FRAGMENTS).map(f -> "x".repeat(Math.max(0, length - f.length())) + f);
    }

    /** A JSON value, written as text: strings (escaped so lone surrogates and controls survive), numbers, others. */
    static Gen<String> jsonValues(int depth) {
        Gen<Integer> lengths = of(1990, 2001, 4097, 20_000);
        List<Weighted<String>> choices = new ArrayList<>(List.of(
                w(10, text(0, 6).map(FuzzInputs::quote)),
                w(4, of("minor", "patch", "proving", "gated", "editable-retry", "monthly-minor", "1.29.0",
                        "9.9.9", "main", "fix-1", "", " ").map(FuzzInputs::quote)),
                w(1, r -> quote(longText(lengths.next(r)).next(r))),
                w(2, of("0", "-1", "1.5", "1e400", "-0", "12345678901234567890123", "true", "false", "null")),
                w(1, of("[]", "{}", "[\"a\"]", "[null]", "{\"a\":{\"b\":[]}}", "[".repeat(2000) + "]".repeat(2000)))));
        if (depth > 0) {
            choices.add(w(3, params(depth - 1)));
        }
        return frequency(choices);
    }

    /** A JSON object of parameters: names good and bad, values of any kind. */
    static Gen<String> params(int depth) {
        Gen<String> keys = frequency(
                w(5, of("ref", "label", "tags", "mergedAfter", "paths", "k", "branch", "version")),
                w(2, of("", "1bad", "a b", "p\u0000", "x".repeat(65), "\ud800", "params")),
                w(1, text(1, 3)));
        return object(keys, jsonValues(depth), 0, 4);
    }

    /** A JSON object of {@code min} to {@code max} entries. */
    private static Gen<String> object(Gen<String> keys, Gen<String> values, int min, int max) {
        Gen<String> entry = r -> quote(keys.next(r)) + ":" + values.next(r);
        return entry.list(min, max).map(entries -> "{" + String.join(",", entries) + "}");
    }

    /** A body: a JSON object of known and unknown fields, or something that is not one. */
    static Gen<byte[]> bodies(List<String> fields) {
        Gen<String> names = frequency(
                w(8, of(fields)),
                w(1, of("force", "Version", "params ", "__proto__", "", "reason\u0000")),
                w(1, text(1, 3)));
        Gen<String> objects = object(names, jsonValues(1), 1, 4);
        Gen<String> malformed = frequency(
                w(3, of("{", "}", "{\"reason\":", "{\"reason\":\"x\"", "{'reason':'x'}", "nul", "[", "\"",
                        "{\"reason\":\"a\u0000b\"}", "{\"reason\":\"a\nb\"}", "{\"params\":{\"k\":}}", "{\"a\":1,}", "\ufeff{}",
                        "null", "[]", "\"text\"", "42", "true", "{\"version\":\"1.29.0\"}{}", "{\"reason\":\"\\u12\"}",
                        "{\"reason\":\"\\ud800\"}", "{\"params\":{\"k\":null}}", "{\"params\":null}", "{\"reason\":null}")),
                w(1, text(0, 8)));
        Gen<byte[]> invalidUtf8 = of(new byte[]{'{', '"', 'r', 'e', 'a', 's', 'o', 'n', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'},
                new byte[]{(byte) 0xFF, (byte) 0xFE, 0, 0}, new byte[]{'{', '"', 'x', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'});
        Gen<byte[]> huge = of(60_000, 70_000, 200_000)
                .map(n -> ("{\"" + fields.get(0) + "\":\"" + "h".repeat(n) + "\"}").getBytes(StandardCharsets.UTF_8));
        return frequency(
                w(12, objects.map(FuzzInputs::utf8)),
                w(4, malformed.map(FuzzInputs::utf8)),
                w(2, just((byte[]) null)),
                w(1, invalidUtf8),
                w(1, huge));
    }

    static Gen<String> contentTypes() {
        return frequency(
                w(20, just("application/json")),
                w(1, of("text/plain", "application/xml", "application/json; charset=ISO-8859-1",
                        "application/x-www-form-urlencoded", "garbage", "*/*")),
                w(1, just((String) null)));
    }

    static Gen<String> accepts() {
        return frequency(
                w(12, just((String) null)),
                w(2, of("application/json", "*/*", "text/event-stream", "text/html", "application/xml", "text/calendar")));
    }

    /** Requests over every endpoint, as every role, with and without credentials. */
    static Gen<Req> requests(Fixtures f) {
        Gen<String> v = versions(f);
        Gen<String> n = names();
        Gen<String> t = tokens();
        Gen<String> cts = contentTypes();
        Gen<String> acc = accepts();
        Gen<String> ids = lastEventIds();
        Gen<byte[]> startBodies = bodies(List.of("version", "kind", "runbook"));
        Gen<byte[]> retryBodies = bodies(List.of("reason", "params"));
        Gen<byte[]> approveBodies = bodies(List.of("note", "evidence"));
        Gen<byte[]> cancelBodies = bodies(List.of("reason"));
        Gen<Req> start = r -> {
            String tk = t.next(r), ct = cts.next(r), a = acc.next(r);
            byte[] b = startBodies.next(r);
            return new Req("POST /releases", "POST", "/releases", tk, versionIn(b), ct, a, null, b);
        };
        Gen<Req> list = r -> new Req("GET /releases", "GET", "/releases", t.next(r), null, null, acc.next(r), null, null);
        Gen<Req> get = r -> {
            String tk = t.next(r), ver = v.next(r);
            return new Req("GET /releases/{v}", "GET", "/releases/" + seg(ver), tk, ver, null, acc.next(r), null, null);
        };
        Gen<Req> timeline = r -> {
            String tk = t.next(r), ver = v.next(r);
            return new Req("GET /releases/{v}/timeline", "GET", "/releases/" + seg(ver) + "/timeline", tk, ver, null, acc.next(r), null, null);
        };
        Gen<Req> events = r -> {
            String tk = t.next(r), ver = v.next(r), id = ids.next(r);
            return new Req("GET /releases/{v}/events", "GET", "/releases/" + seg(ver) + "/events", tk, ver, null, acc.next(r), id, null);
        };
        Gen<Req> retry = r -> {
            String tk = t.next(r), ver = v.next(r), step = n.next(r), ct = cts.next(r);
            return new Req("POST /releases/{v}/steps/{step}/retry", "POST", "/releases/" + seg(ver) + "/steps/" + seg(step) + "/retry",
                    tk, ver, ct, null, null, retryBodies.next(r));
        };
        Gen<Req> approve = r -> {
            String tk = t.next(r), ver = v.next(r), gate = n.next(r), ct = cts.next(r);
            return new Req("POST /releases/{v}/gates/{gate}/approve", "POST", "/releases/" + seg(ver) + "/gates/" + seg(gate) + "/approve",
                    tk, ver, ct, null, null, approveBodies.next(r));
        };
        Gen<Req> cancel = r -> {
            String tk = t.next(r), ver = v.next(r), ct = cts.next(r);
            return new Req("POST /releases/{v}/cancel", "POST", "/releases/" + seg(ver) + "/cancel", tk, ver, ct, null, null, cancelBodies.next(r));
        };
        Gen<String> years = of("2026", "1999", "2101", "0", "-5", "abc", "2026.5", " 2030", "99999999999", "\u0662\u0660\u0662\u0666");
        Gen<Req> year = r -> {
            String tk = t.next(r), y = years.next(r);
            return new Req("GET /calendar/{year}", "GET", "/calendar/" + seg(y), tk, null, null, acc.next(r), null, null);
        };
        Gen<Req> ics = r -> new Req("GET /calendar.ics", "GET", "/calendar.ics", t.next(r), null, null, acc.next(r), null, null);
        Gen<String> feedMethods = of("POST", "DELETE");
        Gen<byte[]> feedBodies = of((byte[]) null, utf8("{}"), utf8("{\"x\":1}"));
        Gen<Req> feedUrl = r -> {
            String tk = t.next(r), m = feedMethods.next(r);
            return new Req(m + " /calendar/feed-url", m, "/calendar/feed-url", tk, null, null, null, null, feedBodies.next(r));
        };
        Gen<Req> feed = frequency(w(3, strings("ABCxyz019_-", 43)), w(1, text(0, 8)))
                .map(s -> new Req("GET /calendar/feeds/{secret}.ics", "GET", "/calendar/feeds/" + seg(s) + ".ics", null, null, null, null, null, null));
        Gen<String> strayMethods = of("PUT", "DELETE", "PATCH", "GET", "POST");
        Gen<String> strayPaths = of("/releases/1.2.3/steps", "/releases/x/y/z", "/nope", "/releases/" + f.running() + "/cancel",
                "/calendar", "/releases//events", "/releases/" + f.gated() + "/gates/qa");
        Gen<Req> stray = r -> {
            String tk = t.next(r), m = strayMethods.next(r), p = strayPaths.next(r);
            return new Req("other method or path", m, p, tk, p.split("/").length > 2 ? p.split("/")[2] : null,
                    "application/json", null, null, m.equals("GET") ? null : utf8("{}"));
        };
        return frequency(
                w(14, start), w(3, list), w(8, get), w(6, timeline), w(8, events),
                w(16, retry), w(12, approve), w(12, cancel), w(4, year), w(2, ics),
                w(3, feedUrl), w(4, feed), w(4, stray));
    }

    /** The seed as a number: a decimal long as it is, anything else by its hash. */
    static long seed(String seed) {
        try {
            return Long.parseLong(seed.trim());
        } catch (NumberFormatException e) {
            return seed.hashCode();
        }
    }

    /** {@code count} requests drawn from {@code seed}. */
    static List<Req> generate(Fixtures f, String seed, int count) {
        SplittableRandom random = new SplittableRandom(seed(seed));
        Gen<Req> requests = requests(f);
        List<Req> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(requests.next(random));
        }
        return out;
    }

    /** The version a start body names, if it is a JSON object with a string "version". */
    static String versionIn(byte[] body) {
        if (body == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.path("version").isTextual() ? n.path("version").asText() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** A path segment: every byte percent-encoded that is not unreserved (a lone surrogate goes as '?'). */
    static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal; controls, quotes, backslashes and every surrogate written as escapes. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
