package io.nip.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options {@code nip demo analytics} and {@code nip demo sessions} share: generated events or an
 * input file, the results and dead-letter files, an external cluster and the generator's seed; and
 * their checks.
 */
final class DemoInput {
  @Option(names = "--events", paramLabel = "N", defaultValue = "100000",
      description = "events to generate (default: ${DEFAULT-VALUE}); not with --input")
  long events;

  @Option(names = "--input", paramLabel = "FILE.jsonl",
      description = "read user events from this JSON-lines file instead of generating them")
  Path input;

  @Option(names = "--output", paramLabel = "FILE.jsonl",
      description = "also write the results here as JSON lines (besides the output topic)")
  Path output;

  @Option(names = "--dlq-output", paramLabel = "FILE.jsonl",
      description = "also write the dead letters (bad lines with line number and reason) here as JSON lines "
          + "(besides topic user-events-dlq)")
  Path dlqOutput;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "use this Kafka cluster instead of starting an embedded broker")
  String bootstrapServers;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  /**
   * @param spec the command, to tell whether {@code --events} was given
   * @throws NipCommand.UsageException when {@code --events} and {@code --input} are both given,
   *     {@code --events} is below 1, or the input file cannot be read
   */
  void validate(CommandSpec spec) {
    boolean eventsGiven = spec.commandLine().getParseResult().hasMatchedOption("--events");
    if (input != null && eventsGiven) {
      throw new NipCommand.UsageException("--events and --input exclude each other: give one of them");
    }
    if (events < 1) {
      throw new NipCommand.UsageException("--events must be at least 1, but was " + events);
    }
    if (input != null && (!Files.isRegularFile(input) || !Files.isReadable(input))) {
      throw new NipCommand.UsageException("--input " + input + ": no such readable file");
    }
  }
}
