package io.nip.examples.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.nip.errors.ConnectorException;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Feeds exercise 1's input topic: realistic generated user events, or lines given by the caller,
 * written as they are (bytes unchanged) with the {@code user_id} as key when there is one.
 *
 * <pre>{@code
 * UserEventFeed.Spec spec = UserEventFeed.Spec.defaults(100_000);
 * try (UserEventFeed feed = UserEventFeed.open(servers, "user-events")) {
 *   UserEventFeed.generate(spec, feed::send);
 * }
 * }</pre>
 *
 * <p>Generated events: {@code users} users ({@code user_0 ..}), a share of bot traffic
 * ({@code bot_0 .. bot_499}), the tutorial's eight event types, event times spread evenly over
 * {@code span} from {@code start}, each up to {@code jitter} earlier than its slot (so disorder
 * stays below the default 30 s bound), and {@code properties.value} a number with two decimals.
 */
public final class UserEventFeed implements AutoCloseable {
  /** The tutorial's event types. */
  public static final List<String> EVENT_TYPES = List.of(
      "page_view", "click", "search", "add_to_cart", "view_checkout", "purchase", "signup", "logout");

  /**
   * The header {@link #sendLine(byte[], long, Consumer)} gives each record: the 1-based number of
   * its line in the input file, as decimal text. Dead letters keep it ({@link io.nip.examples.DeadLetterJson}'s
   * {@code line}).
   */
  public static final String LINE_HEADER = io.nip.examples.DeadLetterJson.LINE_HEADER;
  /** The producer's {@code max.request.size}: no record, key and headers included, is larger. */
  public static final int MAX_REQUEST_BYTES = 1024 * 1024;

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private long sent;

