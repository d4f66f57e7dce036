package io.nip.kafka.internal;

import io.nip.errors.ConnectorException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One {@link KafkaProducer} (thread-safe) shared by every writer of a sink: opened by the first
 * writer, closed by the last. Idempotent with {@code acks=all} unless the user overrides it. The
 * first asynchronous send failure is kept and thrown by the next send or flush, so a failed write
 * is never silently lost.
 */
public final class SharedProducer {
  private final String name;
  private final Map<String, Object> props;
  private KafkaProducer<byte[], byte[]> producer;
  private int handles;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  /**
   * @param name sink name, for messages
   * @param props producer settings
   */
  public SharedProducer(String name, Map<String, Object> props) {
    this.name = name;
    Map<String, Object> cfg = new HashMap<>(props);
    cfg.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
    cfg.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    cfg.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 5);
    cfg.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    cfg.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
    cfg.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    cfg.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    this.props = cfg;
  }

  /**
   * @param toRecord turns a value into the record to send
   * @param <T> value type
   * @return a sink writer for one task, on a handle of this producer
   */
  public <T> io.nip.sink.SinkWriter<T> writer(java.util.function.Function<T, ProducerRecord<byte[], byte[]>> toRecord) {
    Handle handle = open();
    return new io.nip.sink.SinkWriter<>() {
      @Override
      public void write(T value) {
        handle.send(toRecord.apply(value));
      }

      @Override
      public void flush() {
        handle.flush();
      }

      @Override
      public void close() {
        handle.close();
      }
    };
  }

  /**
   * A writer for one task: under exactly-once (the task offers a {@link io.nip.sink.TransactionalOutput})
   * the records go into the checkpoint's transaction of the pipeline's Kafka changelog, else to
   * this shared producer.
   *
   * @param context the task
   * @param toRecord turns a value into the record to send
   * @param <T> value type
   * @return the writer
   * @throws io.nip.errors.ConfigurationException under exactly-once when the pipeline's checkpoints
   *     do not commit to a Kafka changelog on this sink's cluster
   */
  public <T> io.nip.sink.SinkWriter<T> writer(io.nip.sink.SinkContext context,
      java.util.function.Function<T, ProducerRecord<byte[], byte[]>> toRecord) {
    io.nip.sink.TransactionalOutput out = context.transactionalOutput();
    if (out == null) {
      return writer(toRecord);
    }
    KafkaStateChangelog changelog = KafkaStateChangelog.committerFor(out, name,
        String.valueOf(props.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)));
    int max = changelog.maxRecordBytes();
    return new io.nip.sink.SinkWriter<>() {
      @Override
      public void write(T value) {
        ProducerRecord<byte[], byte[]> r = toRecord.apply(value);
        if (r.timestamp() == null) {
          // stamped when the result is written, as the producer does at least once, not at the commit
          r = new ProducerRecord<>(r.topic(), r.partition(), System.currentTimeMillis(), r.key(), r.value(), r.headers());
        }
        long size = sizeOf(r);
        if (size > max) {
          throw new io.nip.errors.SerializationException("kafka sink '" + name + "': a record of " + size
              + " bytes is larger than the " + max + " bytes a record of the checkpoint's transaction may have "
              + "(the changelog producer's max.request.size less framing)", r.value(), null);
        }
        out.add(r, size);
      }

      @Override
      public void close() {}
    };
  }

  /**
   * @param r a record
   * @return its size as the producer counts it, roughly: key, value, headers and 64 bytes of framing
   */
  static long sizeOf(ProducerRecord<byte[], byte[]> r) {
    long size = 64L + (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
    for (org.apache.kafka.common.header.Header h : r.headers()) {
      size += 8 + h.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
          + (h.value() == null ? 0 : h.value().length);
    }
    return size;
  }

  /** @return a handle for one writer */
  public synchronized Handle open() {
    if (producer == null) {
      producer = new KafkaProducer<>(props);
    }
    handles++;
    return new Handle(producer);
  }

  private synchronized void release() {
    if (--handles == 0 && producer != null) {
      producer.close(Duration.ofSeconds(30));
      producer = null;
    }
  }

  private void check() {
    Exception e = failure.get();
    if (e != null) {
      throw new ConnectorException("kafka sink '" + name + "' failed to write: " + e.getMessage(), e);
    }
  }

  /** One writer's view of the shared producer. */
  public final class Handle {
    private final KafkaProducer<byte[], byte[]> p;
    private boolean closed;

    private Handle(KafkaProducer<byte[], byte[]> p) {
      this.p = p;
    }

    /** @param record sent asynchronously; a failure surfaces on a later call */
    public void send(ProducerRecord<byte[], byte[]> record) {
      check();
      p.send(record, (md, e) -> {
        if (e != null) {
          failure.compareAndSet(null, e);
        }
      });
    }

    /** Waits until every record sent so far is acknowledged. */
    public void flush() {
      p.flush();
      check();
    }

    /** Flushes and releases the producer. */
    public void close() {
      if (!closed) {
        closed = true;
        try {
          flush();
        } finally {
          release();
        }
      }
    }
  }
}
