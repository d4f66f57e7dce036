package io.nip.bench.e2e;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes the exercises' input: user events as JSON of about 180 bytes, keyed by user, from 10,000
 * users (exercise 1; {@link #SESSION_USERS} for exercise 2, so that users pause for more than 30
 * minutes now and then) of whom 500 are bots ({@code bot_*}), 8 event types, event time advancing
 * evenly over {@link #SPAN} (ending at the hour before the run) with up to 5 s of disorder.
 * Deterministic for a given seed.
 */
final class EventFeed {
  static final int USERS = 10_000;
  /** Users of exercise 2's input: 1,000,000 events give each about 10 over 3 hours, 2.7 sessions. */
  static final int SESSION_USERS = 100_000;
  private static final long SESSION_GAP_MILLIS = Duration.ofMinutes(30).toMillis();
  static final int BOTS = 500;
  static final Duration SPAN = Duration.ofHours(3);
  static final String[] TYPES = {"page_view", "click", "search", "add_to_cart", "remove_from_cart", "purchase",
      "login", "logout"};
  private static final long WINDOW_MILLIS = Duration.ofMinutes(5).toMillis();
  private static final String[] DEVICES = {"desktop", "mobile", "tablet"};

  /**
   * What was written.
   *
   * @param events records written
   * @param bytes value bytes written
   * @param bots records of bot users
   * @param userWindows distinct (non-bot user, 5-minute window) pairs: the exact number of final results
   * @param sessions sessions of all users (bots included) that more than 30 minutes of inactivity end:
   *     the exact number of exercise 2's results
   * @param elapsed time to write and flush
   */
  record Written(long events, long bytes, long bots, long userWindows, long sessions, Duration elapsed) {
    double averageBytes() {
      return events == 0 ? 0 : (double) bytes / events;
    }
  }

  private EventFeed() {}

  static Written write(String bootstrapServers, String topic, long events, long seed) {
    return write(bootstrapServers, topic, events, seed, USERS);
  }

  /**
   * @param users how many users the events are spread over (the first 500 are bots)
   * @return what was written
   */
  static Written write(String bootstrapServers, String topic, long events, long seed, int users) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024);
    Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(SPAN);
    long spanMillis = SPAN.toMillis();
    SplittableRandom rnd = new SplittableRandom(seed);
    long bytes = 0;
    long bots = 0;
    java.util.Set<Long> windows = new java.util.HashSet<>();
    // per event: user << 32 | time since base, sorted later to count the sessions
    long[] userTimes = new long[(int) Math.min(events, Integer.MAX_VALUE - 8)];
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      StringBuilder sb = new StringBuilder(256);
      for (long i = 0; i < events; i++) {
        int u = rnd.nextInt(users);
        boolean bot = u < BOTS;
        String user = userId(u);
        long t = base.toEpochMilli() + i * spanMillis / Math.max(1, events) + rnd.nextInt(5_000);
        sb.setLength(0);
        sb.append("{\"event_id\":\"evt-").append(String.format("%010d", i))
            .append("\",\"user_id\":\"").append(user)
            .append("\",\"event_type\":\"").append(TYPES[rnd.nextInt(TYPES.length)])
            .append("\",\"timestamp\":\"").append(Instant.ofEpochMilli(t))
            .append("\",\"properties\":{\"value\":").append(rnd.nextInt(50_000) / 100.0)
            .append(",\"page\":\"/products/").append(rnd.nextInt(5_000))
            .append("\",\"device\":\"").append(DEVICES[rnd.nextInt(DEVICES.length)])
            .append("\"}}");
        byte[] value = sb.toString().getBytes(StandardCharsets.UTF_8);
        bytes += value.length;
        if (i < userTimes.length) {
          userTimes[(int) i] = (long) u << 32 | (t - base.toEpochMilli());
        }
        if (bot) {
          bots++;
        } else {
          windows.add((long) u << 32 | (t / WINDOW_MILLIS));
        }
        producer.send(new ProducerRecord<>(topic, user, value), (md, e) -> {
          if (e != null) {
            throw new IllegalStateException("cannot write the input: " + e.getMessage(), e);
          }
        });
      }
      producer.flush();
    }
    return new Written(events, bytes, bots, windows.size(), sessions(userTimes),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * @param u a user's number, from 0
   * @return its {@code user_id} in the events: {@code bot_00042} for the first {@link #BOTS}, else {@code user_01234}
   */
  static String userId(int u) {
    return (u < BOTS ? "bot_" : "user_") + String.format("%05d", u);
  }

  /** @return the sessions in (user, time) pairs: a new one at each user's first event and after each gap over 30 min */
  private static long sessions(long[] userTimes) {
    long[] sorted = userTimes.clone();
    java.util.Arrays.sort(sorted);
    long n = 0;
    for (int i = 0; i < sorted.length; i++) {
      if (i == 0 || sorted[i] >>> 32 != sorted[i - 1] >>> 32
          || (sorted[i] & 0xFFFF_FFFFL) - (sorted[i - 1] & 0xFFFF_FFFFL) > SESSION_GAP_MILLIS) {
        n++;
      }
    }
    return n;
  }
}
