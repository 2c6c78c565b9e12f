package dev.graft.modelio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.graft.spi.DataException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads the weights of a TensorFlow.js layers model: the {@code weightsManifest} of its {@code model.json} and the
 * binary shards beside it. Weights are float32 as stored, or dequantized from uint8/uint16 as TF.js does
 * ({@code w = min + scale * q}, in double, rounded to float32).
 *
 * <p>The manifest is user input: shard paths must name plain files inside the model's folder, every size is
 * checked against the bytes present before anything is allocated, and one model holds at most
 * {@value #MAX_BYTES} bytes of weights.
 */
final class TfjsWeights {

    /** Upper bound on one model's weight bytes (2 GiB: DL4J holds each weight in one Java-indexed buffer). */
    static final long MAX_BYTES = (1L << 31) - 1;
    private static final int MAX_RANK = 8;
    private static final int MAX_SHARDS = 100_000;

    private TfjsWeights() {
    }

    /**
     * The manifest's weights by their TF.js names ({@code layer/param}), in manifest order.
     *
     * @param modelJson the model.json, for messages and to resolve shard paths against its folder
     * @throws DataException naming the file when the manifest or a shard does not fit
     */
    static Map<String, INDArray> read(Path modelJson, JsonNode manifest) {
        if (!manifest.isArray()) {
            throw bad(modelJson, "weightsManifest is not a list", "a list of {paths, weights} groups");
        }
        Map<String, INDArray> weights = new LinkedHashMap<>();
        long total = 0;
        for (JsonNode group : manifest) {
            List<Spec> specs = specs(modelJson, group.path("weights"));
            long bytes = 0;
            for (Spec s : specs) {
                bytes += s.bytes();
                if (bytes > MAX_BYTES) {
                    throw bad(modelJson, "weights of over " + MAX_BYTES + " bytes", "a model under 2 GiB");
                }
            }
            total += bytes;
            if (total > MAX_BYTES) {
                throw bad(modelJson, "weights of over " + MAX_BYTES + " bytes", "a model under 2 GiB");
            }
            List<Path> shards = shards(modelJson, group.path("paths"), bytes);
            try (InputStream in = concat(shards)) {
                for (Spec s : specs) {
                    if (weights.put(s.name(), s.decode(in.readNBytes((int) s.bytes()))) != null) {
                        throw bad(modelJson, "weight '" + s.name() + "' listed twice", "unique weight names");
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new DataException("load-backbone: cannot read the weight shards " + shards + " of '" + modelJson
                        + "': " + e.getMessage() + "; expected readable files beside model.json", e);
            }
        }
        return weights;
    }

    private static List<Spec> specs(Path modelJson, JsonNode list) {
        if (!list.isArray()) {
            throw bad(modelJson, "a weights group without a 'weights' list", "{paths: [...], weights: [...]}");
        }
        List<Spec> specs = new ArrayList<>();
        for (JsonNode w : list) {
            String name = w.path("name").asText("");
            JsonNode shape = w.path("shape");
            if (name.isBlank() || !shape.isArray() || shape.size() > MAX_RANK) {
                throw bad(modelJson, "weight entry " + w.toString().substring(0, Math.min(200, w.toString().length())),
                        "{name, shape (rank up to " + MAX_RANK + "), dtype}");
            }
            long[] dims = new long[shape.size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).asLong(-1);
                if (!shape.get(i).isIntegralNumber() || dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                    throw bad(modelJson, "shape " + shape + " of weight '" + name + "'", "non-negative integers");
                }
                count *= dims[i]; // both under 2^31: no overflow
                if (count > MAX_BYTES) {
                    throw bad(modelJson, "weight '" + name + "' of shape " + shape, "a weight under 2^31 values");
                }
            }
            specs.add(new Spec(name, dims, (int) count, encoding(modelJson, name, w)));
        }
        return specs;
    }

    private static Encoding encoding(Path modelJson, String name, JsonNode w) {
        String dtype = w.path("dtype").asText("float32");
        JsonNode q = w.path("quantization");
        if (!"float32".equals(dtype)) {
            throw bad(modelJson, "dtype '" + dtype + "' of weight '" + name + "'", "float32 (a layers model's weights)");
        }
        if (q.isMissingNode() || q.isNull()) {
            return new Encoding(4, 0, 1);
        }
        String stored = q.path("dtype").asText("");
        int size = switch (stored) {
            case "uint8" -> 1;
            case "uint16" -> 2;
            default -> throw bad(modelJson, "quantization dtype '" + stored + "' of weight '" + name + "'",
                    "uint8 or uint16 (float16 quantization is not supported: convert with --quantize_uint8 or none)");
        };
        if (!q.path("min").isNumber() || !q.path("scale").isNumber()) {
            throw bad(modelJson, "quantization " + q + " of weight '" + name + "'", "numbers min and scale");
        }
        return new Encoding(size, q.path("min").asDouble(), q.path("scale").asDouble());
    }

    private static List<Path> shards(Path modelJson, JsonNode paths, long expected) {
        if (!paths.isArray() || paths.size() > MAX_SHARDS) {
            throw bad(modelJson, "a weights group without a 'paths' list", "up to " + MAX_SHARDS + " shard file names");
        }
        Path folder = modelJson.toAbsolutePath().normalize().getParent();
        List<Path> shards = new ArrayList<>();
        long present = 0;
        for (JsonNode p : paths) {
            Path shard = inside(modelJson, folder, p.asText(""));
            try {
                present += Files.size(shard);
            } catch (IOException e) {
                throw new DataException("load-backbone: weight shard '" + shard + "' named in '" + modelJson
                        + "' cannot be read: " + e.getMessage() + "; expected the model.json's shard files beside it",
                        e);
            }
            shards.add(shard);
        }
        if (present != expected) {
            throw bad(modelJson, "shards " + paths + " holding " + present + " bytes",
                    expected + " bytes, as the weights listed need; the shards do not belong to this model.json");
        }
        return shards;
    }

    /** A shard path of the manifest as a regular file inside the model's folder, links resolved. */
    private static Path inside(Path modelJson, Path folder, String name) {
        Path shard = folder.resolve(name).normalize();
        boolean inside = !name.isBlank() && !name.contains("\\") && !name.contains(":") && shard.startsWith(folder)
                && !shard.equals(folder);
        boolean present = inside && Files.isRegularFile(shard);
        try {
            inside = inside && (!present || shard.toRealPath().startsWith(folder.toRealPath()));
        } catch (IOException e) {
            present = false;
        }
        if (inside && present) {
            return shard;
        }
        throw new DataException("load-backbone: weight shard path '" + name + "' in '" + modelJson + "' is "
                + (inside ? "missing" : "outside the model's folder") + "; expected a file beside model.json"
                + (inside ? " (copy the model's *.bin shards with it)" : ""));
    }

    /** The shards as one stream, each opened only when the one before it is used up (and closed then). */
    private static InputStream concat(List<Path> shards) {
        Iterator<Path> next = shards.iterator();
        return new SequenceInputStream(new Enumeration<InputStream>() {
            @Override
            public boolean hasMoreElements() {
                return next.hasNext();
            }

            @Override
            public InputStream nextElement() {
                Path shard = next.next();
                try {
                    return Files.newInputStream(shard);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    private static DataException bad(Path modelJson, String what, String expected) {
        return new DataException("load-backbone: '" + modelJson + "' has " + what + "; expected " + expected);
    }

    /** How a weight's values are stored: bytes per value and the dequantization (identity for float32). */
    private record Encoding(int size, double min, double scale) {
    }

    private record Spec(String name, long[] shape, int count, Encoding encoding) {

        long bytes() {
            return (long) count * encoding.size();
        }

        INDArray decode(byte[] raw) throws IOException {
            if (raw.length != bytes()) {
                throw new IOException("the shards end inside weight '" + name + "'");
            }
            ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                values[i] = switch (encoding.size()) {
                    case 1 -> (float) ((buf.get() & 0xff) * encoding.scale() + encoding.min());
                    case 2 -> (float) ((buf.getShort() & 0xffff) * encoding.scale() + encoding.min());
                    default -> buf.getFloat();
                };
            }
            return Nd4j.create(values, shape, 'c');
        }
    }
}
