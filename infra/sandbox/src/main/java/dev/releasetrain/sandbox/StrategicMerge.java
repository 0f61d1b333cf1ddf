package dev.releasetrain.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A small Kubernetes strategic merge patch, enough for what Helm's three-way patches of a chart's Deployments,
 * Services, ConfigMaps and Jobs contain: objects merge recursively, {@code null} deletes a key, lists of objects
 * merge by their merge key (guessed: {@code name}, {@code containerPort}, {@code mountPath}, {@code port},
 * {@code type}...), {@code $patch: delete|replace}, {@code $setElementOrder/<list>},
 * {@code $deleteFromPrimitiveList/<list>} and {@code $retainKeys}; primitive lists are replaced. The real
 * apiserver takes merge keys from the Go types; the guess is right for the core workload types.
 */
final class StrategicMerge {

    private static final List<String> MERGE_KEYS = List.of("name", "containerPort", "mountPath", "devicePath",
            "port", "type", "ip", "topologyKey", "key");

    private StrategicMerge() {
    }

    static JsonNode apply(JsonNode original, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            return patch;
        }
        if (original == null || !original.isObject()) {
            original = JsonNodeFactory.instance.objectNode();
        }
        JsonNode directive = patch.get("$patch");
        if (directive != null && "replace".equals(directive.asText())) {
            ObjectNode replaced = ((ObjectNode) patch).deepCopy();
            replaced.remove("$patch");
            return replaced;
        }
        if (directive != null && "delete".equals(directive.asText())) {
            return null;
        }
        ObjectNode result = ((ObjectNode) original).deepCopy();
        List<Map.Entry<String, JsonNode>> orders = new ArrayList<>();
        JsonNode retainKeys = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (key.equals("$patch")) {
                continue;
            }
            if (key.equals("$retainKeys")) {
                retainKeys = value;
                continue;
            }
            if (key.startsWith("$setElementOrder/")) {
                orders.add(e);
                continue;
            }
            if (key.startsWith("$deleteFromPrimitiveList/")) {
                String list = key.substring("$deleteFromPrimitiveList/".length());
                JsonNode current = result.get(list);
                if (current != null && current.isArray()) {
                    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
                    for (JsonNode item : current) {
                        if (!contains(value, item)) {
                            kept.add(item);
                        }
                    }
                    result.set(list, kept);
                }
                continue;
            }
            if (value == null || value.isNull()) {
                result.remove(key);
            } else if (value.isObject()) {
                JsonNode merged = apply(result.get(key), value);
                if (merged == null) {
                    result.remove(key);
                } else {
                    result.set(key, merged);
                }
            } else if (value.isArray()) {
                result.set(key, mergeList(result.get(key), (ArrayNode) value));
            } else {
                result.set(key, value);
            }
        }
        for (Map.Entry<String, JsonNode> order : orders) {
            String list = order.getKey().substring("$setElementOrder/".length());
            JsonNode current = result.get(list);
            if (current != null && current.isArray()) {
                result.set(list, reorder((ArrayNode) current, order.getValue()));
            }
        }
        if (retainKeys != null && retainKeys.isArray()) {
            List<String> keep = new ArrayList<>();
            retainKeys.forEach(k -> keep.add(k.asText()));
            result.retain(keep);
        }
        return result;
    }

    private static boolean contains(JsonNode array, JsonNode item) {
        if (array != null && array.isArray()) {
            for (JsonNode a : array) {
                if (a.equals(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String mergeKey(ArrayNode patch, JsonNode original) {
        List<JsonNode> samples = new ArrayList<>();
        patch.forEach(samples::add);
        if (original != null && original.isArray()) {
            original.forEach(samples::add);
        }
        for (String key : MERGE_KEYS) {
            boolean all = !samples.isEmpty();
            for (JsonNode s : samples) {
                if (!s.isObject() || !s.has(key)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return key;
            }
        }
        return null;
    }

    private static JsonNode mergeList(JsonNode original, ArrayNode patch) {
        boolean objects = patch.size() > 0;
        for (JsonNode p : patch) {
            objects &= p.isObject();
        }
        String key = objects ? mergeKey(patch, original) : null;
        if (key == null || original == null || !original.isArray()) {
            ArrayNode replaced = JsonNodeFactory.instance.arrayNode();
            for (JsonNode p : patch) {
                if (p.isObject() && p.has("$patch")) {
                    if ("delete".equals(p.get("$patch").asText())) {
                        continue;
                    }
                    ObjectNode copy = p.deepCopy();
                    copy.remove("$patch");
                    replaced.add(copy);
                } else {
                    replaced.add(p);
                }
            }
            return replaced;
        }
        ArrayNode result = ((ArrayNode) original).deepCopy();
        for (JsonNode p : patch) {
            int index = indexOf(result, key, p.get(key));
            boolean delete = p.has("$patch") && "delete".equals(p.get("$patch").asText());
            if (delete) {
                if (index >= 0) {
                    result.remove(index);
                }
            } else if (index >= 0) {
                result.set(index, apply(result.get(index), p));
            } else {
                result.add(apply(JsonNodeFactory.instance.objectNode(), p));
            }
        }
        return result;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode value) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (item.isObject() && value != null && value.equals(item.get(key))) {
                return i;
            }
        }
        return -1;
    }

    private static ArrayNode reorder(ArrayNode current, JsonNode order) {
        if (!order.isArray() || order.size() == 0) {
            return current;
        }
        ArrayNode result = JsonNodeFactory.instance.arrayNode();
        List<JsonNode> rest = new ArrayList<>();
        current.forEach(rest::add);
        for (JsonNode o : order) {
            for (Iterator<JsonNode> it = rest.iterator(); it.hasNext(); ) {
                JsonNode item = it.next();
                boolean same = o.isObject() ? matches(item, (ObjectNode) o) : o.equals(item);
                if (same) {
                    result.add(item);
                    it.remove();
                    break;
                }
            }
        }
        rest.forEach(result::add);
        return result;
    }

    private static boolean matches(JsonNode item, ObjectNode keyFields) {
        if (!item.isObject()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = keyFields.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().equals(item.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
