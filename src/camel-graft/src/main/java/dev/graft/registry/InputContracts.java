package dev.graft.registry;

import dev.graft.io.JsonFields;
import dev.graft.spi.InputContract;
import dev.graft.spi.InputContract.Preprocess;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The input contract as {@code metadata.json} holds it, under {@code "input"}: layout, shape, channels, resize,
 * crop, interpolation, preprocess (name, divisor, bgr, mean, std) and class names.
 */
public final class InputContracts {

    /** The metadata key. */
    public static final String KEY = "input";

    private InputContracts() {
    }

    /** The JSON object of a contract. */
    public static Map<String, Object> toMap(InputContract c) {
        Preprocess p = c.preprocess();
        return JsonFields.of("layout", InputContract.LAYOUT, "shape", c.shape(), "channels", c.channels(),
                "resize", c.resize(), "crop", c.crop(), "interpolation", c.interpolation(),
                "preprocess", JsonFields.of("name", p.name(), "divisor", p.divisor(), "bgr", p.bgr(), "mean", p.mean(),
                        "std", p.std()),
                "classNames", c.classNames());
    }

    /**
     * The contract a version's metadata records; null for versions published before contracts were recorded.
     *
     * @throws IllegalArgumentException when the object is there but malformed
     */
    @SuppressWarnings("unchecked")
    public static InputContract fromMetadata(Map<String, Object> metadata) {
        Object value = metadata.get(KEY);
        if (value == null) {
            return null;
        }
        try {
            Map<String, Object> m = (Map<String, Object>) value;
            Map<String, Object> p = (Map<String, Object>) m.get("preprocess");
            Preprocess preprocess = new Preprocess((String) p.get("name"), ((Number) p.get("divisor")).doubleValue(),
                    (Boolean) p.get("bgr"), numbers(p.get("mean")), numbers(p.get("std")));
            long[] shape = ((List<Number>) m.get("shape")).stream().mapToLong(Number::longValue).toArray();
            return new InputContract(shape, ((Number) m.get("channels")).intValue(), (String) m.get("resize"),
                    (String) m.get("crop"), (String) m.get("interpolation"), preprocess,
                    (List<String>) m.get("classNames"));
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("malformed '" + KEY + "' in metadata.json (" + e + "); expected the "
                    + "object publish writes", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static double[] numbers(Object list) {
        return ((List<Number>) list).stream().mapToDouble(Number::doubleValue).toArray();
    }
}
