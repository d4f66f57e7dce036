package io.nip.kafka.internal;

import io.nip.errors.StateException;
import io.nip.source.SourcePosition;
import io.nip.state.StateChangelog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state changelog of a pipeline that reads a Kafka source: one compacted topic per store
 * ({@code <application>-<operator>-<store>-changelog}, one partition per task of the store's stage),
 * one compacted metadata topic ({@code <application>-nip-task-meta}, keyed by task id), and the
 * source's consumer-group offsets — all written by one transactional producer, one transaction per
 * checkpoint.
 * <p>Design: a checkpoint's state changes, metadata and offsets are written when the checkpoint is
 * complete (the changes were collected at the barriers). Under exactly-once the sinks' records are
 * written earlier: after each successful commit the next transaction is begun at once, and tasks
 * write their output into it as they produce it ({@link TransactionAhead}), so the commit adds only
 * what was not written ahead. The offsets go through
 * {@code sendOffsetsToTransaction} with the consumer's group metadata: a member that lost its
 * partitions in a rebalance has a stale generation, its commit fails and nothing of it becomes
 * visible (it retries with the next checkpoint, without the partitions it no longer owns). Parts
 * of source tasks whose partition this member does not own are never written, so an idle task
 * cannot overwrite the owner's state. A transactional id that is stable per application and
 * instance lets a restarted instance fence its dead predecessor and abort its open transaction at
 * once, instead of waiting for the transaction timeout. Restores read with
 * {@code read_committed}, so aborted or unfinished transactions are never restored.
 *
 * <p>Record layout: key = the store's serialized key; value = 8-byte big-endian expiry (epoch ms,
 * {@code Long.MAX_VALUE} for none) followed by the serialized value; a deleted key is a tombstone.
 * Metadata value = 8-byte checkpoint id, 8-byte commit id (random per transaction; also in the
 * committed offsets' metadata as {@code nip-commit=<id>}), store count, each store id (UTF-8,
 * length-prefixed), then the task's opaque metadata. A member that gets a partition reads the
 * commit id of its committed offset and waits until the task's metadata of that same commit is
 * readable before it restores, so the state and the offset it resumes at always belong together.
 *
 * <p>Threading: {@link #commit} and {@link #restore} are called by one thread at a time (the checkpoint
 * coordinator's committer thread commits while no restore runs; restores run while the pipeline is being planned,
 * or on a task's thread while no commit runs).
 */
public final class KafkaStateChangelog implements StateChangelog {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaStateChangelog.class);
  private static final Duration RESTORE_POLL = Duration.ofMillis(200);
  /**
   * How long keyed state behind an in-process keyBy waits, uncommitted, while another member of the group owns
   * partitions, before the pipeline is refused: longer than Kafka's default session timeout (45 s).
   */
  static final Duration SHARED_GROUP_GRACE = Duration.ofSeconds(60);
  private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(10);
  /** How long a new owner waits for the state committed with the offset it resumes at to be readable. */
  private static final Duration STATE_VISIBLE_TIMEOUT = Duration.ofSeconds(60);

  private final String sourceName;
  private final List<TopicPartition> sourcePartitions;
  private final Supplier<KafkaFetcher> fetcher;
  private final Map<String, Object> clientProps;
  private final String instanceId;
  private final int transactionTimeoutMs;
  /** The application id: the consumer group, whose offsets the state must agree with. */
  private final String application;
  private String pipeline;
  private String metaTopic;
  private KafkaProducer<byte[], byte[]> producer;
  private KafkaConsumer<byte[], byte[]> restoreConsumer;
  private final java.util.concurrent.atomic.AtomicInteger restoreConsumers = new java.util.concurrent.atomic.AtomicInteger();
  private final ChangelogTopics topics;
  /** Per task id, per store id: the changelog position after the last write known here. */
  private final Map<String, Map<String, Long>> ends = new java.util.concurrent.ConcurrentHashMap<>();
  /** Per task id, the latest metadata record read from, or written to, the metadata topic. */
  private final Map<String, byte[]> metas = new HashMap<>();
  private long metaPosition;
  /** When a commit first met another member owning partitions while keyed state is in-process, or 0. */
  private long sharedSince;
  /** The offsets this instance committed last, by partition (cleared when a task is restored). */
  private final Map<TopicPartition, OffsetAndMetadata> committedOffsets = new java.util.concurrent.ConcurrentHashMap<>();
  /** Per task id, the metadata record the task's state in this instance reflects (restored or committed here). */
  private final Map<String, byte[]> applied = new java.util.concurrent.ConcurrentHashMap<>();
  /** The transaction open between commits, into which tasks write their output ahead. */
  private final TransactionAhead ahead = new TransactionAhead();
  /** A transaction is begun on the producer and neither committed nor aborted. */
  private boolean transactionOpen;

  /**
   * @param sourceName the source's name, for messages
   * @param sourcePartitions the source's partitions in task order
   * @param fetcher the source's fetcher (created when the first reader opens)
   * @param clientProps connection and security settings for producer, admin and restore consumer
   * @param application the application id, the source's consumer group: names the topics
   * @param instanceId this instance of the application: part of the transactional id, stable across
   *     restarts, distinct between instances running at the same time
   * @param transactionTimeoutMs the producer's {@code transaction.timeout.ms}
   */
  public KafkaStateChangelog(String sourceName, List<TopicPartition> sourcePartitions, Supplier<KafkaFetcher> fetcher,
      Map<String, Object> clientProps, String application, String instanceId, int transactionTimeoutMs) {
    this.application = application;
    this.sourceName = sourceName;
    this.sourcePartitions = List.copyOf(sourcePartitions);
    this.fetcher = fetcher;
    this.clientProps = Map.copyOf(clientProps);
    this.instanceId = instanceId;
    this.transactionTimeoutMs = transactionTimeoutMs;
    this.topics = new ChangelogTopics(this.clientProps, name());
  }

  @Override
  public String name() {
    return "kafka:" + clientProps.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
  }

  /**
   * @param application the application id
   * @param storeId "operator/store"
   * @return the changelog topic of that store
   */
  public static String topicOf(String application, String storeId) {
    return ChangelogTopics.topicOf(application, storeId);
  }

  /**
   * @param application the application id
   * @return the topic holding each task's latest metadata
   */
  public static String metaTopicOf(String application) {
    return ChangelogTopics.metaTopicOf(application);
  }

  @Override
  public long open(String pipeline) {
    this.pipeline = pipeline;
    this.metaTopic = metaTopicOf(application);
    topics.ensure(metaTopic, 1);
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, ChangelogTopics.sanitize(application + "-" + sourceName + "-" + instanceId));
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    // a commit sends its records at once and then flushes: large batches (as the sinks' producer
    // uses) mean fewer requests and fewer compression blocks per commit
    p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    // a transaction begun right after the previous commit meets its markers still being written
    // (CONCURRENT_TRANSACTIONS): retry after 5 ms rather than the default 100 ms (backoff still grows
    // exponentially up to retry.backoff.max.ms)
    p.putIfAbsent(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 5);
    p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Math.max(ChangelogTopics.STATE_RECORD_MAX_BYTES, maxRecordBytes() + 512));
    p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(2L * ChangelogTopics.STATE_RECORD_MAX_BYTES,
        Long.parseLong(String.valueOf(clientProps.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, 32L << 20)))));
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, pipeline + "-" + sourceName + "-changelog");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    producer = new KafkaProducer<>(p);
    try {
      // fences an earlier producer with the same id and aborts its open transaction
      producer.initTransactions();
    } catch (KafkaException e) {
      producer.close(Duration.ZERO);
      throw new StateException("pipeline '" + pipeline + "': cannot start the changelog producer at "
          + name() + ": " + e.getMessage(), e);
    }
    return readMetas();
  }

  /** @return true: Kafka sinks on this cluster write their records in the checkpoint's transaction */
  @Override
  public long aheadTransaction(long barrier) {
    return ahead.tokenFor(barrier);
  }

  @Override
  public int writeAhead(long transaction, List<Object> records, int from) {
    return ahead.write(transaction, records, from);
  }

  @Override
  public void abandonAhead() {
    ahead.close();
    if (transactionOpen) {
      abort();
    }
  }

  /** Begins the transaction the next commit ends, for tasks to write ahead into; else the next commit begins its own. */
  private void openAhead(long checkpointId) {
    try {
      producer.beginTransaction();
      transactionOpen = true;
      ahead.open(producer, checkpointId);
    } catch (KafkaException | IllegalStateException e) {
      LOG.debug("pipeline '{}': no transaction opened after checkpoint {}: {}", pipeline, checkpointId, e.toString());
    }
  }

  @Override
  public boolean writesOutput() {
    return true;
  }

  /**
   * Finds the changelog a Kafka sink writes through under exactly-once.
   *
   * @param out the task's transactional output
   * @param sink the sink's name, for messages
   * @param servers the sink's bootstrap servers
   * @return the pipeline's Kafka changelog
   * @throws io.nip.errors.ConfigurationException when the committer is not a Kafka changelog on the same cluster
   *     (compared as the set of bootstrap addresses)
   */
  public static KafkaStateChangelog committerFor(io.nip.sink.TransactionalOutput out, String sink, String servers) {
    Object c = out.committer();
    if (!(c instanceof KafkaStateChangelog)) {
      throw new io.nip.errors.ConfigurationException("guarantee", "kafka sink '" + sink + "': the pipeline runs "
          + "EXACTLY_ONCE, but its checkpoints commit to " + (c instanceof StateChangelog ? ((StateChangelog) c).name()
              : String.valueOf(c)) + ", not to a Kafka transaction this sink could write in");
    }
    KafkaStateChangelog k = (KafkaStateChangelog) c;
    Object own = k.clientProps.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG);
    if (!addresses(servers).equals(addresses(String.valueOf(own)))) {
      throw new io.nip.errors.ConfigurationException("guarantee", "kafka sink '" + sink + "' writes to " + servers
          + ", but the pipeline's source and its checkpoint transactions use " + own + "; under EXACTLY_ONCE a "
          + "Kafka sink must write to the source's cluster, named by the same bootstrap servers");
    }
    return k;
  }

  private static Set<String> addresses(String servers) {
    Set<String> out = new java.util.TreeSet<>();
    for (String s : servers.split(",")) {
      if (!s.isBlank()) {
        out.add(s.trim().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return out;
  }

  /** @return the largest record (key, value, headers, framing) a checkpoint's transaction takes */
  public int maxRecordBytes() {
    Object v = clientProps.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    int max = v == null ? 1024 * 1024 : Integer.parseInt(v.toString());
    return max - 512;
  }

  /** @return true: the offsets commit with the state, in the consumer group */
  @Override
  public boolean sourceResumesAtCommittedPositions() {
    return true;
  }

  @Override
  public boolean changedElsewhere(TaskRef task) {
    readMetas();
    KafkaFetcher f = fetcher.get();
    if (task.sourcePartition() >= 0 && f != null) {
      // the offset this member resumes at was committed with checkpoint `want`: its state must be
      // the one of that checkpoint, whose metadata record may become readable a moment after the offset
      long want = f.committedCommit(task.sourcePartition());
      long deadline = System.nanoTime() + STATE_VISIBLE_TIMEOUT.toNanos();
      while (want != KafkaFetcher.NO_COMMIT && commitOf(metas.get(task.taskId())) != want) {
        if (System.nanoTime() > deadline) {
          throw new StateException("pipeline '" + pipeline + "': the offset of "
              + sourcePartitions.get(task.sourcePartition()) + " was committed by commit " + Long.toHexString(want)
              + ", but the state of task " + task.taskId() + " in " + metaTopic + " is still of another commit after "
              + STATE_VISIBLE_TIMEOUT.toSeconds() + " s");
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StateException("interrupted while waiting for the state of task " + task.taskId(), e);
        }
        readMetas();
      }
    }
    byte[] latest = metas.get(task.taskId());
    return latest != null && !java.util.Arrays.equals(applied.get(task.taskId()), latest);
  }

  /** @return the commit id in a metadata record, or {@link KafkaFetcher#NO_COMMIT} */
  private static long commitOf(byte[] meta) {
    return meta == null ? KafkaFetcher.NO_COMMIT : ByteBuffer.wrap(meta).getLong(8);
  }

  /** Reads the metadata topic from where the last read ended; returns the largest checkpoint id seen. */
  private long readMetas() {
    long committed = 0;
    TopicPartition meta = new TopicPartition(metaTopic, 0);
    metaPosition = readAll(meta, metaPosition, r -> {
      String task = new String(r.key(), StandardCharsets.UTF_8);
      if (r.value() == null) {
        metas.remove(task);
      } else {
        metas.put(task, r.value());
      }
    });
    for (byte[] m : metas.values()) {
      committed = Math.max(committed, ByteBuffer.wrap(m).getLong(0));
    }
    return committed;
  }

  @Override
  public byte[] restore(TaskRef task, Map<String, Long> from, Consumer<Change> changes) {
    return restore(restoreConsumer(), task, from, changes);
  }

  /**
   * A view with its own restore consumer: restores of several tasks run at once, one per view and
   * thread. Design: the views read {@link #metas} (not written between {@link #open} and the
   * first commit) and record what they restored in {@link #applied} and {@link #ends}, which are
   * concurrent maps; each task's inner map of ends is written by the one view restoring it.
   */
  @Override
  public StateChangelog restoreView() {
    return new StateChangelog() {
      private KafkaConsumer<byte[], byte[]> consumer;

      @Override
      public String name() {
        return KafkaStateChangelog.this.name();
      }

      @Override
      public long open(String pipeline) {
        throw new UnsupportedOperationException("a restore view is opened by its changelog");
      }

      @Override
      public byte[] restore(TaskRef task, Map<String, Long> from, Consumer<Change> changes) {
        if (consumer == null) {
          consumer = newRestoreConsumer();
        }
        return KafkaStateChangelog.this.restore(consumer, task, from, changes);
      }

      @Override
      public Map<String, Map<String, Long>> commit(long checkpointId, List<TaskPart> parts,
          Map<Integer, SourcePosition> sourcePositions) {
        throw new UnsupportedOperationException("a restore view does not commit");
      }

      @Override
      public void close() {
        if (consumer != null) {
          consumer.close(Duration.ofSeconds(5));
          consumer = null;
        }
      }
    };
  }

  private byte[] restore(KafkaConsumer<byte[], byte[]> consumer, TaskRef task, Map<String, Long> from,
      Consumer<Change> changes) {
    byte[] stored = metas.get(task.taskId());
    committedOffsets.clear(); // another member may have committed since
    if (stored == null) {
      return null;
    }
    applied.put(task.taskId(), stored);
    ByteBuffer b = ByteBuffer.wrap(stored);
    b.getLong(); // checkpoint id
    b.getLong(); // commit id
    int stores = b.getInt();
    List<String> storeIds = new ArrayList<>(stores);
    for (int i = 0; i < stores; i++) {
      byte[] id = new byte[b.getShort() & 0xffff];
      b.get(id);
      storeIds.add(new String(id, StandardCharsets.UTF_8));
    }
    byte[] meta = new byte[b.remaining()];
    b.get(meta);
    Map<String, Long> taskEnds = ends.computeIfAbsent(task.taskId(), k -> new HashMap<>());
    for (String store : storeIds) {
      TopicPartition tp = new TopicPartition(topicOf(application, store), task.partition());
      long start = from.getOrDefault(store, 0L);
      long[] count = {0};
      long end = readAll(consumer, tp, start, r -> {
        byte[] value = r.value();
        if (value == null) {
          changes.accept(new Change(store, r.key(), null, Long.MAX_VALUE));
        } else {
          ByteBuffer v = ByteBuffer.wrap(value);
          long expiresAt = v.getLong();
          byte[] bytes = new byte[v.remaining()];
          v.get(bytes);
          changes.accept(new Change(store, r.key(), bytes, expiresAt));
        }
        count[0]++;
      });
      taskEnds.put(store, end);
      LOG.debug("task {} restored {} records of {} from offset {} to {}", task.taskId(), count[0], tp, start, end);
    }
    return meta;
  }

  @Override
  public Map<String, Map<String, Long>> commit(long checkpointId, List<TaskPart> parts,
      Map<Integer, SourcePosition> sourcePositions) {
    TransactionAhead.Closed tx = ahead.close();
    try {
      return commit(checkpointId, parts, sourcePositions, tx);
    } catch (CommitFailure e) {
      if (transactionOpen) {
        abort(); // the transaction written ahead into, left open by a commit that did not begin its own
      }
      throw e;
    }
  }

  private Map<String, Map<String, Long>> commit(long checkpointId, List<TaskPart> parts,
      Map<Integer, SourcePosition> sourcePositions, TransactionAhead.Closed tx) {
    KafkaFetcher f = fetcher.get();
    // names this commit in the offsets' metadata and in every task's metadata record, so that a member
    // that gets a partition can tell when the state committed with its offset is readable
    long commitId;
    do {
      commitId = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    } while (commitId == KafkaFetcher.NO_COMMIT);
    // the group's generation before ownership is checked: a rebalance after this line makes it stale,
    // so the broker refuses the offsets (and the whole transaction) of a partition that moved meanwhile
    ConsumerGroupMetadata group = f == null ? null : f.groupMetadata();
    List<TaskPart> written = new ArrayList<>();
    boolean sourceLeftOut = false;
    boolean aheadLeftOut = false;
    boolean keyedChanges = false;
    for (TaskPart part : parts) {
      int sp = part.task().sourcePartition();
      keyedChanges |= sp < 0 && (!part.changes().isEmpty() || !part.output().isEmpty());
      if (sp < 0 && (!part.changes().isEmpty() || !part.output().isEmpty()) && f != null && f.anyOwnedElsewhere()) {
        // keys behind an in-process keyBy come from every partition of this instance: with another
        // member, two instances would write the same changelog partition with different states. A
        // member killed a moment ago keeps its partitions until its session times out: commit
        // nothing meanwhile, and refuse only when another member keeps partitions beyond that
        String message = "pipeline '" + pipeline + "': another member of consumer group '" + application
            + "' owns partitions of '" + sourceName + "', but the state of task " + part.task().taskId()
            + " (behind a keyBy) belongs to one instance: run one instance per group, or key the input topic by "
            + "the pipeline's key and use keyByPartitioned, whose state follows each partition";
        long now = System.nanoTime();
        if (sharedSince == 0) {
          sharedSince = now;
        }
        if (now - sharedSince < SHARED_GROUP_GRACE.toNanos()) {
          throw new CommitFailure(message + " (not committed; retried until " + SHARED_GROUP_GRACE.toSeconds()
              + " s have passed, in case that member died and its session has not timed out yet)", null);
        }
        throw new StateException(message);
      }
      if (sp >= 0 && (f == null || !f.owns(sp) || f.assignmentEpoch(sp) != part.assignment())) {
        // another member owns the partition, and with it this task's state; or the partition was
        // assigned here again since the part was taken, and its state is restored before it is read
        sourceLeftOut = true;
        // its records written ahead must not commit: the transaction is aborted and begun again
        aheadLeftOut |= TransactionAhead.heldBy(tx, part.ahead()) > 0;
        if (!part.changes().isEmpty() || !part.output().isEmpty() || sourcePositions.containsKey(sp)) {
          LOG.info("pipeline '{}': checkpoint {} leaves out task {} ({} state changes, {} output records): {}",
              pipeline, checkpointId, part.task().taskId(), part.changes().size(), part.output().size(),
              f == null || !f.owns(sp)
                  ? "its partition is not assigned here" : "its partition was assigned here again since");
        }
        continue;
      }
      written.add(part);
      for (String store : part.storeIds()) {
        topics.ensure(topics.changelogOf(application, store), part.task().partitions());
      }
    }
    if (keyedChanges && f != null && (sourceLeftOut || !f.settled())) {
      // keys behind an in-process keyBy come from every partition: their changes may derive from a partition
      // whose offset this commit leaves out (it moved, or the assignment changes: a member joins or leaves)
      throw new CommitFailure("pipeline '" + pipeline + "': the assignment of '" + sourceName + "' changes; the "
          + "state and results behind a keyBy wait for the next checkpoint. If another instance shares group '"
          + application + "': run one instance per group, or key the input topic and use keyByPartitioned", null);
    }
    sharedSince = 0;
    // an offset commits only beside its task's metadata of the same commit: a member that gets the
    // partition waits for exactly that metadata before it restores
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TaskPart part : written) {
      int sp = part.task().sourcePartition();
      SourcePosition pos = sp >= 0 ? sourcePositions.get(sp) : null;
      if (pos != null && pos.isOffset() && pos.offset() >= 0) {
        offsets.put(sourcePartitions.get(sp), new OffsetAndMetadata(pos.offset(), KafkaFetcher.COMMIT_PREFIX + commitId));
      }
    }
    if (!offsets.isEmpty() && group == null) {
      throw new CommitFailure("the consumer of '" + sourceName + "' has not joined its group yet", null);
    }
    Map<String, Map<String, Future<RecordMetadata>>> last = new HashMap<>();
    Map<String, byte[]> newMetas = new HashMap<>();
    List<Future<RecordMetadata>> outputSends = new ArrayList<>();
    List<StateSend> stateSends = new ArrayList<>();
    if (unchanged(written, offsets)) {
      // nothing happened since the last commit (an idle pipeline): no transaction, no metadata records
      if (!ahead.reopen(tx, checkpointId)) {
        if (transactionOpen) {
          abort();
        }
        openAhead(checkpointId);
      }
      return endsOf(written);
    }
    boolean usable = tx.usable() && !aheadLeftOut;
    long[] at = {System.nanoTime(), 0, 0, 0}; // when the commit began, sent its records, sent its offsets; bytes
    if (transactionOpen && !usable) {
      abort(); // its records go again below
    }
    try {
      if (!usable) {
        producer.beginTransaction();
        transactionOpen = true;
      } else {
        outputSends.addAll(tx.sends());
      }
      for (TaskPart part : written) {
        Map<String, Future<RecordMetadata>> lastOfTask = last.computeIfAbsent(part.task().taskId(), k -> new HashMap<>());
        for (Change c : part.changes()) {
          byte[] value = c.value() == null ? null
              : ByteBuffer.allocate(8 + c.value().length).putLong(c.expiresAtMillis()).put(c.value()).array();
          at[3] += c.key().length + (value == null ? 0 : value.length);
          String topic = topics.changelogOf(application, c.storeId());
          lastOfTask.put(c.storeId(), producer.send(new ProducerRecord<>(topic, part.task().partition(), c.key(),
              value)));
        }
        List<Object> output = part.output();
        for (int i = usable ? TransactionAhead.heldBy(tx, part.ahead()) : 0; i < output.size(); i++) {
          @SuppressWarnings("unchecked")
          ProducerRecord<byte[], byte[]> r = (ProducerRecord<byte[], byte[]>) output.get(i);
          outputSends.add(producer.send(r));
        }
        byte[] meta = encodeMeta(checkpointId, commitId, part);
        newMetas.put(part.task().taskId(), meta);
        stateSends.add(new StateSend("the metadata of task " + part.task().taskId() + " (" + meta.length
            + " bytes: its timers and watermarks)", producer.send(new ProducerRecord<>(metaTopic, 0,
                part.task().taskId().getBytes(StandardCharsets.UTF_8), meta))));
      }
      at[1] = System.nanoTime();
      if (!offsets.isEmpty()) {
        producer.sendOffsetsToTransaction(offsets, group);
      }
      at[2] = System.nanoTime();
      producer.commitTransaction();
      transactionOpen = false;
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      throw new StateException("pipeline '" + pipeline + "' (application " + application
          + "): another instance with the same instance id (" + instanceId
          + ") took over the changelog; give each running instance its own instance id", e);
    } catch (KafkaException | IllegalStateException e) {
      abort();
      for (StateSend send : stateSends) {
        RuntimeException r = refused(List.of(send.future()));
        if (r != null) {
          throw new StateException("pipeline '" + pipeline + "': checkpoint " + checkpointId + " cannot be committed: "
              + "the cluster refuses " + send.what() + " (" + r.getMessage() + "); every later commit would carry it "
              + "again", r);
        }
      }
      RuntimeException refused = refused(outputSends);
      if (refused != null) {
        throw new StateException("pipeline '" + pipeline + "': checkpoint " + checkpointId + " cannot be committed: "
            + "the cluster refuses an output record (" + refused.getMessage() + "); every later commit would "
            + "carry it again", refused);
      }
      throw new CommitFailure("checkpoint " + checkpointId + " of pipeline '" + pipeline + "': " + e.getMessage(), e);
    }
    LOG.debug("pipeline '{}': commit of checkpoint {}: sends {} us ({} changes, {} bytes), offsets {} us, end {} us",
        pipeline, checkpointId, (at[1] - at[0]) / 1000, written.stream().mapToInt(p -> p.changes().size()).sum(),
        at[3], (at[2] - at[1]) / 1000, (System.nanoTime() - at[2]) / 1000);
    metas.putAll(newMetas); // the records just committed: what this instance's state reflects
    applied.putAll(newMetas);
    committedOffsets.putAll(offsets);
    openAhead(checkpointId);
    for (TaskPart part : written) {
      Map<String, Long> taskEnds = ends.computeIfAbsent(part.task().taskId(), k -> new HashMap<>());
      Map<String, Future<RecordMetadata>> lastOfTask = last.getOrDefault(part.task().taskId(), Map.of());
      for (Map.Entry<String, Future<RecordMetadata>> e : lastOfTask.entrySet()) {
        try {
          taskEnds.put(e.getKey(), e.getValue().get().offset() + 1);
        } catch (InterruptedException ex) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException ex) {
          // committed, so it was written: unreachable; the store then restores from its beginning
          taskEnds.remove(e.getKey());
        }
      }
    }
    return endsOf(written);
  }

  /** @return per task id of the parts, per store id, the changelog position after its last write */
  private Map<String, Map<String, Long>> endsOf(List<TaskPart> written) {
    Map<String, Map<String, Long>> after = new HashMap<>();
    for (TaskPart part : written) {
      Map<String, Long> taskEnds = ends.getOrDefault(part.task().taskId(), Map.of());
      Map<String, Long> known = new HashMap<>();
      for (String store : part.storeIds()) {
        Long end = taskEnds.get(store);
        if (end != null) {
          known.put(store, end);
        }
      }
      after.put(part.task().taskId(), known);
    }
    return after;
  }

  /**
   * @return true when committing would write nothing new: no changes, no output, every task's
   *     metadata the one its state here reflects, every offset the one this instance committed last
   */
  private boolean unchanged(List<TaskPart> written, Map<TopicPartition, OffsetAndMetadata> offsets) {
    for (TaskPart part : written) {
      if (!part.changes().isEmpty() || !part.output().isEmpty()) {
        return false;
      }
      byte[] reflected = applied.get(part.task().taskId());
      byte[] now = encodeMeta(0, 0, part);
      // past the checkpoint id and the commit id, which differ by design
      if (reflected == null || reflected.length != now.length
          || !Arrays.equals(reflected, 16, reflected.length, now, 16, now.length)) {
        return false;
      }
    }
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      OffsetAndMetadata c = committedOffsets.get(e.getKey());
      if (c == null || c.offset() != e.getValue().offset()) {
        return false;
      }
    }
    return !written.isEmpty() || !offsets.isEmpty();
  }

  /** A state or metadata record sent by a commit, and what it is (for the message when it is refused). */
  private record StateSend(String what, Future<RecordMetadata> future) {}

  /**
   * @return the error of an output record the cluster will refuse again whatever the next commit does (too
   *     large, a keyless record for a compacted topic, an invalid topic, not authorized for the topic), or null
   */
  private static RuntimeException refused(List<Future<RecordMetadata>> sends) {
    for (Future<RecordMetadata> f : sends) {
      if (!f.isDone()) {
        continue;
      }
      try {
        f.get();
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        // errors that belong to the record and come back with it, whatever the next commit does. An
        // aborted transaction fails its pending records with the transaction's own error (a stale
        // group generation, a fenced producer): those are not the record's, and pass next time
        if (c instanceof org.apache.kafka.common.errors.RecordTooLargeException
            || c instanceof org.apache.kafka.common.errors.RecordBatchTooLargeException
            || c instanceof org.apache.kafka.common.InvalidRecordException
            || c instanceof org.apache.kafka.common.errors.InvalidTopicException
            || c instanceof org.apache.kafka.common.errors.TopicAuthorizationException) {
          return (RuntimeException) c;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (java.util.concurrent.CancellationException e) {
        // not sent
      }
    }
    return null;
  }

  private void abort() {
    transactionOpen = false;
    try {
      producer.abortTransaction();
    } catch (KafkaException e) {
      LOG.warn("pipeline '{}': aborting a changelog transaction failed ({}); restarting the producer", pipeline,
          e.getMessage());
      producer.close(Duration.ZERO);
      producer = null;
      open(pipeline);
    }
  }

  private static byte[] encodeMeta(long checkpointId, long commitId, TaskPart part) {
    List<byte[]> ids = new ArrayList<>();
    int size = 8 + 8 + 4 + part.meta().length;
    for (String id : part.storeIds()) {
      byte[] b = id.getBytes(StandardCharsets.UTF_8);
      ids.add(b);
      size += 2 + b.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).putLong(checkpointId).putLong(commitId).putInt(ids.size());
    for (byte[] b : ids) {
      out.putShort((short) b.length).put(b);
    }
    return out.put(part.meta()).array();
  }

  /** Reads a partition from an offset to its last committed offset; returns the position reached. */
  private long readAll(TopicPartition tp, long from, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    return readAll(restoreConsumer(), tp, from, each);
  }

  private static long readAll(KafkaConsumer<byte[], byte[]> c, TopicPartition tp, long from,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    c.assign(List.of(tp));
    Long end = c.endOffsets(List.of(tp)).get(tp); // read_committed: the last stable offset
    if (end == null || end <= from) {
      return Math.max(from, end == null ? 0 : end);
    }
    Long begin = c.beginningOffsets(List.of(tp)).get(tp);
    c.seek(tp, Math.max(from, begin == null ? 0 : begin));
    long deadline = System.nanoTime() + RESTORE_TIMEOUT.toNanos();
    long lastLog = System.nanoTime();
    long read = 0;
    while (c.position(tp) < end) {
      for (ConsumerRecord<byte[], byte[]> r : c.poll(RESTORE_POLL)) {
        each.accept(r);
        read++;
      }
      if (System.nanoTime() - lastLog > 5_000_000_000L) {
        lastLog = System.nanoTime();
        LOG.info("restoring {}: {} records read, at offset {} of {}", tp, read, c.position(tp), end);
      }
      if (System.nanoTime() > deadline) {
        throw new StateException("restoring " + tp + " did not reach offset " + end + " within " + RESTORE_TIMEOUT);
      }
    }
    return c.position(tp);
  }

  private KafkaConsumer<byte[], byte[]> restoreConsumer() {
    if (restoreConsumer == null) {
      restoreConsumer = newRestoreConsumer();
    }
    return restoreConsumer;
  }

  private KafkaConsumer<byte[], byte[]> newRestoreConsumer() {
    Map<String, Object> p = new HashMap<>(clientProps);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(java.util.Locale.ROOT));
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20); // a restore reads to a known end: no long polls
    // one partition at a time, read to its end: large fetches, fewer round trips between parsing
    p.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
    p.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 << 20);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    int n = restoreConsumers.incrementAndGet();
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, pipeline + "-" + sourceName + "-restore" + (n == 1 ? "" : "-" + n));
    return new KafkaConsumer<>(p);
  }

  @Override
  public void close() {
    ahead.close();
    if (transactionOpen && producer != null) {
      transactionOpen = false;
      try {
        producer.abortTransaction(); // records written ahead would hold back read_committed readers until its timeout
      } catch (KafkaException | IllegalStateException e) {
        LOG.debug("pipeline '{}': aborting the open transaction at close failed: {}", pipeline, e.toString());
      }
    }
    if (restoreConsumer != null) {
      restoreConsumer.close(Duration.ofSeconds(5));
      restoreConsumer = null;
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(10));
      producer = null;
    }
  }
}
