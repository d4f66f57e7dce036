package io.nip.kafka.internal;

import io.nip.errors.StateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics of a Kafka state changelog: their names, and their creation (compacted, one partition
 * per task, records up to {@link #STATE_RECORD_MAX_BYTES}) before the first write.
 *
 * <p>Why a class of its own: naming and creating topics is admin work the changelog's commit path
 * only calls into ({@link #ensure}); keeping it here keeps the changelog about transactions.
 *
 * <p>Threading: {@link #ensure} may be called from the committing thread and from {@code open};
 * the set of topics known to exist is concurrent.
 */
final class ChangelogTopics {
  private static final Logger LOG = LoggerFactory.getLogger(ChangelogTopics.class);
  private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(10);
  /**
   * The largest state or metadata record the changelog writes, and the {@code max.message.bytes} of
   * the topics it creates: 32 MiB. A task's metadata holds all its timers (about 35 bytes each), so a
   * task with many keys in sessions or windows writes a record of megabytes; sink records keep the
   * client's own limit.
   */
  static final int STATE_RECORD_MAX_BYTES = 32 << 20;

  private final Map<String, Object> clientProps;
  private final String cluster;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  /** {@link #topicOf} by store id, for this instance's one application. */
  private final Map<String, String> names = new ConcurrentHashMap<>();

  /**
   * @param clientProps connection and security settings for the admin client
   * @param cluster the cluster's name, for messages
   */
  ChangelogTopics(Map<String, Object> clientProps, String cluster) {
    this.clientProps = clientProps;
    this.cluster = cluster;
  }

  /**
   * @param application the application id
   * @param storeId "operator/store"
   * @return the changelog topic of that store
   */
  static String topicOf(String application, String storeId) {
    return sanitize(application + "-" + storeId.replace('/', '-') + "-changelog");
  }

  /**
   * {@link #topicOf}, built once per store: a commit asks for it once per state change.
   *
   * @param application the application id, the same at every call on this instance
   * @param storeId "operator/store"
   * @return the changelog topic of that store
   */
  String changelogOf(String application, String storeId) {
    return names.computeIfAbsent(storeId, id -> topicOf(application, id));
  }

  /**
   * @param application the application id
   * @return the topic holding each task's latest metadata
   */
  static String metaTopicOf(String application) {
    return sanitize(application + "-nip-task-meta");
  }

  /** @return a topic name with every character Kafka refuses replaced by '_' */
  static String sanitize(String topic) {
    StringBuilder b = new StringBuilder(topic.length());
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      b.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-' ? c : '_');
    }
    return b.toString();
  }

  /**
   * Creates the topic unless it exists (then checks it has at least {@code partitions}); once per
   * topic and instance.
   *
   * @param topic the topic
   * @param partitions the partitions the plan needs (one per task)
   * @throws StateException when it cannot be created, or has fewer partitions
   */
  void ensure(String topic, int partitions) {
    if (known.contains(topic)) {
      return;
    }
    try (Admin admin = Admin.create(clientProps)) {
      try {
        admin.createTopics(List.of(new NewTopic(topic, java.util.Optional.of(partitions), java.util.Optional.empty())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(STATE_RECORD_MAX_BYTES))))).all().get();
        LOG.info("created changelog topic {} ({} partitions, compacted)", topic, partitions);
        awaitLeaders(admin, topic);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        // another instance created it a moment ago: the broker that answers may not know it yet
        TopicDescription d = describeWhenKnown(admin, topic);
        if (d.partitions().size() < partitions) {
          throw new StateException("changelog topic " + topic + " has " + d.partitions().size()
              + " partitions but the pipeline needs " + partitions + " (one per task); it was created by a pipeline "
              + "with another parallelism or source partition count: restore with the same plan, or use a new "
              + "application id");
        }
      }
      known.add(topic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateException("interrupted while creating changelog topic " + topic, e);
    } catch (ExecutionException e) {
      throw new StateException("cannot create changelog topic " + topic + " at " + cluster + ": "
          + e.getCause().getMessage(), e.getCause());
    }
  }

  /** Describes a topic, retrying while the broker answers that it does not host it (yet). */
  private static TopicDescription describeWhenKnown(Admin admin, String topic)
      throws InterruptedException, ExecutionException {
    long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        awaitLeaders(admin, topic);
        return d;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw e;
        }
      }
      Thread.sleep(20);
    }
  }

  /**
   * A new topic's partitions take a moment to get leaders, and a leader named in the metadata takes
   * another moment to serve requests. A write refused as NOT_LEADER_OR_FOLLOWER while a later batch
   * of the same producer lands is retried as OUT_OF_ORDER_SEQUENCE_NUMBER until the transaction's
   * batches line up again (a WARN per retry, an ERROR on the broker). Listing the end offsets goes to
   * each leader: once every leader answers it, writes are accepted.
   */
  private static void awaitLeaders(Admin admin, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
          Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
          d.partitions().forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
          admin.listOffsets(ends).all().get();
          return;
        }
      } catch (ExecutionException e) {
        // not known to the broker that answered yet, or a leader not ready yet
      }
      Thread.sleep(20);
    }
    // go on: the producer retries writes until the leaders are there
  }
}
