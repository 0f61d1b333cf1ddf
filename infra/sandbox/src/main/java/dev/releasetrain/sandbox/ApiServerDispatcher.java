package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * In front of the mock server's CRUD dispatcher, what an API server does that client-go (Helm) relies on and
 * the mock lacks: counts requests and answers injected faults (outside callers only); serves {@code /version}
 * and the discovery documents ({@code /api}, {@code /apis}, each group/version's resource list); decodes
 * protobuf Secrets (Helm's release storage) to JSON; answers collection reads with typed lists
 * ({@code SecretList}, not {@code List}); applies strategic merge patches (handed to the mock as JSON
 * patches); puts {@code Content-Type: application/json} on every answer; answers 500 with a {@code Status}
 * when anything throws, so no client is left waiting.
 */
final class ApiServerDispatcher extends Dispatcher implements Resetable, CustomResourceAware {

    private static final Logger LOG = Logger.getLogger(ApiServerDispatcher.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STRATEGIC = "application/strategic-merge-patch+json";
    private static final String JSON_PATCH = "application/json-patch+json";

    /** A served resource type: plural name, kind, namespaced, with a status subresource. */
    private record Kind(String plural, String kind, boolean namespaced, boolean status) {
    }

    /** group/version -> resource types (what the sandbox chart and the services use). */
    private static final Map<String, List<Kind>> RESOURCES = new LinkedHashMap<>();

    static {
        RESOURCES.put("v1", List.of(
                new Kind("namespaces", "Namespace", false, true),
                new Kind("pods", "Pod", true, true),
                new Kind("services", "Service", true, true),
                new Kind("configmaps", "ConfigMap", true, false),
                new Kind("secrets", "Secret", true, false),
                new Kind("serviceaccounts", "ServiceAccount", true, false),
                new Kind("persistentvolumeclaims", "PersistentVolumeClaim", true, true),
                new Kind("endpoints", "Endpoints", true, false),
                new Kind("events", "Event", true, false)));
        RESOURCES.put("apps/v1", List.of(
                new Kind("deployments", "Deployment", true, true),
                new Kind("replicasets", "ReplicaSet", true, true),
                new Kind("statefulsets", "StatefulSet", true, true),
                new Kind("daemonsets", "DaemonSet", true, true)));
        RESOURCES.put("batch/v1", List.of(
                new Kind("jobs", "Job", true, true),
                new Kind("cronjobs", "CronJob", true, true)));
        RESOURCES.put("networking.k8s.io/v1", List.of(new Kind("ingresses", "Ingress", true, true)));
        RESOURCES.put("policy/v1", List.of(new Kind("poddisruptionbudgets", "PodDisruptionBudget", true, true)));
        RESOURCES.put("autoscaling/v2", List.of(
                new Kind("horizontalpodautoscalers", "HorizontalPodAutoscaler", true, true)));
    }

    private final KubernetesMixedDispatcher delegate;
    private final Faults faults;
    private final java.util.concurrent.atomic.AtomicLong writes;

    ApiServerDispatcher(KubernetesMixedDispatcher delegate, Faults faults, java.util.concurrent.atomic.AtomicLong writes) {
        this.delegate = delegate;
        this.faults = faults;
        this.writes = writes;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (request.getHeader(KubernetesStandIn.INTERNAL_HEADER) == null) {
            if (HttpStandIn.isWrite(request.getMethod(), request.getPath())) {
                writes.incrementAndGet();
            }
            OptionalInt fault = faults.onCall(request.getMethod(), request.getPath(),
                    () -> request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8));
            if (fault.isPresent()) {
                return status(fault.getAsInt(), "injected fault (" + fault.getAsInt() + ")");
            }
        }
        try {
            MockResponse response = route(request);
            if (response == null) {
                return status(404, "the server could not find the requested resource");
            }
            if (response.getHeaders().get("Content-Type") == null) {
                response.setHeader("Content-Type", "application/json");
            }
            return response;
        } catch (Exception | StackOverflowError e) {
            LOG.log(Level.WARNING, "Kubernetes stand-in failed on " + request.getMethod() + " " + request.getPath(), e);
            return status(500, "sandbox API server error: " + e);
        }
    }

    private MockResponse route(RecordedRequest request) throws Exception {
        String method = request.getMethod().toUpperCase();
        String fullPath = request.getPath();
        int q = fullPath.indexOf('?');
        String path = q < 0 ? fullPath : fullPath.substring(0, q);
        String query = q < 0 ? "" : fullPath.substring(q + 1);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (method.equals("GET")) {
            MockResponse discovery = discovery(path);
            if (discovery != null) {
                return discovery;
            }
        }
        RecordedRequest forwarded = request;
        String contentType = request.getHeader("Content-Type");
        if ((method.equals("POST") || method.equals("PUT")) && SecretProtobuf.isProtobuf(contentType)) {
            ObjectNode secret;
            try {
                byte[] raw = request.getBody().getBytes();
                secret = SecretProtobuf.decode(raw);
            } catch (SecretProtobuf.NotASecret e) {
                return status(415, "sandbox API server decodes protobuf Secrets only: " + e.getMessage());
            }
            forwarded = withBody(request, method, fullPath, JSON.writeValueAsBytes(secret), "application/json");
        } else if (method.equals("PATCH") && contentType != null && contentType.startsWith(STRATEGIC)) {
            MockResponse current = delegate.dispatch(new RecordedRequest("HTTP/1.1", HttpMethod.GET, path,
                    request.getHeaders(), new Buffer()));
            if (current.code() != 200) {
                return current;
            }
            JsonNode before = JSON.readTree(bodyOf(current));
            JsonNode after = StrategicMerge.apply(before, JSON.readTree(request.getBody().getBytes()));
            // As a JSON patch replacing each changed top-level member: the mock's merge-patch support would
            // merge lists instead of replacing them.
            ArrayNode ops = JSON.createArrayNode();
            for (java.util.Iterator<String> it = before.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!after.has(k)) {
                    ops.addObject().put("op", "remove").put("path", "/" + k);
                }
            }
            for (java.util.Iterator<Map.Entry<String, JsonNode>> it = after.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().equals(before.get(e.getKey()))) {
                    ops.addObject().put("op", "add").put("path", "/" + e.getKey()).set("value", e.getValue());
                }
            }
            forwarded = withBody(request, method, fullPath, JSON.writeValueAsBytes(ops), JSON_PATCH);
        }
        MockResponse response = delegate.dispatch(forwarded);
        if (response != null && method.equals("GET") && !query.contains("watch=true") && response.code() == 200) {
            typeList(path, response);
        }
        return response;
    }

    private static RecordedRequest withBody(RecordedRequest request, String method, String path, byte[] body,
                                            String contentType) {
        return new RecordedRequest("HTTP/1.1", HttpMethod.valueOf(method), path,
                request.getHeaders().newBuilder().set("Content-Type", contentType).build(), new Buffer(body));
    }

    private static byte[] bodyOf(MockResponse response) {
        Buffer body = response.getBody();
        return body == null ? new byte[0] : body.getBytes();
    }

    /** {@code kind: List} from the CRUD store becomes {@code <Kind>List} of the right apiVersion. */
    private static void typeList(String path, MockResponse response) throws Exception {
        String[] seg = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        String groupVersion;
        int rest;
        if (seg.length >= 2 && seg[0].equals("api")) {
            groupVersion = seg[1];
            rest = 2;
        } else if (seg.length >= 3 && seg[0].equals("apis")) {
            groupVersion = seg[1] + "/" + seg[2];
            rest = 3;
        } else {
            return;
        }
        String[] r = Arrays.copyOfRange(seg, rest, seg.length);
        String resource;
        if (r.length == 1) {
            resource = r[0];
        } else if (r.length == 3 && r[0].equals("namespaces")) {
            resource = r[2];
        } else {
            return; // a single object or a subresource
        }
        Kind kind = RESOURCES.getOrDefault(groupVersion, List.of()).stream()
                .filter(k -> k.plural().equals(resource)).findFirst().orElse(null);
        byte[] body = bodyOf(response);
        if (kind == null || body.length == 0) {
            return;
        }
        JsonNode list = JSON.readTree(body);
        if (!list.isObject() || !list.has("items")) {
            return;
        }
        ObjectNode typed = (ObjectNode) list;
        typed.put("apiVersion", groupVersion);
        typed.put("kind", kind.kind() + "List");
        ObjectNode metadata = typed.with("metadata");
        if (!metadata.hasNonNull("resourceVersion") || metadata.get("resourceVersion").asText().isEmpty()) {
            metadata.put("resourceVersion", "1");
        }
        metadata.remove("selfLink");
        response.setBody(JSON.writeValueAsBytes(typed));
    }

    private static MockResponse discovery(String path) throws Exception {
        if (path.equals("/version")) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("major", "1");
            v.put("minor", "29");
            v.put("gitVersion", "v1.29.4");
            v.put("gitCommit", "55019c83b0fd51ef4ced8c29eec2c4847f896e74");
            v.put("gitTreeState", "clean");
            v.put("buildDate", "2024-04-16T15:03:51Z");
            v.put("goVersion", "go1.21.9");
            v.put("compiler", "gc");
            v.put("platform", "linux/amd64");
            return json(v);
        }
        if (path.equals("/api")) {
            return json(Map.of("kind", "APIVersions", "versions", List.of("v1"),
                    "serverAddressByClientCIDRs", List.of(Map.of("clientCIDR", "0.0.0.0/0", "serverAddress", "127.0.0.1"))));
        }
        if (path.equals("/apis")) {
            ObjectNode groups = JSON.createObjectNode();
            groups.put("kind", "APIGroupList");
            groups.put("apiVersion", "v1");
            ArrayNode list = groups.putArray("groups");
            for (String gv : RESOURCES.keySet()) {
                if (!gv.contains("/")) {
                    continue;
                }
                String group = gv.substring(0, gv.indexOf('/'));
                String version = gv.substring(gv.indexOf('/') + 1);
                ObjectNode g = list.addObject();
                g.put("name", group);
                ObjectNode ver = JSON.createObjectNode().put("groupVersion", gv).put("version", version);
                g.putArray("versions").add(ver);
                g.set("preferredVersion", ver.deepCopy());
            }
            return json(groups);
        }
        String gv = path.startsWith("/api/") ? path.substring("/api/".length())
                : path.startsWith("/apis/") ? path.substring("/apis/".length()) : null;
        if (gv == null || !RESOURCES.containsKey(gv) || (path.startsWith("/api/") && gv.contains("/"))) {
            if (path.startsWith("/openapi/")) {
                return status(404, "OpenAPI is not served by the sandbox: disable schema validation");
            }
            return null;
        }
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", gv);
        ArrayNode resources = list.putArray("resources");
        for (Kind k : RESOURCES.get(gv)) {
            ObjectNode r = resources.addObject();
            r.put("name", k.plural());
            r.put("singularName", k.kind().toLowerCase());
            r.put("namespaced", k.namespaced());
            r.put("kind", k.kind());
            ArrayNode verbs = r.putArray("verbs");
            for (String verb : List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")) {
                verbs.add(verb);
            }
            if (k.status()) {
                ObjectNode s = resources.addObject();
                s.put("name", k.plural() + "/status");
                s.put("singularName", "");
                s.put("namespaced", k.namespaced());
                s.put("kind", k.kind());
                s.putArray("verbs").add("get").add("patch").add("update");
            }
        }
        return json(list);
    }

    private static MockResponse json(Object body) throws Exception {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(JSON.writeValueAsBytes(body));
    }

    static MockResponse status(int code, String message) {
        String reason = switch (code) {
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 415 -> "UnsupportedMediaType";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> "InternalError";
        };
        ObjectNode s = JSON.createObjectNode();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", reason);
        s.put("code", code);
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json")
                .setBody(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void reset() {
        delegate.reset();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext rdc) {
        delegate.expectCustomResource(rdc);
    }

    @Override
    public void shutdown() {
        delegate.shutdown();
    }
}
