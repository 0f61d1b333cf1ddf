package dev.releasetrain.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Versioned CloudEvents type names of every message. A type name, once used, is never reused for
 * a different shape: a breaking change gets a new version suffix and a new record.
 */
public final class EventTypes {
    public static final String PREFIX = "dev.releasetrain.";

    private static final Map<Class<? extends ReleaseEvent>, String> NAMES = new LinkedHashMap<>();
    private static final Map<String, Class<? extends ReleaseEvent>> CLASSES = new LinkedHashMap<>();

    static {
        for (Class<?> c : ReleaseEvent.class.getPermittedSubclasses()) {
            @SuppressWarnings("unchecked")
            Class<? extends ReleaseEvent> type = (Class<? extends ReleaseEvent>) c;
            String name = PREFIX + c.getSimpleName() + ".v1";
            NAMES.put(type, name);
            CLASSES.put(name, type);
        }
    }

    private EventTypes() {
    }

    public static String typeOf(ReleaseEvent event) {
        return NAMES.get(event.getClass());
    }

    public static String typeOf(Class<? extends ReleaseEvent> type) {
        return NAMES.get(type);
    }

    /** The short name used in the database and the API ({@code StepRequested}). */
    public static String shortName(String typeName) {
        String s = typeName.startsWith(PREFIX) ? typeName.substring(PREFIX.length()) : typeName;
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }

    public static Optional<Class<? extends ReleaseEvent>> classOf(String typeName) {
        return Optional.ofNullable(CLASSES.get(typeName));
    }

    public static List<String> all() {
        return List.copyOf(CLASSES.keySet());
    }
}
