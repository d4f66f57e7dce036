package io.nip.bench.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import io.nip.examples.analytics.UserWindowSummary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Exercise 1 on Kafka Streams: the same job as nip-examples' {@code AnalyticsPipeline}, as a
 * topology. Events are parsed by the same strict parser ({@link AnalyticsEventSerde}) into the same
 * {@link AnalyticsEvent}; event time comes from the event; bots are dropped; the input is already keyed by user, so {@code groupByKey} needs no
 * repartition topic; 5-minute windows with 30 s grace aggregate into a {@link Stats} kept in an
 * in-memory window store, or in the DSL's default RocksDB window store (record cache at its default); every update that leaves the cache is
 * written as a {@link UserWindowSummary} (same JSON) to the output topic. The filter counts the records it sees, so the runner knows
 * when the whole input was processed.
 */
final class StreamsAnalyticsJob {
  private static final ObjectMapper MAPPER = io.nip.serde.Serdes.objectMapper();
  private static final Duration SIZE = Duration.ofMinutes(5);
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final String STORE = "user-window-stats";

  private StreamsAnalyticsJob() {}

  /**
   * @param state {@code MEMORY}: {@code Stores.inMemoryWindowStore}; {@code ROCKSDB}: the DSL's default
   *     store, a RocksDB (timestamped, segmented) window store, with the same retention (size + grace)
   */
  static Topology topology(String input, String output, LongAdder seen, BenchState state) {
    AnalyticsEventSerde parser = new AnalyticsEventSerde();
    Serde<AnalyticsEvent> events = Serdes.serdeFrom((t, e) -> parser.serialize(e), (t, b) -> parser.deserialize(b));
    TimestampExtractor eventTime = (r, previous) -> ((AnalyticsEvent) r.value()).eventTime().toEpochMilli();
    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(Serdes.String(), events).withTimestampExtractor(eventTime))
        .filter((user, e) -> {
          seen.increment();
          return !e.isBot();
        })
        .groupByKey(Grouped.with(Serdes.String(), events))
        .windowedBy(TimeWindows.ofSizeAndGrace(SIZE, GRACE))
        .aggregate(Stats::new, (user, e, s) -> s.add(e), (state == BenchState.ROCKSDB
            ? Materialized.<String, Stats, WindowStore<Bytes, byte[]>>as(STORE)
            : Materialized.<String, Stats>as(Stores.inMemoryWindowStore(STORE, SIZE.plus(GRACE), SIZE, false)))
                .withKeySerde(Serdes.String()).withValueSerde(new StatsSerde()))
        .toStream()
        .map((w, s) -> KeyValue.pair(w.key(), UserWindowSummary.SERDE.serialize(new UserWindowSummary(w.key(),
            w.window().startTime(), w.window().endTime(), s.count, s.types.size(), s.sum))))
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
    return b.build();
  }

  static Properties config(String bootstrap, String applicationId, int threads, Path stateDir) {
    return config(bootstrap, applicationId, threads, stateDir, false);
  }

  /** Like {@link #config(String, String, int, Path)}, with exactly_once_v2 when asked (its commit interval at its default, 100 ms). */
  static Properties config(String bootstrap, String applicationId, int threads, Path stateDir, boolean exactlyOnce) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2
        : StreamsConfig.AT_LEAST_ONCE);
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    p.put("processing.exception.handler.global.enabled", true);
    return p;
  }

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static <T> T read(byte[] bytes, Class<T> type) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The aggregate of one user's window: event count, event types seen, value sum. */
  static final class Stats {
    long count;
    double sum;
    final Set<String> types = new HashSet<>();

    Stats add(AnalyticsEvent e) {
      count++;
      sum += e.value();
      types.add(e.eventType());
      return this;
    }
  }

  /** {@link Stats} as count, sum, number of types, then each type. */
  static final class StatsSerde implements Serde<Stats> {
    @Override
    public org.apache.kafka.common.serialization.Serializer<Stats> serializer() {
      return (topic, s) -> {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
          out.writeLong(s.count);
          out.writeDouble(s.sum);
          out.writeShort(s.types.size());
          for (String t : s.types) {
            out.writeUTF(t);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
      };
    }

    @Override
    public org.apache.kafka.common.serialization.Deserializer<Stats> deserializer() {
      return (topic, b) -> {
        if (b == null) {
          return null;
        }
        Stats s = new Stats();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
          s.count = in.readLong();
          s.sum = in.readDouble();
          int n = in.readShort();
          for (int i = 0; i < n; i++) {
            s.types.add(in.readUTF());
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return s;
      };
    }
  }
}
