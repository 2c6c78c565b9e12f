package dev.graft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import picocli.CommandLine.Option;

/** The {@code --json} option: the command prints one JSON document instead of its table. */
final class JsonOutput {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--json", description = "Print JSON instead of a table")
    boolean json;

    /** Prints {@code value} as indented JSON. */
    static void print(Object value) {
        try {
            System.out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
