package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * Decodes the Kubernetes protobuf encoding of a {@code v1.Secret} into its JSON form. Helm's storage driver
 * writes releases as Secrets through client-go with {@code application/vnd.kubernetes.protobuf}; the fabric8
 * mock server only stores JSON. The envelope is the magic {@code k8s\0} followed by a {@code runtime.Unknown}
 * (1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType) whose {@code raw} is the
 * object. Only the fields a Secret and its {@code ObjectMeta} carry are read (field numbers from
 * k8s.io/api core/v1 and apimachinery meta/v1 generated.proto); unknown fields are skipped.
 */
final class SecretProtobuf {

    static final String CONTENT_TYPE = "application/vnd.kubernetes.protobuf";
    private static final byte[] MAGIC = {'k', '8', 's', 0};
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private SecretProtobuf() {
    }

    /** Thrown for bytes that are not a protobuf Secret. */
    static final class NotASecret extends Exception {
        NotASecret(String message) {
            super(message);
        }
    }

    static boolean isProtobuf(String contentType) {
        return contentType != null && contentType.toLowerCase().startsWith(CONTENT_TYPE);
    }

    /** The Secret as JSON ({@code apiVersion}, {@code kind}, {@code metadata}, {@code data}, {@code type}...). */
    static ObjectNode decode(byte[] body) throws NotASecret {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw new NotASecret("missing the k8s protobuf envelope prefix");
        }
        Reader unknown = new Reader(body, MAGIC.length, body.length);
        String apiVersion = null;
        String kind = null;
        byte[] raw = null;
        while (unknown.more()) {
            int tag = unknown.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    Reader typeMeta = unknown.message();
                    while (typeMeta.more()) {
                        int t = typeMeta.tag();
                        switch (t >>> 3) {
                            case 1 -> apiVersion = typeMeta.string();
                            case 2 -> kind = typeMeta.string();
                            default -> typeMeta.skip(t);
                        }
                    }
                }
                case 2 -> raw = unknown.bytes();
                default -> unknown.skip(tag);
            }
        }
        if (!"Secret".equals(kind) || raw == null) {
            throw new NotASecret("protobuf object of kind " + kind + " (" + apiVersion + "): only Secrets are decoded");
        }
        ObjectNode secret = NODES.objectNode();
        secret.put("apiVersion", apiVersion == null || apiVersion.isEmpty() ? "v1" : apiVersion);
        secret.put("kind", "Secret");
        Reader r = new Reader(raw, 0, raw.length);
        ObjectNode data = null;
        ObjectNode stringData = null;
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> secret.set("metadata", objectMeta(r.message()));
                case 2 -> {
                    String[] kv = mapEntry(r.message(), true);
                    if (data == null) {
                        data = secret.putObject("data");
                    }
                    data.put(kv[0], kv[1]);
                }
                case 3 -> secret.put("type", r.string());
                case 4 -> {
                    String[] kv = mapEntry(r.message(), false);
                    if (stringData == null) {
                        stringData = secret.putObject("stringData");
                    }
                    stringData.put(kv[0], kv[1]);
                }
                case 5 -> secret.put("immutable", r.varint() != 0);
                default -> r.skip(tag);
            }
        }
        return secret;
    }

    private static ObjectNode objectMeta(Reader r) {
        ObjectNode meta = NODES.objectNode();
        ObjectNode labels = null;
        ObjectNode annotations = null;
        ArrayNode finalizers = null;
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> meta.put("name", r.string());
                case 2 -> meta.put("generateName", r.string());
                case 3 -> meta.put("namespace", r.string());
                case 5 -> meta.put("uid", r.string());
                case 6 -> meta.put("resourceVersion", r.string());
                case 7 -> meta.put("generation", r.varint());
                case 8 -> meta.put("creationTimestamp", time(r.message()));
                case 9 -> meta.put("deletionTimestamp", time(r.message()));
                case 10 -> meta.put("deletionGracePeriodSeconds", r.varint());
                case 11 -> {
                    String[] kv = mapEntry(r.message(), false);
                    if (labels == null) {
                        labels = meta.putObject("labels");
                    }
                    labels.put(kv[0], kv[1]);
                }
                case 12 -> {
                    String[] kv = mapEntry(r.message(), false);
                    if (annotations == null) {
                        annotations = meta.putObject("annotations");
                    }
                    annotations.put(kv[0], kv[1]);
                }
                case 14 -> {
                    if (finalizers == null) {
                        finalizers = meta.putArray("finalizers");
                    }
                    finalizers.add(r.string());
                }
                default -> r.skip(tag); // selfLink, ownerReferences, managedFields: not needed here
            }
        }
        return meta;
    }

    /** {@code map<string, string|bytes>} entry: 1 key, 2 value; bytes values are returned base64 (JSON form). */
    private static String[] mapEntry(Reader r, boolean bytesValue) {
        String key = "";
        String value = "";
        while (r.more()) {
            int tag = r.tag();
            switch (tag >>> 3) {
                case 1 -> key = r.string();
                case 2 -> value = bytesValue ? Base64.getEncoder().encodeToString(r.bytes()) : r.string();
                default -> r.skip(tag);
            }
        }
        return new String[]{key, value};
    }

    /** meta/v1 Time: 1 seconds, 2 nanos; RFC 3339 in JSON (seconds precision, as the API server writes it). */
    private static String time(Reader r) {
        long seconds = 0;
        while (r.more()) {
            int tag = r.tag();
            if (tag >>> 3 == 1) {
                seconds = r.varint();
            } else {
                r.skip(tag);
            }
        }
        return Instant.ofEpochSecond(seconds).toString();
    }

    /** Protobuf wire format reader over a slice. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int from, int end) {
            this.buf = buf;
            this.pos = from;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new IllegalArgumentException("truncated varint");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new IllegalArgumentException("malformed varint");
        }

        private int length() {
            long len = varint();
            if (len < 0 || pos + len > end) {
                throw new IllegalArgumentException("length " + len + " beyond the message");
            }
            return (int) len;
        }

        byte[] bytes() {
            int len = length();
            byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        String string() {
            int len = length();
            String s = new String(buf, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }

        Reader message() {
            int len = length();
            Reader sub = new Reader(buf, pos, pos + len);
            pos += len;
            return sub;
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int len = length(); // read before adding: pos moves past the length's own bytes
                    pos += len;
                }
                case 5 -> pos += 4;
                default -> throw new IllegalArgumentException("unsupported wire type " + (tag & 7));
            }
        }
    }
}
