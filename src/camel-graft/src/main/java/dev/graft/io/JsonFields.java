package dev.graft.io;

import java.util.LinkedHashMap;
import java.util.Map;

/** Ordered name/value maps, as Jackson writes them into JSON objects (metadata.json, --json output). */
public final class JsonFields {

    private JsonFields() {
    }

    /** An ordered map of name, value pairs (values may be null, written as JSON null). */
    public static Map<String, Object> of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs: " + namesAndValues.length);
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}