  private UserEventFeed(KafkaProducer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  /**
   * @param bootstrapServers the cluster
   * @param topic the input topic
   * @return a feed writing with a batching, idempotent producer
   */
  public static UserEventFeed open(String bootstrapServers, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
    return new UserEventFeed(new KafkaProducer<>(props), Objects.requireNonNull(topic, "topic"));
  }

  /**
   * Sends one record; asynchronous, failures surface in {@link #close()}.
   *
   * @param key the record key, or null
   * @param value the record value, unchanged
   */
  public void send(String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value),
        (RecordMetadata m, Exception e) -> {
          if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
    sent++;
  }

  /**
   * Sends one input line as it is, keyed by its {@code user_id} when it has a string one.
   *
   * @param line the line's bytes
   */
  public void sendLine(byte[] line) {
    send(keyOf(line), line);
  }

  /**
   * Sends one input line as it is, keyed by its {@code user_id} when it has a string one, with its
   * line number in the header {@value #LINE_HEADER}. Asynchronous: a record Kafka refuses as too
   * large is handed to {@code tooLarge} (on the producer's thread) instead of failing the feed;
   * other failures surface in {@link #close()}.
   *
   * <pre>{@code
   * feed.sendLine(bytes, 17, e -> rejected.add(17L));
   * }</pre>
   *
   * @param line the line's bytes
   * @param lineNumber its 1-based line number in the file
   * @param tooLarge called with Kafka's error when the record is larger than the producer or the
   *     topic accepts
   */
  public void sendLine(byte[] line, long lineNumber, Consumer<RecordTooLargeException> tooLarge) {
    Objects.requireNonNull(tooLarge, "tooLarge");
    String key = keyOf(line);
    RecordHeaders headers = new RecordHeaders();
    headers.add(LINE_HEADER, Long.toString(lineNumber).getBytes(StandardCharsets.UTF_8));
    producer.send(new ProducerRecord<>(topic, null, key == null ? null : key.getBytes(StandardCharsets.UTF_8), line,
        headers), (RecordMetadata m, Exception e) -> {
          if (e instanceof RecordTooLargeException tl) {
            tooLarge.accept(tl);
          } else if (e != null) {
            failure.compareAndSet(null, e);
          }
        });
    sent++;
  }

  /** @return records sent so far */
  public long sent() {
    return sent;
  }

  /**
   * Waits until every record is acknowledged and closes the producer.
   *
   * @throws ConnectorException when a record could not be written
   */
  @Override
  public void close() {
    try {
      producer.flush();
    } finally {
      producer.close(Duration.ofSeconds(30));
    }
    Exception e = failure.get();
    if (e != null) {
      throw new ConnectorException("cannot write to topic '" + topic + "': " + e.getMessage(), e);
    }
  }

  /**
   * @param line a JSON line, maybe malformed
   * @return its {@code user_id} when it is an object with a string {@code user_id}, else null
   */
  public static String keyOf(byte[] line) {
    try {
      JsonNode n = Serdes.objectMapper().readTree(line);
      JsonNode user = n == null ? null : n.get("user_id");
      return n != null && n.isObject() && user != null && user.isTextual() ? user.textValue() : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Generates events in event-time order (up to the jitter), calling {@code out} with key and value.
   *
   * @param spec what to generate
   * @param out receives each event's key ({@code user_id}) and JSON bytes
   */
  public static void generate(Spec spec, Keyed out) {
    SplittableRandom rnd = new SplittableRandom(spec.seed());
    long spanMs = spec.span().toMillis();
    long jitterMs = spec.jitter().toMillis();
    long startMs = spec.start().toEpochMilli();
    StringBuilder sb = new StringBuilder(192);
    for (long i = 0; i < spec.events(); i++) {
      String user = rnd.nextDouble() < spec.botRatio() ? "bot_" + rnd.nextInt(500) : "user_" + rnd.nextInt(spec.users());
      String type = EVENT_TYPES.get(rnd.nextInt(EVENT_TYPES.size()));
      long t = startMs + (long) ((double) spanMs * i / spec.events()) - (jitterMs == 0 ? 0 : rnd.nextLong(jitterMs));
      long cents = rnd.nextLong(20_000);
      sb.setLength(0);
      sb.append("{\"event_id\":\"e").append(i).append("\",\"user_id\":\"").append(user)
          .append("\",\"event_type\":\"").append(type).append("\",\"timestamp\":\"")
          .append(Instant.ofEpochMilli(t)).append("\",\"properties\":{\"value\":")
          .append(cents / 100).append('.').append(cents % 100 < 10 ? "0" : "").append(cents % 100).append("}}");
      out.accept(user, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Receives a generated record. */
  @FunctionalInterface
  public interface Keyed {
    /**
     * @param key the {@code user_id}
     * @param value the JSON line
     */
    void accept(String key, byte[] value);
  }

  /**
   * What to generate.
   *
   * @param events how many events
   * @param users distinct human users
   * @param botRatio share of events from {@code bot_*} users
   * @param seed random seed; the same spec gives the same events
   * @param start event time of the first slot
   * @param span event times are spread evenly over this duration
   * @param jitter each event is up to this much earlier than its slot
   */
  public record Spec(long events, int users, double botRatio, long seed, Instant start, Duration span,
      Duration jitter) {

    /**
     * @param events how many events
     * @return 10,000 users, 5% bots, seed 42, three hours from 2026-01-17T15:00:00Z, 20 s jitter
     */
    public static Spec defaults(long events) {
      return new Spec(events, 10_000, 0.05, 42, Instant.parse("2026-01-17T15:00:00Z"), Duration.ofHours(3),
          Duration.ofSeconds(20));
    }

    /**
     * @param s the seed
     * @return a copy with that seed
     */
    public Spec withSeed(long s) {
      return new Spec(events, users, botRatio, s, start, span, jitter);
    }

    /**
     * @param n the number of users
     * @return a copy with that many users
     */
    public Spec withUsers(int n) {
      return new Spec(events, n, botRatio, seed, start, span, jitter);
    }
  }
}
