package dev.graft.cli;

import dev.graft.registry.ModelRegistry;
import dev.graft.registry.VersionInfo;
import dev.graft.registry.VersionQuery;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code graft models} subcommands that search versions and change what may change after a publish. */
final class ModelEdits {

    private ModelEdits() {
    }

    /** The registry option, the model's name and the version, for the subcommands about one version. */
    static class VersionArgument extends ModelsCommand.ModelArgument {
        @Parameters(index = "1", paramLabel = "VERSION")
        int version;
    }

    @Command(name = "search", mixinStandardHelpOptions = true, description = "Versions of every model that match "
            + "all the criteria given (archived ones only with --archived).")
    static final class Search implements Callable<Integer> {
        @Mixin
        ModelsCommand.RegistryOption registry;

        @Option(names = "--name", description = "Part of the model name, case-insensitive")
        String name;

        @Option(names = "--tag", description = "A tag the version carries")
        String tag;

        @Option(names = "--metric", description = "Conditions on test metrics, e.g. 'accuracy>=0.9,f1>0.8'")
        String metric;

        @Option(names = "--alias", description = "An alias pointing to the version, e.g. champion")
        String alias;

        @Option(names = "--archived", description = "Find archived versions too")
        boolean archived;

        @Mixin
        JsonOutput output;

        @Override
        public Integer call() {
            List<VersionInfo> found = registry.open().search(VersionQuery.of(name, tag, metric, alias, archived));
            if (output.json) {
                JsonOutput.print(found.stream().map(VersionInfo::toJson).toList());
                return 0;
            }
            String row = "%-20s %-7s %-8s %-14s %-18s %s";
            System.out.println(String.format(row, "model", "version", "accuracy", "aliases", "tags", "description"));
            for (VersionInfo v : found) {
                Double accuracy = v.metrics().get("accuracy");
                System.out.println(StepsCommand.fit(String.format(row, v.name(), v.version() + (v.archived() ? " (a)" : ""),
                        accuracy == null ? "-" : String.format(Locale.ROOT, "%.4f", accuracy),
                        String.join(",", v.aliases()), String.join(",", v.tags()),
                        v.description().lines().findFirst().orElse(""))));
            }
            return 0;
        }
    }

    /** A change to one version: {@link #apply} makes it and says what it did. */
    abstract static class Edit implements Callable<Integer> {
        @Mixin
        VersionArgument v;

        abstract String apply(ModelRegistry registry) throws Exception;

        @Override
        public Integer call() throws Exception {
            System.out.println(v.name + " v" + v.version + ": " + apply(v.open()));
            return 0;
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true, description = "Adds tags to a version (--remove: removes "
            + "them).")
    static final class Tag extends Edit {
        @Parameters(index = "2..*", arity = "1..*", paramLabel = "TAG")
        List<String> tags;

        @Option(names = "--remove", description = "Remove the tags instead of adding them")
        boolean remove;

        @Override
        String apply(ModelRegistry registry) throws Exception {
            registry.tag(v.name, v.version, remove ? List.of() : tags, remove ? tags : List.of());
            return "tags " + registry.version(v.name, v.version).tags();
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true, description = "Sets a version's description (\"\" "
            + "clears it).")
    static final class Describe extends Edit {
        @Parameters(index = "2", paramLabel = "TEXT", description = "The new description (plain text, at most 2000 "
                + "characters)")
        String text;

        @Override
        String apply(ModelRegistry registry) throws Exception {
            registry.describe(v.name, v.version, text);
            return "described";
        }
    }

    @Command(name = "archive", mixinStandardHelpOptions = true, description = "Archives a version no alias points "
            + "to: hidden from searches, never promoted (--undo: back in use).")
    static final class Archive extends Edit {
        @Option(names = "--undo", description = "Unarchive the version")
        boolean undo;

        @Override
        String apply(ModelRegistry registry) throws Exception {
            registry.archive(v.name, v.version, !undo);
            return undo ? "unarchived" : "archived";
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Deletes a version no alias points to "
            + "(never the champion).")
    static final class Delete extends Edit {
        @Override
        String apply(ModelRegistry registry) throws Exception {
            registry.delete(v.name, v.version);
            return "deleted";
        }
    }
}
