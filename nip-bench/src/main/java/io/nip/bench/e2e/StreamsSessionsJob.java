package io.nip.bench.e2e;

import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import io.nip.examples.sessions.SessionSummary;
import io.nip.examples.sessions.SessionsPipeline;
import io.nip.streaming.SessionIds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.SessionWindows;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.SessionStore;

/**
 * Exercise 2 on Kafka Streams: the same job as nip-examples' {@code SessionsPipeline}, as a
 * topology. Events are parsed by the same strict parser into the same {@link AnalyticsEvent}; event
 * time comes from the event; bots are kept; the input is keyed by user, so {@code groupByKey} needs
 * no repartition topic. {@code SessionWindows.ofInactivityGapAndGrace(30 min, 5 min)} (Kafka Streams'
 * inactivity gap: exactly 30 minutes continues a session, as in the exercise) aggregates each
 * session's steps (event time and type) in the DSL's default session store (RocksDB, with its
 * record cache), merging sessions an event bridges. Not {@code Stores.inMemorySessionStore}: it
 * indexes sessions by end time first, so each lookup of a key's sessions walks the end times of
 * every key's sessions in the retention (its stack shows {@code InMemorySessionStoreIterator.setAllIterators});
 * with 100,000 users a 250,000-event warm-up did not finish in 9 minutes. That would be a crippled peer. As Kafka Streams documents for results that are
 * final, {@code suppress(untilWindowCloses(unbounded()))} holds each session until stream time
 * passed its end plus the grace; then one {@link SessionSummary} (same JSON, same session id) is
 * written. Kafka Streams closes no session when the input ends (stream time stops), so its last
 * sessions are never written; the runner counts the records the first step saw to know when the
 * input was processed.
 */
final class StreamsSessionsJob {
  private static final Duration GAP = SessionsPipeline.GAP;
  private static final Duration GRACE = SessionsPipeline.ALLOWED_LATENESS;
  private static final String STORE = "user-sessions";

  private StreamsSessionsJob() {}

  /**
   * @param state NIP's backend in this run; Kafka Streams keeps its default session store either way
   */
  static Topology topology(String input, String output, LongAdder seen, BenchState state) {
    AnalyticsEventSerde parser = new AnalyticsEventSerde();
    Serde<AnalyticsEvent> events = Serdes.serdeFrom((t, e) -> parser.serialize(e), (t, b) -> parser.deserialize(b));
    TimestampExtractor eventTime = (r, previous) -> ((AnalyticsEvent) r.value()).eventTime().toEpochMilli();
    io.nip.serde.Serde<String> keySerde = SessionsPipeline.KEY_SERDE;
    StreamsBuilder b = new StreamsBuilder();
    b.stream(input, Consumed.with(Serdes.String(), events).withTimestampExtractor(eventTime))
        .peek((user, e) -> seen.increment())
        .groupByKey(Grouped.with(Serdes.String(), events))
        .windowedBy(SessionWindows.ofInactivityGapAndGrace(GAP, GRACE))
        .aggregate(Steps::new, (user, e, s) -> s.add(e.eventTime().toEpochMilli(), e.eventType()),
            (user, left, right) -> left.merge(right),
            Materialized.<String, Steps, SessionStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String()).withValueSerde(new StepsSerde()))
        .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
        .toStream()
        .filter((w, s) -> s != null)
        .map((w, s) -> KeyValue.pair(w.key(), SessionSummary.SERDE.serialize(s.summary(w.key(), keySerde))))
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
    return b.build();
  }

  /** A session's steps in arrival order: event times and types. */
  static final class Steps {
    final List<Long> times = new ArrayList<>();
    final List<String> types = new ArrayList<>();

    Steps add(long time, String type) {
      times.add(time);
      types.add(type);
      return this;
    }

    Steps merge(Steps other) {
      Steps m = new Steps();
      m.times.addAll(times);
      m.types.addAll(types);
      m.times.addAll(other.times);
      m.types.addAll(other.types);
      return m;
    }

    /** @return the exercise's summary: steps in event-time order (a stable sort keeps arrival order on ties) */
    SessionSummary summary(String user, io.nip.serde.Serde<String> keySerde) {
      List<Integer> order = new ArrayList<>(times.size());
      for (int i = 0; i < times.size(); i++) {
        order.add(i);
      }
      order.sort(Comparator.comparingLong(times::get));
      List<String> journey = new ArrayList<>(order.size());
      for (int i : order) {
        journey.add(types.get(i));
      }
      Instant start = Instant.ofEpochMilli(times.get(order.get(0)));
      Instant end = Instant.ofEpochMilli(times.get(order.get(order.size() - 1)));
      return new SessionSummary(user, SessionIds.of(keySerde, user, start), start, end,
          Duration.between(start, end).toMillis() / 1000.0, journey.size(), journey.get(0),
          journey.get(journey.size() - 1), journey, false, List.of(), 0);
    }
  }

  /** {@link Steps} as a count, then each step's time and type. */
  static final class StepsSerde implements Serde<Steps> {
    @Override
    public org.apache.kafka.common.serialization.Serializer<Steps> serializer() {
      return (topic, s) -> {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 24 * s.times.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
          out.writeInt(s.times.size());
          for (int i = 0; i < s.times.size(); i++) {
            out.writeLong(s.times.get(i));
            out.writeUTF(s.types.get(i));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
      };
    }

    @Override
    public org.apache.kafka.common.serialization.Deserializer<Steps> deserializer() {
      return (topic, b) -> {
        if (b == null) {
          return null;
        }
        Steps s = new Steps();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
          int n = in.readInt();
          for (int i = 0; i < n; i++) {
            s.add(in.readLong(), in.readUTF());
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return s;
      };
    }
  }
}
