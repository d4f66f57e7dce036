package io.nip.jdbc.transactional.internal;

import io.nip.errors.ConnectorException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves committed outbox rows to Kafka, exactly once each, in sequence order.
 *
 * <p>Design: each batch goes out in one Kafka transaction together with a record of the relay's
 * position (the batch's last sequence number) in a compacted one-partition position topic; so the
 * records and the position become visible together or not at all. The outbox rows are deleted only
 * after the commit, and a failed or missed delete is harmless: at start, and after any Kafka
 * failure, the relay reads its position back ({@code read_committed}) and carries on after it,
 * deleting what is at or below it. The transactional id is stable per processor, so a new relay's
 * {@code initTransactions} fences a dead or stuck predecessor and resolves its open transaction
 * before the position is read. When a commit's outcome is unknown (a timeout), the producer is
 * replaced and the position read again: whatever Kafka says was committed counts.
 *
 * <p>Invariant checked on every batch: the rows are numbered {@code relayed + 1, relayed + 2, ...}
 * without a gap ({@link TxTables} explains why the numbers are gap-free and commit-ordered); a gap
 * stops the relay with an error rather than skipping anything. At start, a position beyond the last
 * number handed out stops it too: the tables are older than the topic, and new rows would be taken
 * for relayed ones.
 *
 * <p>Threading: {@link #run()} on the relay's own thread; {@link #signal()}, {@link #finishWhenDrained()},
 * {@link #stopNow()} and {@link #relayed()} from any thread.
 */
public final class Relay implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
  private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final String processor;
  private final OutboxStore store;
  private final Map<String, Object> clientProps;
  private final String transactionalId;
  private final String positionTopic;
  private final int batchSize;
  private final Duration idlePoll;
  private final ProcessorHooks hooks;
  private final Semaphore wake = new Semaphore(0);
  private volatile boolean finishWhenDrained;
  private volatile boolean stop;
  private volatile long relayed = -1;
  private KafkaProducer<byte[], byte[]> producer;
  private long lastWarning;

  /**
   * @param processor the processor name, for messages and the position record's key
   * @param store the outbox
   * @param clientProps bootstrap servers and other client settings (security ...)
   * @param transactionalId the producer's transactional id, stable per processor
   * @param positionTopic the compacted topic holding the relay position (created if missing)
   * @param batchSize the most rows per Kafka transaction
   * @param idlePoll how long to wait for new rows before looking again
   * @param hooks test hooks
   */
  public Relay(String processor, OutboxStore store, Map<String, Object> clientProps, String transactionalId,
      String positionTopic, int batchSize, Duration idlePoll, ProcessorHooks hooks) {
    this.processor = processor;
    this.store = store;
    this.clientProps = Map.copyOf(clientProps);
    this.transactionalId = transactionalId;
    this.positionTopic = positionTopic;
    this.batchSize = batchSize;
    this.idlePoll = idlePoll;
    this.hooks = hooks;
  }

  /** New outbox rows were committed: look now rather than after the idle poll. */
  public void signal() {
    if (wake.availablePermits() == 0) {
      wake.release();
    }
  }

  /** End {@link #run()} once every committed outbox row has been relayed. */
  public void finishWhenDrained() {
    finishWhenDrained = true;
    signal();
  }

  /** End {@link #run()} after the current batch, relayed or not. */
  public void stopNow() {
    stop = true;
    signal();
  }

  /** @return the last sequence number known committed to Kafka, or -1 before the relay has read its position */
  public long relayed() {
    return relayed;
  }

  /**
   * Relays until stopped or drained.
   *
   * @throws ConnectorException when the relay was fenced by another one, found a gap in the
   *     outbox, or Kafka refused it for good (authorization, an unsupported broker)
   */
  @Override
  public void run() {
    try {
      createPositionTopic();
      resetProducer();
      checkNotAhead();
      deleteRelayed();
      Duration backoff = Duration.ofMillis(50);
      while (!stop) {
        List<OutboxRow> rows;
        try {
          rows = store.readBatch(relayed, batchSize);
        } catch (SQLException e) {
          warn("could not read the outbox " + store.tables().outbox() + ", retrying: " + SqlFailures.describe(e));
          backoff = pause(backoff);
          continue;
        }
        if (rows.isEmpty()) {
          if (finishWhenDrained && drained()) {
            return;
          }
          awaitSignal();
          continue;
        }
        checkContiguous(rows);
        try {
          ship(rows);
          backoff = Duration.ofMillis(50);
        } catch (ProducerFencedException | AuthorizationException | UnsupportedVersionException e) {
          throw new ConnectorException("transactional processor '" + processor + "': the relay cannot go on: "
              + (e instanceof ProducerFencedException ? "another relay with transactional id '" + transactionalId
                  + "' took over (is a second instance of the processor running?)" : e.getMessage()), e);
        } catch (KafkaException e) {
          warn("a Kafka transaction of the relay failed, reading the committed position again: " + e);
          backoff = pause(backoff);
          resetProducer();
          continue;
        }
        deleteRelayed();
      }
    } finally {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
      }
    }
  }

  /** A relay position beyond every number handed out means the tables are older than the topic. */
  private void checkNotAhead() {
    long last;
    try {
      last = store.lastSequence();
    } catch (SQLException e) {
      throw store.failure("could not read the last outbox sequence number from " + store.tables().sequences(), e);
    }
    if (relayed > last) {
      throw new ConnectorException("transactional processor '" + processor + "': the relay position " + relayed
          + " in topic " + positionTopic + " is beyond the last outbox sequence number " + last + " in "
          + store.tables().sequences() + "; the database is older than Kafka (restored from a backup, or the"
          + " tables recreated?), and new records would be taken for relayed ones: refusing to start");
    }
  }

  private boolean drained() {
    try {
      return relayed >= store.lastSequence();
    } catch (SQLException e) {
      warn("could not read the last outbox sequence number: " + SqlFailures.describe(e));
      return false;
    }
  }

  private void checkContiguous(List<OutboxRow> rows) {
    long expected = relayed + 1;
    for (OutboxRow row : rows) {
      if (row.seq() != expected) {
        throw new ConnectorException("transactional processor '" + processor + "': outbox " + store.tables().outbox()
            + " has row " + row.seq() + " where " + expected + " was expected after the relay position " + relayed
            + " read from topic " + positionTopic + "; rows are never skipped, so the relay stops (was the position"
            + " topic deleted or recreated, or outbox rows deleted by hand?)");
      }
      expected++;
    }
  }

  private void ship(List<OutboxRow> rows) {
    long first = rows.get(0).seq();
    long last = rows.get(rows.size() - 1).seq();
    producer.beginTransaction();
    for (OutboxRow row : rows) {
      producer.send(new ProducerRecord<>(row.topic(), null, null, row.key(), row.value(), HeaderCodec.decode(row.headers())));
    }
    producer.send(new ProducerRecord<>(positionTopic, 0, processorKey(), ByteBuffer.allocate(8).putLong(last).array()));
    hooks.beforeKafkaCommit(first, last);
    producer.commitTransaction();
    relayed = last;
    hooks.afterKafkaCommit(last);
  }

  private void deleteRelayed() {
    try {
      store.deleteRelayed(relayed);
    } catch (SQLException e) {
      warn("could not delete relayed rows from " + store.tables().outbox() + " (they are skipped, and deleted"
          + " later): " + SqlFailures.describe(e));
    }
  }

  private byte[] processorKey() {
    return processor.getBytes(StandardCharsets.UTF_8);
  }

  /** Replaces the producer (fencing any predecessor, resolving its open transaction), then reads the position. */
  private void resetProducer() {
    Duration backoff = Duration.ofMillis(100);
    while (true) {
      if (producer != null) {
        producer.close(Duration.ZERO);
        producer = null;
      }
      try {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "nip-tx-relay-" + processor);
        producer = new KafkaProducer<>(props);
        producer.initTransactions();
        relayed = readPosition();
        return;
      } catch (ProducerFencedException | AuthorizationException | UnsupportedVersionException e) {
        throw new ConnectorException("transactional processor '" + processor + "': the relay cannot start: " + e, e);
      } catch (KafkaException e) {
        if (stop) {
          throw new ConnectorException("transactional processor '" + processor + "': stopped while the relay"
              + " could not reach Kafka: " + e, e);
        }
        warn("the relay could not start its transactional producer, retrying: " + e);
        backoff = pause(backoff);
      }
    }
  }

  /** The last position committed to the position topic: the last record of the one partition. */
  private long readPosition() {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "nip-tx-relay-position-" + processor);
    TopicPartition tp = new TopicPartition(positionTopic, 0);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.assign(List.of(tp));
      long begin = consumer.beginningOffsets(List.of(tp)).get(tp);
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      // each relay transaction adds one record and one marker; look back further until a record shows
      for (long window = 16; ; window *= 4) {
        long from = Math.max(begin, end - window);
        Long found = lastValueBetween(consumer, tp, from, end);
        if (found != null) {
          return found;
        }
        if (from == begin) {
          return 0;
        }
      }
    }
  }

  private Long lastValueBetween(KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long from, long end) {
    consumer.seek(tp, from);
    Long last = null;
    while (consumer.position(tp) < end) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < end && r.value() != null && r.value().length == 8
            && java.util.Arrays.equals(r.key(), processorKey())) {
          last = ByteBuffer.wrap(r.value()).getLong();
        }
      }
      if (stop) {
        throw new ConnectorException("transactional processor '" + processor + "': stopped while reading the relay"
            + " position from " + positionTopic);
      }
    }
    return last;
  }

  private void createPositionTopic() {
    try (Admin admin = Admin.create(new HashMap<>(clientProps))) {
      try {
        admin.createTopics(List.of(new NewTopic(positionTopic, Optional.of(1), Optional.empty())
            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
            .all().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new ConnectorException("transactional processor '" + processor + "': could not create the relay"
              + " position topic " + positionTopic + ": " + e.getCause(), e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new ConnectorException("transactional processor '" + processor + "': the relay position topic "
            + positionTopic + " was not created within " + TOPIC_READY_TIMEOUT, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ConnectorException("transactional processor '" + processor + "': interrupted", e);
      }
    }
  }

  private void awaitSignal() {
    try {
      if (wake.tryAcquire(idlePoll.toMillis(), TimeUnit.MILLISECONDS)) {
        wake.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop = true;
    }
  }

  private Duration pause(Duration backoff) {
    try {
      wake.tryAcquire(backoff.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop = true;
    }
    Duration next = backoff.multipliedBy(2);
    return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
  }

  private void warn(String message) {
    long now = System.nanoTime();
    if (now - lastWarning > TimeUnit.SECONDS.toNanos(10) || lastWarning == 0) {
      lastWarning = now;
      LOG.warn("transactional processor '{}': {}", processor, message);
    }
  }
}
