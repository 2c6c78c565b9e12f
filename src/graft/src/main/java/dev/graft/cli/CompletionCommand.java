package dev.graft.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code graft completion}: the bash (and zsh) completion script, from picocli's generator. */
@Command(name = "completion", mixinStandardHelpOptions = true, description = "Prints a bash/zsh completion script: "
        + "source <(graft completion)")
final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine root = spec.root().commandLine();
        System.out.println(AutoComplete.bash(root.getCommandName(), root));
        return 0;
    }
}
