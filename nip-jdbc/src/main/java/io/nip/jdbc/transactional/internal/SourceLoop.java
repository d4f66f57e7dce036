package io.nip.jdbc.transactional.internal;

import io.nip.errors.ConnectorException;
import io.nip.errors.UserCodeException;
import io.nip.event.Headers;
import io.nip.jdbc.transactional.IsolationLevel;
import io.nip.jdbc.transactional.SourceRecord;
import io.nip.jdbc.transactional.TransactionalHandler;
import io.nip.serde.Serde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's consuming side: reads the source topics ({@code read_committed}) from the
 * positions stored in PostgreSQL and runs the handler for each record in one {@link EventTransaction}
 * bound to the record's position.
 *
 * <p>Design: Kafka's consumer-group offsets play no part. Every partition of the source topics is
 * assigned to this one consumer, and each is sought to the position committed with the last applied
 * event (or the beginning), so the positions and the effects can never disagree. Offsets out of
 * range (retention deleted records the processor had not read) stop the processor rather than
 * skipping them.
 *
 * <p>Failures of one event: a transient database failure ({@link SqlFailures}) runs the event again
 * after a backoff without counting; any other failure (the handler's, a refused statement) counts as
 * an attempt; after the configured retries the event goes, with its position, to the dead-letter
 * topic through the outbox (exactly once, like any output), or, when none is set, stops the
 * processor with the failure. A value that cannot be deserialized is not retried.
 *
 * <p>Threading: {@link #run()} on the processor's source thread; {@link #stop()} from any thread.
 *
 * @param <V> the source value type
 */
public final class SourceLoop<V> implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(SourceLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  /** The loop's settings, as the processor's builder validated them. */
  public record Settings(String processor, Map<String, Object> clientProps, List<String> topics, IsolationLevel isolation,
      int retries, Duration retryBackoff, String deadLetterTopic, boolean bounded) {}

  private final Settings settings;
  private final Serde<V> serde;
  private final TransactionalHandler<V> handler;
  private final OutboxStore store;
  private final LongConsumer onCommit;
  private final ProcessorHooks hooks;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean stop;
  private long lastWarning;

  /**
   * @param settings the settings
   * @param serde deserializes source values
   * @param handler the user's handler
   * @param store the processor's tables
   * @param onCommit told after a commit that wrote outbox rows (wakes the relay)
   * @param hooks test hooks
   */
  public SourceLoop(Settings settings, Serde<V> serde, TransactionalHandler<V> handler, OutboxStore store,
      LongConsumer onCommit, ProcessorHooks hooks) {
    this.settings = settings;
    this.serde = serde;
    this.handler = handler;
    this.store = store;
    this.onCommit = onCommit;
    this.hooks = hooks;
  }

  /** Ends {@link #run()} at the next record; the current event's transaction finishes or rolls back. */
  public void stop() {
    stop = true;
    stopped.countDown();
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
  }

  /**
   * Runs until stopped or, when bounded, until every partition reached the end offset it had when
   * the loop started.
   *
   * @throws UserCodeException when an event failed after its retries and no dead-letter topic is set
   * @throws ConnectorException when Kafka or the database failed for good
   */
  @Override
  public void run() {
    Map<String, Object> props = new HashMap<>(settings.clientProps());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "nip-tx-source-" + settings.processor());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      consumer = c;
      if (stop) {
        return;
      }
      List<TopicPartition> partitions = assign(c);
      Map<TopicPartition, Long> ends = settings.bounded() ? c.endOffsets(partitions) : Map.of();
      while (!stop) {
        if (settings.bounded() && reachedEnds(c, ends)) {
          return;
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
          if (stop) {
            return;
          }
          process(r);
        }
      }
    } catch (WakeupException e) {
      if (!stop) {
        throw e;
      }
    } catch (OffsetOutOfRangeException e) {
      throw new ConnectorException("transactional processor '" + settings.processor() + "': the stored positions "
          + e.offsetOutOfRangePartitions() + " are no longer in the source (retention deleted records it had not"
          + " read); refusing to skip them", e);
    } finally {
      consumer = null;
    }
  }

  private List<TopicPartition> assign(KafkaConsumer<byte[], byte[]> c) {
    List<TopicPartition> partitions = new ArrayList<>();
    for (String topic : settings.topics()) {
      List<PartitionInfo> infos = c.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new ConnectorException("transactional processor '" + settings.processor() + "': source topic '" + topic
            + "' does not exist");
      }
      infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
    }
    c.assign(partitions);
    Map<TopicPartition, Long> positions = store.positions();
    List<TopicPartition> fresh = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Long next = positions.get(tp);
      if (next == null) {
        fresh.add(tp);
      } else {
        c.seek(tp, next);
      }
    }
    c.seekToBeginning(fresh);
    return partitions;
  }

  private static boolean reachedEnds(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (c.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void process(ConsumerRecord<byte[], byte[]> r) {
    SourceRecord<V> event;
    try {
      event = new SourceRecord<>(r.topic(), r.partition(), r.offset(),
          r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8), serde.deserialize(r.value()),
          headersOf(r), Instant.ofEpochMilli(r.timestamp()));
    } catch (RuntimeException e) {
      deadLetter(r, e, 0);
      return;
    }
    Duration backoff = settings.retryBackoff();
    Duration transientBackoff = Duration.ofMillis(20);
    for (int attempts = 1; ; ) {
      try {
        runOnce(event);
        return;
      } catch (Exception e) {
        if (stop) {
          return;
        }
        if (SqlFailures.transientFailure(e)) {
          warn("event " + where(r) + " met a transient database failure, running it again: " + SqlFailures.describe(e));
          transientBackoff = pause(transientBackoff);
          continue;
        }
        if (attempts > settings.retries()) {
          deadLetter(r, e, attempts);
          return;
        }
        warn("event " + where(r) + " failed (attempt " + attempts + " of " + (settings.retries() + 1) + "), rolled back: "
            + SqlFailures.describe(e));
        attempts++;
        pause(backoff);
      }
    }
  }

  private void runOnce(SourceRecord<V> event) throws Exception {
    try (EventTransaction tx = EventTransaction.begin(store, settings.isolation(), event.topic(), event.partition(),
        event.offset(), true, onCommit)) {
      if (tx.alreadyApplied()) {
        return;
      }
      handler.handle(event, tx);
      tx.commitNow();
    }
    hooks.afterDatabaseCommit(event.topic(), event.partition(), event.offset());
  }

  /** Writes the dead letter and the event's position in one transaction, or fails the processor. */
  private void deadLetter(ConsumerRecord<byte[], byte[]> r, Exception error, int attempts) {
    if (settings.deadLetterTopic() == null) {
      if (attempts == 0) {
        throw new ConnectorException("transactional processor '" + settings.processor() + "': record " + where(r)
            + " could not be deserialized and no dead-letter topic is set: " + error.getMessage(), error);
      }
      throw new UserCodeException("transactional handler of " + settings.processor() + " at record " + where(r)
          + " (" + attempts + " attempts, no dead-letter topic set)", error);
    }
    warn("event " + where(r) + " goes to dead-letter topic " + settings.deadLetterTopic() + " after " + attempts
        + " attempt(s): " + SqlFailures.describe(error));
    Duration backoff = Duration.ofMillis(20);
    while (!stop) {
      try (EventTransaction tx = EventTransaction.begin(store, settings.isolation(), r.topic(), r.partition(),
          r.offset(), false, onCommit)) {
        if (!tx.alreadyApplied()) {
          tx.emitInternal(new OutboxRecord(settings.deadLetterTopic(), r.key(), r.value(), deadLetterHeaders(r, error,
              attempts)));
          tx.commitNow();
        }
        return;
      } catch (java.sql.SQLException e) {
        if (!SqlFailures.transientFailure(e)) {
          throw store.failure("could not write the dead letter of " + where(r), e);
        }
        backoff = pause(backoff);
      }
    }
  }

  private Headers deadLetterHeaders(ConsumerRecord<byte[], byte[]> r, Exception error, int attempts) {
    Throwable cause = error instanceof UserCodeException && error.getCause() != null ? error.getCause() : error;
    return Headers.builder().addAll(headersOf(r))
        .add("nip.error.class", cause.getClass().getName())
        .add("nip.error.message", String.valueOf(cause.getMessage()))
        .add("nip.processor", settings.processor())
        .add("nip.source", r.topic())
        .add("nip.partition", Integer.toString(r.partition()))
        .add("nip.offset", Long.toString(r.offset()))
        .add("nip.attempts", Integer.toString(attempts))
        .build();
  }

  private static Headers headersOf(ConsumerRecord<byte[], byte[]> r) {
    if (!r.headers().iterator().hasNext()) {
      return Headers.EMPTY;
    }
    Headers.Builder b = Headers.builder();
    for (Header h : r.headers()) {
      b.add(h.key(), h.value());
    }
    return b.build();
  }

  private static String where(ConsumerRecord<?, ?> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }

  private Duration pause(Duration backoff) {
    try {
      stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
    Duration next = backoff.multipliedBy(2);
    return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
  }

  private void warn(String message) {
    long now = System.nanoTime();
    if (lastWarning == 0 || now - lastWarning > TimeUnit.SECONDS.toNanos(10)) {
      lastWarning = now;
      LOG.warn("transactional processor '{}': {}", settings.processor(), message);
    } else {
      LOG.debug("transactional processor '{}': {}", settings.processor(), message);
    }
  }
}
