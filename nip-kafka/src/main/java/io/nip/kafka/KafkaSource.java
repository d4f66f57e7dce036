package io.nip.kafka;

import io.nip.errors.ConfigurationException;
import io.nip.kafka.internal.KafkaFetcher;
import io.nip.serde.Serde;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads Kafka topics as a consumer-group member. Each topic partition is a task of the pipeline;
 * partitions assigned to other members of the group are idle here. Offsets are committed only once
 * the results of the records before them reached the sinks (at-least-once); a task that falls
 * behind pauses its partition instead of buffering without bound; the lag of every assigned
 * partition is the gauge {@code nip.kafka.consumer.lag}. A value that does not deserialize goes to
 * the pipeline's error policy with its bytes, topic, partition and offset.
 *
 * <pre>{@code
 * KafkaSource<UserEvent> events = KafkaSource.builder("user-events", Serdes.json(UserEvent.class))
 *     .bootstrapServers("localhost:9092").groupId("analytics").offsetReset(OffsetReset.EARLIEST).build();
 * }</pre>
 *
 * <p>Each record reaches the pipeline with its envelope: the Kafka key (its bytes, or what
 * {@link Builder#keySerde} makes of them; {@code keyBy} replaces it), the headers (readable with
 * {@code Stream.mapWithHeaders}), the record timestamp and the offset as its position.
 *
 * <p>Building the source does no I/O: the topic partitions are discovered when the pipeline starts
 * ({@link #partitions()}), and an unreachable cluster fails {@code Pipeline.start()} with a
 * {@link io.nip.errors.ConnectorException}.
 *
 * <p>A pipeline restored from a checkpoint creates each reader at the checkpoint's offset: the
 * partition starts there at its next assignment to this member instead of at the group's committed
 * offset (see {@link #createReader}).
 *
 * <p>In bounded mode the source takes the end offsets at start and ends each partition there; the
 * pipeline then completes by itself.
 *
 * @param <T> the value type
 */
public final class KafkaSource<T> implements Source<T>, io.nip.state.ChangelogProvider {
  private final String name;
  private final List<String> topics;
  private final Pattern pattern;
  private final Serde<T> valueSerde;
  private final Serde<?> keySerde;
  private final java.util.function.Function<Object, ? extends T> tombstones;
  private final Map<String, Object> consumerProps;
  private final boolean bounded;
  private final int maxBufferedRecords;
  private final String instanceId;
  private final boolean changelog;
  private List<TopicPartition> partitions;
  /** A pipeline keeps its state in this source's changelog: offsets commit in its transactions. */
  private boolean changelogActive;
  private KafkaFetcher fetcher;

  private KafkaSource(Builder<T> b) {
    this.name = b.name != null ? b.name : (b.topics.isEmpty() ? "kafka" : String.join("+", b.topics));
    this.topics = List.copyOf(b.topics);
    this.pattern = b.pattern;
    this.valueSerde = b.valueSerde;
    this.keySerde = b.keySerde;
    this.tombstones = b.tombstones;
    this.consumerProps = Map.copyOf(b.props);
    this.bounded = b.bounded;
    this.maxBufferedRecords = b.maxBufferedRecords;
    this.instanceId = b.instanceId;
    this.changelog = b.changelog;
  }

  /**
   * @param topic the topic to read
   * @param valueSerde parses record values
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(String topic, Serde<T> valueSerde) {
    Builder<T> b = new Builder<>(valueSerde);
    b.topics.add(Objects.requireNonNull(topic, "topic"));
    return b;
  }

  /**
   * @param topics topics to read
   * @param valueSerde parses record values
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(List<String> topics, Serde<T> valueSerde) {
    Builder<T> b = new Builder<>(valueSerde);
    b.topics.addAll(topics);
    return b;
  }

  /**
   * @param topicPattern topics to read: those matching when the pipeline starts
   * @param valueSerde parses record values
   * @param <T> value type
   * @return a builder
   */
  public static <T> Builder<T> builder(Pattern topicPattern, Serde<T> valueSerde) {
    Builder<T> b = new Builder<>(valueSerde);
    b.pattern = Objects.requireNonNull(topicPattern, "topicPattern");
    return b;
  }

  @Override
  public String name() {
    return name;
  }

  /**
   * Discovers the topic partitions on first call (the pipeline calls it when it starts) by asking
   * the cluster; later calls return the same count.
   *
   * @return how many topic partitions the source reads
   * @throws io.nip.errors.ConnectorException when the cluster cannot be reached or the topics
   *     cannot be described (within the consumer's {@code default.api.timeout.ms})
   */
  @Override
  public synchronized int partitions() {
    return partitionList().size();
  }

  @Override
  public boolean isBounded() {
    return bounded;
  }

  /**
   * @return the topic partitions, in task order; discovered from the cluster on first call
   * @throws io.nip.errors.ConnectorException when they cannot be discovered
   */
  public synchronized List<TopicPartition> partitionList() {
    if (partitions == null) {
      partitions = discover();
    }
    return partitions;
  }

  /**
   * Opens one topic partition. With a start position (a checkpoint's offset), the partition starts
   * there the next time the group assigns it to this member, instead of at the group's committed
   * offset; later assignments start at the committed offset again. Without one
   * ({@link SourcePosition#NONE}) it starts at the committed offset, or where {@code offsetReset}
   * says for a group without one.
   *
   * @param partition the partition's task index, from 0 to {@code partitions() - 1}
   * @param context pipeline services
   * @param startPosition an offset, or {@link SourcePosition#NONE} (or null)
   * @return the reader of that partition
   * @throws ConfigurationException when the start position is neither none nor an offset
   */
  @Override
  public synchronized SourceReader<T> createReader(int partition, SourceContext context,
      SourcePosition startPosition) {
    SourcePosition start = SourcePosition.orNone(startPosition);
    if (!start.isNone() && !start.isOffset()) {
      throw ConfigurationException.invalid("kafka source '" + name + "' start position of partition " + partition,
          start, "must be an offset (a Kafka source's checkpoint) or none");
    }
    if (fetcher == null || fetcher.isClosed()) {
      Map<String, Object> props = consumerProps;
      if (changelogActive) {
        // offsets commit in the changelog's transactions: read_committed makes a member that gets a
        // partition wait until the previous owner's last transaction is complete before it reads the
        // committed offset, so the offset and the state it restores belong to the same checkpoint
        props = new HashMap<>(consumerProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      }
      fetcher = new KafkaFetcher(name, partitionList(), props, adminProperties(), bounded, maxBufferedRecords,
          context, changelogActive);
    }
    return fetcher.reader(partition, valueSerde, keySerde, tombstones, start.isOffset() ? start.offset() : -1);
  }

  /**
   * The changelog of keyed pipelines that read this source (unless they have a
   * {@code CheckpointStorage}, or {@code stateInChangelog(false)} was set): each store's changes go
   * to a compacted topic {@code <group>-<operator>-<store>-changelog}, each task's metadata to
   * {@code <group>-nip-task-meta}, and this source's offsets to its consumer group — one Kafka
   * transaction per checkpoint. The consumer group is the application id: the state belongs to the
   * group, like its committed offsets. A restarted or new instance restores its tasks from there
   * before it processes a record.
   *
   * @param pipeline the pipeline name (for logs and client ids)
   * @return the changelog, or null when disabled
   */
  @Override
  public synchronized io.nip.state.StateChangelog stateChangelog(String pipeline) {
    if (!changelog) {
      return null;
    }
    changelogActive = true;
    // state must agree with the offsets, which belong to the consumer group: the group names the state
    return new io.nip.kafka.internal.KafkaStateChangelog(name, partitionList(), this::currentFetcher,
        adminProperties(), String.valueOf(consumerProps.get(ConsumerConfig.GROUP_ID_CONFIG)), instanceId, 10_000);
  }

  private synchronized io.nip.kafka.internal.KafkaFetcher currentFetcher() {
    return fetcher;
  }

  /** @return the consumer settings that also apply to an admin client (connection, security) */
  private Map<String, Object> adminProperties() {
    Map<String, Object> adminProps = new HashMap<>();
    for (Map.Entry<String, Object> e : consumerProps.entrySet()) {
      if (!e.getKey().startsWith("key.") && !e.getKey().startsWith("value.")
          && !e.getKey().equals(ConsumerConfig.GROUP_ID_CONFIG) && !e.getKey().startsWith("auto.")
          && !e.getKey().startsWith("enable.") && !e.getKey().startsWith("max.poll")
          && !e.getKey().startsWith("fetch.") && !e.getKey().startsWith("isolation")
          && !e.getKey().startsWith("partition.") && !e.getKey().startsWith("session.")
          && !e.getKey().startsWith("heartbeat.") && !e.getKey().startsWith("group.")
          && !e.getKey().startsWith("client.rack") && !e.getKey().startsWith("allow.")) {
        adminProps.put(e.getKey(), e.getValue());
      }
    }
    return adminProps;
  }

  private List<TopicPartition> discover() {
    Map<String, Object> adminProps = adminProperties();
    try (Admin admin = Admin.create(adminProps)) {
      List<String> names = new ArrayList<>(topics);
      if (pattern != null) {
        Set<String> all = admin.listTopics().names().get();
        for (String t : all) {
          if (pattern.matcher(t).matches() && !names.contains(t)) {
            names.add(t);
          }
        }
        names.sort(null);
      }
      if (names.isEmpty()) {
        throw new ConfigurationException("kafka source '" + name + "' topics", "no topic matches " + pattern);
      }
      Map<String, TopicDescription> desc = admin.describeTopics(names).allTopicNames().get();
      List<TopicPartition> out = new ArrayList<>();
      for (String t : names) {
        desc.get(t).partitions().forEach(p -> out.add(new TopicPartition(t, p.partition())));
      }
      return List.copyOf(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.nip.errors.ConnectorException("interrupted while describing topics of '" + name + "'", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new io.nip.errors.ConnectorException("kafka source '" + name + "' cannot describe topics "
          + (topics.isEmpty() ? pattern : topics) + " at " + consumerProps.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
          + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * Settings of a {@link KafkaSource}.
   *
   * @param <T> value type
   */
  public static final class Builder<T> {
    private final List<String> topics = new ArrayList<>();
    private Pattern pattern;
    private final Serde<T> valueSerde;
    private Serde<?> keySerde;
    private java.util.function.Function<Object, ? extends T> tombstones;
    private final Map<String, Object> props = new HashMap<>();
    private String name;
    private boolean bounded;
    private int maxBufferedRecords = 10_000;
    private String instanceId = defaultInstanceId();
    private boolean changelog = true;

    private static String defaultInstanceId() {
      try {
        return java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        return "local";
      }
    }

    private Builder(Serde<T> valueSerde) {
      this.valueSerde = Objects.requireNonNull(valueSerde, "valueSerde");
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    }

    /**
     * @param servers "host:port[,host:port]"
     * @return this
     */
    public Builder<T> bootstrapServers(String servers) {
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(servers, "servers"));
      return this;
    }

    /**
     * The consumer group: instances with the same id share the partitions. The sources of one
     * pipeline may share a group (offsets commit per topic partition either way), but each source
     * is a member of its own, so they join one after the other at start, and each join makes the
     * members already in wait for their next heartbeat (500 ms by default) before the newcomer's
     * partitions are assigned. A source whose records others wait for (a join's table) starts
     * sooner in a group of its own:
     *
     * <pre>{@code
     * KafkaSource.builder("user-profiles", profileSerde).groupId("enricher-profiles")
     * }</pre>
     *
     * @param groupId the consumer group
     * @return this
     * @throws NullPointerException if {@code groupId} is null
     */
    public Builder<T> groupId(String groupId) {
      props.put(ConsumerConfig.GROUP_ID_CONFIG, Objects.requireNonNull(groupId, "groupId"));
      return this;
    }

    /**
     * @param reset where a group without committed offsets starts
     * @return this
     */
    public Builder<T> offsetReset(OffsetReset reset) {
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset.configValue());
      return this;
    }

    /**
     * Deserializes record keys; the result is the record's key in the pipeline (e.g.
     * {@code SinkContext.currentKey()}). Without it, keys stay the record's key bytes. A key that does
     * not deserialize makes the record bad input (error policy, with the value bytes).
     *
     * @param keySerde parses record keys, not null
     * @return this
     */
    public Builder<T> keySerde(Serde<?> keySerde) {
      this.keySerde = Objects.requireNonNull(keySerde, "keySerde");
      return this;
    }

    /**
     * Reads tombstones (records whose value is null, which delete their key from a compacted topic)
     * as values made from their key, e.g. a deletion marker for a {@code Table}. Without it a
     * tombstone is bad input (the pipeline's error policy). The key is the record's key as
     * {@link #keySerde} makes it (its bytes without one); a tombstone without a key is bad input.
     *
     * <pre>{@code
     * KafkaSource.builder("user-profiles", Serdes.json(ProfileUpdate.class)).keySerde(Serdes.string())
     *     .tombstones(key -> ProfileUpdate.deleted((String) key));
     * }</pre>
     *
     * @param fromKey the value standing for a tombstone of that key; never null
     * @return this
     */
    public Builder<T> tombstones(java.util.function.Function<Object, ? extends T> fromKey) {
      this.tombstones = Objects.requireNonNull(fromKey, "tombstones");
      return this;
    }

    /**
     * @param name the source's name in the pipeline (default: the topics)
     * @return this
     */
    public Builder<T> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Passes a consumer setting through (SASL, SSL, fetch tuning ...). Values are never logged.
     *
     * @param key a Kafka consumer config key
     * @param value its value
     * @return this
     */
    public Builder<T> consumerProperty(String key, Object value) {
      Objects.requireNonNull(key, "key");
      if (key.equals(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG) && Boolean.parseBoolean(String.valueOf(value))) {
        throw ConfigurationException.invalid(key, value, "must stay false: offsets are committed after the sinks");
      }
      props.put(key, Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * @param properties consumer settings to pass through
     * @return this
     */
    public Builder<T> consumerProperties(Map<String, ?> properties) {
      properties.forEach(this::consumerProperty);
      return this;
    }

    /**
     * Ends every partition at the end offset it had when the pipeline started. A partition fetched up
     * to there stops fetching, and {@code fetch.max.wait.ms} defaults to 100 ms (set it with
     * {@link #consumerProperty}) so that closing the consumer does not wait long for the broker's
     * answer to the last, empty fetch.
     *
     * @return this
     */
    public Builder<T> bounded() {
      this.bounded = true;
      return this;
    }

    /**
     * @param records most records fetched ahead per partition before it is paused, 1 or more
     * @return this
     */
    public Builder<T> maxBufferedRecords(int records) {
      if (records < 1) {
        throw ConfigurationException.invalid("maxBufferedRecords", records, "must be at least 1");
      }
      this.maxBufferedRecords = records;
      return this;
    }

    /**
     * Names this instance of the application for its state changelog's transactional producer. It
     * must be stable across restarts of the instance (a restarted instance then fences its dead
     * predecessor and aborts its unfinished transaction at once) and distinct between instances of
     * the application that run at the same time (two instances with one id fence each other: the
     * older one fails with a message naming this setting). Default: the host name.
     *
     * @param id letters, digits, '.', '_', '-'
     * @return this
     * @throws ConfigurationException when the id is empty or uses other characters
     */
    public Builder<T> instanceId(String id) {
      if (id == null || !id.matches("[A-Za-z0-9._-]+")) {
        throw ConfigurationException.invalid("instanceId", "'" + id + "'", "must use letters, digits, '.', '_' or '-'");
      }
      this.instanceId = id;
      return this;
    }

    /**
     * Whether keyed pipelines reading this source keep their state in Kafka changelog topics,
     * committed with the offsets in one transaction (default true). With false, and no
     * {@code CheckpointStorage}, state lives only in memory and offsets are committed behind the
     * records open windows still hold (replayed after a restart).
     *
     * @param enabled false to keep state out of Kafka
     * @return this
     */
    public Builder<T> stateInChangelog(boolean enabled) {
      this.changelog = enabled;
      return this;
    }

    /** @return the validated source */
    public KafkaSource<T> build() {
      if (!props.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
        throw new ConfigurationException("bootstrapServers", "is required");
      }
      if (!props.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
        throw new ConfigurationException("groupId", "is required");
      }
      if (topics.isEmpty() && pattern == null) {
        throw new ConfigurationException("topics", "give at least one topic or a pattern");
      }
      return new KafkaSource<>(this);
    }
  }
}
