package io.nip.kafka.embedded;

import static java.util.Objects.requireNonNull;

import io.nip.kafka.embedded.internal.BrokerProperties;
import io.nip.kafka.embedded.internal.KraftBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A real single-node Apache Kafka broker (KRaft mode, broker and controller in one node) running
 * inside this JVM, listening on 127.0.0.1 only, on free ports, with its data in a temporary
 * directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
 *   kafka.createTopic("clicks", 3);
 *   var producer = new KafkaProducer<String, String>(kafka.producerProperties());
 * }
 * }</pre>
 *
 * <p>Topics are not created automatically; create them with {@link #createTopic}. Thread-safe.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Duration POLL_INTERVAL = Duration.ofMillis(20);

  private final KraftBroker broker;
  private final Duration timeout;
  private final Admin admin;
  private boolean closed;

  private EmbeddedKafka(KraftBroker broker, Duration timeout) {
    this.broker = broker;
    this.timeout = timeout;
    this.admin = Admin.create(adminPropertiesOf(broker.bootstrapServers()));
  }

  /**
   * Starts a broker with the default settings and returns once it accepts requests.
   *
   * <pre>{@code
   * try (EmbeddedKafka kafka = EmbeddedKafka.start()) { ... kafka.bootstrapServers() ... }
   * }</pre>
   */
  public static EmbeddedKafka start() {
    return builder().start();
  }

  /**
   * A builder for a broker with extra broker settings.
   *
   * <pre>{@code
   * EmbeddedKafka kafka = EmbeddedKafka.builder().brokerProperty("log.retention.ms", "60000").start();
   * }</pre>
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The {@code bootstrap.servers} value for clients: {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** The temporary directory holding the broker's configuration and data; deleted by {@link #close()}. */
  public Path directory() {
    return broker.directory().root();
  }

  /**
   * Creates a topic with replication factor 1 and returns once every partition has a leader.
   *
   * @throws IllegalArgumentException if {@code partitions} is less than 1
   * @throws IllegalStateException if the broker rejects the topic (for example, it exists) or the
   *     topic is not ready within the timeout
   */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /**
   * Creates a topic with topic-level settings, for example {@code Map.of("cleanup.policy",
   * "compact")}, and returns once every partition has a leader.
   *
   * @throws IllegalArgumentException if {@code partitions} is less than 1
   * @throws IllegalStateException if the broker rejects the topic or its settings, or the topic is
   *     not ready within the timeout
   */
  public void createTopic(String name, int partitions, Map<String, String> config) {
    requireNonNull(name, "name");
    requireNonNull(config, "config");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1 but was " + partitions);
    }
    ensureOpen();
    long deadline = System.nanoTime() + timeout.toNanos();
    NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(config);
    await(admin.createTopics(List.of(topic)).all(), deadline, "creating topic " + name);
    awaitLeaders(name, partitions, deadline);
  }

  /** Settings for an {@link Admin} client of this broker; a new mutable map on each call. */
  public Map<String, Object> adminProperties() {
    return adminPropertiesOf(bootstrapServers());
  }

  /**
   * Settings for a {@code KafkaProducer<String, String>}: the bootstrap address, String serializers,
   * {@code acks=all} and one request in flight per connection. The last one keeps fixtures exact on a
   * loaded machine: a first write to a new topic may meet a leader that is not ready yet, and with
   * several batches in flight a later batch can land before the refused first one, which the
   * idempotent producer then retries forever as out of order. A new mutable map on each call;
   * serializers given to the producer's constructor take precedence.
   */
  public Map<String, Object> producerProperties() {
    Map<String, Object> properties = adminProperties();
    properties.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return properties;
  }

  /**
   * Settings for a {@code KafkaConsumer<String, String>} in group {@code groupId}: the bootstrap
   * address, String deserializers and {@code auto.offset.reset=earliest}, so a new group reads what
   * was written before it joined. A new mutable map on each call.
   */
  public Map<String, Object> consumerProperties(String groupId) {
    requireNonNull(groupId, "groupId");
    Map<String, Object> properties = adminProperties();
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        StringDeserializer.class.getName());
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return properties;
  }

  /** Stops the broker and deletes its directory. Calling it again does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      admin.close(Duration.ZERO);
    } finally {
      broker.stop();
    }
  }

  private synchronized void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the embedded broker at " + bootstrapServers() + " is closed");
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + timeout.toNanos();
    var nodes = await(admin.describeCluster().nodes(), deadline, "waiting for the broker");
    if (nodes.isEmpty()) {
      throw new IllegalStateException("the broker at " + bootstrapServers() + " reports no nodes");
    }
  }

  private void awaitLeaders(String name, int partitions, long deadline) {
    while (true) {
      if (hasAllLeaders(name, partitions, deadline)) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("topic " + name + " has no leader for all " + partitions
            + " partitions after " + timeout);
      }
      sleep(POLL_INTERVAL);
    }
  }

  private boolean hasAllLeaders(String name, int partitions, long deadline) {
    TopicDescription description;
    try {
      description = await(admin.describeTopics(List.of(name)).allTopicNames(), deadline,
          "describing topic " + name).get(name);
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        return false;
      }
      throw e;
    }
    List<TopicPartitionInfo> infos = description.partitions();
    return infos.size() == partitions && infos.stream().allMatch(p -> p.leader() != null);
  }

  private <T> T await(KafkaFuture<T> future, long deadline, String what) {
    long remaining = Math.max(0, deadline - System.nanoTime());
    try {
      return future.get(remaining, TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " did not finish within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " was interrupted", e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the embedded broker", e);
    }
  }

  private static Map<String, Object> adminPropertiesOf(String bootstrapServers) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return properties;
  }

  /**
   * Settings for {@link EmbeddedKafka}; {@link #start()} starts the broker. Not thread-safe.
   */
  public static final class Builder {

    private final Map<String, String> brokerProperties = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(60);
    private int port;
    private Path dataDirectory;

    private Builder() {}

    /**
     * Sets a broker setting (as in {@code server.properties}), overriding this module's default
     * if it has one. Settings that tie the node to its ports and directory (listeners, roles,
     * node id, quorum, log directories) are managed and rejected.
     *
     * @throws IllegalArgumentException if {@code key} is a managed setting
     */
    public Builder brokerProperty(String key, String value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      if (BrokerProperties.MANAGED.contains(key)) {
        throw new IllegalArgumentException("broker property " + key + " is set by EmbeddedKafka "
            + "(single node on 127.0.0.1, free ports, temporary directory) and cannot be set to "
            + value);
      }
      brokerProperties.put(key, value);
      return this;
    }

    /**
     * How long {@link #start()} waits for the broker to serve requests, and
     * {@link EmbeddedKafka#createTopic} for a topic to be ready. Default 60 seconds.
     *
     * @throws IllegalArgumentException if {@code timeout} is zero or negative
     */
    public Builder timeout(Duration timeout) {
      requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be positive but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * The client port on 127.0.0.1 (default 0: a free port). A taken port fails {@link #start()}.
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if {@code port} is out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be 0 to 65535 but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Keeps the broker's data in {@code directory} instead of a temporary one: created and formatted
     * on the first start, started again as it is afterwards (topics, records and committed offsets
     * survive), and never deleted by {@link EmbeddedKafka#close()}. The controller port chosen at
     * the first start is recorded there and used again.
     *
     * <pre>{@code
     * EmbeddedKafka kafka = EmbeddedKafka.builder().port(9092).dataDirectory(Path.of("kafka-data")).start();
     * }</pre>
     *
     * @param directory the directory to keep
     * @return this builder
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = requireNonNull(directory, "directory");
      return this;
    }

    /**
     * Formats a temporary directory (or uses the {@link #dataDirectory}), starts the broker and
     * returns once it serves requests.
     *
     * @throws IllegalStateException if the broker does not start or serve requests in time
     * @throws org.apache.kafka.common.config.ConfigException if a broker setting is invalid
     */
    public EmbeddedKafka start() {
      KraftBroker broker = dataDirectory != null || port != 0
          ? KraftBroker.startKept(Map.copyOf(brokerProperties), port, dataDirectory)
          : KraftBroker.start(Map.copyOf(brokerProperties));
      EmbeddedKafka kafka;
      try {
        kafka = new EmbeddedKafka(broker, timeout);
      } catch (RuntimeException e) {
        broker.stop();
        throw e;
      }
      try {
        kafka.awaitReady();
      } catch (RuntimeException e) {
        kafka.close();
        throw e;
      }
      return kafka;
    }
  }
}
