package io.nip.cli;

import io.nip.kafka.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip kafka start}: the tutorial's "Setting Up Kafka Locally" without a download — a real
 * single-node Kafka broker (KRaft, broker and controller in one node, from nip-kafka-embedded) on
 * 127.0.0.1, in the foreground until Ctrl-C or SIGTERM, for other applications to use. Its data stays
 * in {@code --data-dir}: started again with the same directory, the broker has its topics, records
 * and committed offsets back.
 *
 * <pre>{@code
 * nip kafka start --port 9092 --data-dir kafka-data
 * nip topics create --topic nip-events --partitions 3     # in another terminal
 * }</pre>
 */
@Command(name = "kafka", mixinStandardHelpOptions = true, subcommands = KafkaCommand.Start.class,
    description = "A local Kafka broker for other applications: 'nip kafka start'.")
public final class KafkaCommand implements Runnable {
  @Spec
  CommandSpec spec;

  /** Without a subcommand: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: 'nip kafka start'");
  }

  /** {@code nip kafka start [--port 9092] [--data-dir DIR]}. */
  @Command(name = "start", mixinStandardHelpOptions = true,
      description = {
          "Run a single-node Kafka broker (KRaft) on 127.0.0.1 in the foreground until Ctrl-C or SIGTERM.",
          "Its data stays in --data-dir; started again with it, the broker has its topics and records back.",
          "Prints 'Kafka broker ready on 127.0.0.1:PORT' to standard output once it serves requests.",
          "Exit codes: 0 stopped by Ctrl-C or SIGTERM, 1 the broker failed, 2 bad arguments or the port is taken."})
  public static final class Start implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9092",
        description = "the client port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "nip-kafka-data",
        description = "where the broker keeps its data, created when missing (default: ${DEFAULT-VALUE})")
    Path dataDir;

    @Override
    public Integer call() throws InterruptedException {
      if (port < 1 || port > 65_535) {
        throw new NipCommand.UsageException("--port must be 1 to 65535, but was " + port);
      }
      PrintWriter out = spec.commandLine().getOut();
      EmbeddedKafka kafka;
      try {
        kafka = EmbeddedKafka.builder().port(port).dataDirectory(dataDir).start();
      } catch (RuntimeException e) {
        if (causedByBind(e)) {
          throw new NipCommand.UsageException("--port " + port + " is taken on 127.0.0.1: stop what uses it, or "
              + "give another --port");
        }
        throw e;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      try (ShutdownHandler stops = ShutdownHandler.install()) {
        stops.stage("running the broker", stopped::countDown, () -> "broker on " + kafka.bootstrapServers());
        out.println("Kafka broker ready on " + kafka.bootstrapServers() + ", data in " + dataDir.toAbsolutePath()
            + " (Ctrl-C stops it)");
        out.flush();
        stopped.await();
      } finally {
        kafka.close();
      }
      out.println("Kafka broker stopped; its data stays in " + dataDir.toAbsolutePath());
      out.flush();
      return 0;
    }

    private static boolean causedByBind(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) {
          return true;
        }
      }
      return false;
    }
  }
}
