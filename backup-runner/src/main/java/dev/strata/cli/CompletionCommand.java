package dev.strata.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    description = {
      "Print a completion script for bash or zsh.",
      "bash: source <(strata completion bash), or save it as /etc/bash_completion.d/strata. zsh: save it as a file on"
          + " $fpath, or source <(strata completion zsh) in ~/.zshrc (it loads zsh's bashcompinit)."
    })
final class CompletionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  String shell;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new UsageException(
          "no completion for '" + dev.strata.engine.Names.safe(shell) + "': use bash or zsh");
    }
    // picocli's script serves both shells: under zsh it loads bashcompinit first.
    spec.commandLine().getOut().print(AutoComplete.bash("strata", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
