package dev.graft.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.graft.registry.ModelRegistry;
import dev.graft.spi.ConfigurationException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft models}: the registry's models, versions and aliases. */
@Command(name = "models", mixinStandardHelpOptions = true, description = "Lists, shows, searches, promotes, rolls "
        + "back, tags, describes, archives and deletes models in the registry.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Show.class, ModelsCommand.Promote.class,
                ModelsCommand.Rollback.class, ModelEdits.Search.class, ModelEdits.Tag.class, ModelEdits.Describe.class,
                ModelEdits.Archive.class, ModelEdits.Delete.class})
final class ModelsCommand {

    /** The registry option shared by the subcommands. */
    static class RegistryOption {
        @Option(names = "--registry", defaultValue = "registry", description = "Registry folder (default: ${DEFAULT-VALUE})")
        Path registry;

        ModelRegistry open() {
            return new ModelRegistry(registry);
        }
    }

    /** The registry option and the model's name, for the subcommands about one model. */
    static class ModelArgument extends RegistryOption {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
    }

    /** The alias a subcommand moves. */
    static class AliasOption {
        @Option(names = "--alias", defaultValue = "champion")
        String alias;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every model with its versions and aliases.")
    static final class ListModels extends RegistryOption implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        JsonOutput output;

        @Override
        public Integer call() {
            if (output.json) {
                var summaries = open().summaries();
                JsonOutput.print(summaries);
                return summaries.stream().anyMatch(m -> m.error() != null) ? 1 : 0;
            }
            // one model's unreadable files are reported on its line; the others list regardless
            int code = 0;
            for (ModelRegistry.ModelSummary m : open().summaries()) {
                if (m.error() != null) {
                    System.out.println(m.name() + "  error: " + m.error());
                    code = 1;
                } else {
                    System.out.println(m.name() + "  versions " + m.versions() + "  aliases " + m.aliases());
                }
            }
            return code;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A version's metadata.json (default: the champion).")
    static final class Show implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ModelArgument model;

        @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION|ALIAS", defaultValue = "champion")
        String ref;

        @Override
        public Integer call() throws Exception {
            String name = model.name;
            ModelRegistry r = model.open();
            var resolved = r.resolve(name, ref).orElseThrow(() -> new ConfigurationException("models: no '" + name
                    + "@" + ref + "'; expected versions " + r.versions(name) + " or aliases " + r.aliases(name).keySet()));
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(r.metadata(name, resolved.version())));
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Points an alias (default champion) at a version.")
    static final class Promote implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ModelArgument model;

        @Parameters(index = "1", paramLabel = "VERSION")
        int version;

        @picocli.CommandLine.Mixin
        AliasOption alias;

        @Override
        public Integer call() throws Exception {
            model.open().promote(model.name, alias.alias, version);
            System.out.println(model.name + ": " + alias.alias + " -> v" + version);
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Moves an alias (default champion) back to its previous version.")
    static final class Rollback implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        ModelArgument model;

        @picocli.CommandLine.Mixin
        AliasOption alias;

        @Override
        public Integer call() throws Exception {
            int version = model.open().rollback(model.name, alias.alias);
            System.out.println(model.name + ": " + alias.alias + " -> v" + version + " (rolled back)");
            return 0;
        }
    }
}
