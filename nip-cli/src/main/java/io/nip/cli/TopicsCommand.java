package io.nip.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip topics create}: creates a Kafka topic, the twin of the tutorial's
 * {@code kafka-topics --create}. An existing topic is kept and reported with its partition count.
 *
 * <pre>{@code
 * nip topics create --topic nip-events --partitions 3 --bootstrap-servers localhost:9092
 * }</pre>
 */
@Command(name = "topics", mixinStandardHelpOptions = true, subcommands = TopicsCommand.Create.class,
    description = "Kafka topics: 'nip topics create'.")
public final class TopicsCommand implements Runnable {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Spec
  CommandSpec spec;

  /** Without a subcommand: print the usage and fail. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: 'nip topics create'");
  }

  /** {@code nip topics create --topic T --partitions N [--replication-factor R] [--bootstrap-servers H:P]}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {
          "Create a Kafka topic and wait until every partition has a leader. An existing topic is kept: the",
          "command says so, with its partition count. Exit codes: 0 created or already there, 1 the cluster",
          "refused it, 2 bad arguments or an unusable --bootstrap-servers."})
  public static final class Create implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "TOPIC", required = true, description = "the topic to create")
    String topic;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "1",
        description = "its partitions (default: ${DEFAULT-VALUE})")
    int partitions;

    @Option(names = "--replication-factor", paramLabel = "R", defaultValue = "1",
        description = "its replicas (default: ${DEFAULT-VALUE})")
    short replicationFactor;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = LoadCommand.DEFAULT_SERVERS,
        description = "the Kafka cluster (default: ${DEFAULT-VALUE})")
    String bootstrapServers;

    @Override
    public Integer call() throws InterruptedException {
      if (topic.isBlank()) {
        throw new NipCommand.UsageException("--topic must not be empty");
      }
      if (partitions < 1 || partitions > 10_000) {
        throw new NipCommand.UsageException("--partitions must be 1 to 10000, but was " + partitions);
      }
      if (replicationFactor < 1) {
        throw new NipCommand.UsageException("--replication-factor must be at least 1, but was " + replicationFactor);
      }
      BootstrapCheck.require(bootstrapServers);
      PrintWriter out = spec.commandLine().getOut();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
        boolean created = true;
        try {
          admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor))).all()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("creating topic " + topic + " on " + bootstrapServers + " failed: "
                + e.getCause().getMessage(), e.getCause());
          }
          created = false;
        }
        int have = awaitLeaders(admin);
        out.println(created
            ? "Created topic " + topic + " with " + have + " partition" + (have == 1 ? "" : "s") + " on " + bootstrapServers
            : "Topic " + topic + " already exists on " + bootstrapServers + " with " + have + " partition"
                + (have == 1 ? "" : "s") + "; kept");
        out.flush();
        return 0;
      } catch (TimeoutException e) {
        throw new IllegalStateException("topic " + topic + " was not ready on " + bootstrapServers + " within "
            + TIMEOUT.toSeconds() + " s", e);
      }
    }

    private int awaitLeaders(Admin admin) throws InterruptedException, TimeoutException {
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (true) {
        try {
          TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
              .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
          if (d.partitions().stream().allMatch(p -> p.leader() != null)) {
            return d.partitions().size();
          }
        } catch (ExecutionException e) {
          // not visible yet on the answering broker
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException();
        }
        Thread.sleep(50);
      }
    }
  }
}
