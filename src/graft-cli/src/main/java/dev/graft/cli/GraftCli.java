package dev.graft.cli;

import dev.graft.GraftVersion;
import dev.graft.nd4j.NativeHelpers;
import dev.graft.spi.GraftException;
import dev.graft.training.Tuning;
import java.io.PrintWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code graft} command line. */
@Command(name = "graft", mixinStandardHelpOptions = true, versionProvider = GraftCli.Version.class,
        description = "Declarative transfer-learning workflows: YAML Camel routes over DL4J.",
        subcommands = {RunCommand.class, ValidateCommand.class, StepsCommand.class, InspectCommand.class,
                ImportCommand.class, ServeCommand.class, RunsCommand.class, ModelsCommand.class,
                DemoCommand.class, CommandLine.HelpCommand.class})
public final class GraftCli {

    /** Exit code of a failed run. */
    static final int RUN_FAILED = 1;
    /** Exit code of a configuration error (bad route, unknown step or option). */
    static final int BAD_CONFIGURATION = 2;

    public static void main(String[] args) {
        // Reports draw charts with AWT; no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
        // DL4J reads its helper switch whenever it creates a layer and has no other API for it: set it here, once,
        // before any class of DL4J loads, rather than while a run is under way
        NativeHelpers.install(Tuning.fromSystemProperties().nativeHelpers());
        System.exit(execute(args));
    }

    /** Graft's command tree. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new GraftCli());
        // picocli's own completion generator, under a shorter name: source <(graft completion)
        CommandLine completion = new CommandLine(new AutoComplete.GenerateCompletion());
        completion.getCommandSpec().usageMessage().description("Prints a bash/zsh completion script: "
                + "source <(graft completion)");
        cli.addSubcommand("completion", completion);
        return cli;
    }

    /** Runs the command line and returns the exit code, for tests. */
    public static int execute(String... args) {
        CommandLine cli = commandLine();
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("graft: " + e.getMessage());
            if (!(e instanceof GraftException)) {
                e.printStackTrace(err);
            }
            err.flush();
            return e instanceof dev.graft.spi.ConfigurationException ? BAD_CONFIGURATION : RUN_FAILED;
        });
        return cli.execute(args);
    }

    /** Prints Graft's and its libraries' versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"graft " + GraftVersion.graft() + " (DL4J " + GraftVersion.dl4j() + ", Camel "
                    + GraftVersion.camel() + ", Java " + System.getProperty("java.version") + ")"};
        }
    }
}
