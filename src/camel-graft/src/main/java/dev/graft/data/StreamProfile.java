package dev.graft.data;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The profile of a streamed data set, collected from the raw values as the first pass over each split reads them
 * (the in-memory path collects it as {@link Tensors} copies); built and handed to the listener once every split
 * was read through. Thread-safe.
 */
public final class StreamProfile {

    private final DataProfile.Builder builder;
    private final Set<String> pending = new LinkedHashSet<>();
    private Consumer<DataProfile> listener = p -> { };
    private DataProfile built;

    StreamProfile(DataProfile.Builder builder, Set<String> splits) {
        this.builder = builder;
        this.pending.addAll(splits);
        splits.forEach(builder::split); // the splits in the in-memory path's order
    }

    /** Tells {@code listener} the profile once it is built (at once when it already is). */
    public synchronized void onBuilt(Consumer<DataProfile> listener) {
        this.listener = listener;
        if (built != null) {
            listener.accept(built);
        }
    }

    /** The splits not yet read through. */
    public synchronized Set<String> pending() {
        return Set.copyOf(pending);
    }

    synchronized void add(String split, float[] raw, int offset, int length, int label) {
        builder.split(split).add(raw, offset, length, label);
    }

    synchronized void done(String split) {
        if (pending.remove(split) && pending.isEmpty()) {
            built = builder.build();
            listener.accept(built);
        }
    }
}
