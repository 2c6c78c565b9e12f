package dev.graft.registry;

/**
 * A registry model and the alias or version that picks one of its versions, as routes write it:
 * {@code <name>[@<alias|version|latest>]}, the alias {@code champion} when none is given.
 *
 * @param name the model's name
 * @param ref  an alias, a version number or {@code latest}
 */
public record ModelRef(String name, String ref) {

    /** The alias a reference without {@code @} names. */
    public static final String DEFAULT_ALIAS = "champion";

    /**
     * Parses {@code name[@ref]}.
     *
     * @throws IllegalArgumentException when the name is not a valid model name or the part after {@code @} is blank
     */
    public static ModelRef parse(String text) {
        int at = text.indexOf('@');
        ModelRef parsed = at < 0 ? new ModelRef(text, DEFAULT_ALIAS)
                : new ModelRef(text.substring(0, at), text.substring(at + 1));
        if (!ModelRegistry.isValidName(parsed.name()) || parsed.ref().isBlank()) {
            throw new IllegalArgumentException("<name>[@<alias>] with a model name of letters, digits, '.', '-' "
                    + "or '_', e.g. fashion-5-9@champion");
        }
        return parsed;
    }

    @Override
    public String toString() {
        return name + "@" + ref;
    }
}
