package io.nip.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code nip demo <name>}: runs one of the tutorial's exercise pipelines. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a demo pipeline of the tutorial.",
    subcommands = {AnalyticsCommand.class, SessionsCommand.class, FraudCommand.class})
public final class DemoCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /** Without a demo name: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing demo name, e.g. 'nip demo analytics'");
  }
}
