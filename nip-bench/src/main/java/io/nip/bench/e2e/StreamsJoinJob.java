package io.nip.bench.e2e;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The stream–table join of {@code nip bench join} on Kafka Streams: {@code builder.table(profiles)}
 * and {@code builder.stream(events).join(table, joiner).to(output)}. Events are parsed by the same
 * strict parser as NIP's side ({@link AnalyticsEventSerde}), with their event time as record time
 * (as in {@link StreamsAnalyticsJob}); profiles keep their record timestamps (written a day before
 * every event), so Kafka Streams' timestamp synchronisation reads the table first, as NIP's as-of
 * join does. The table's store is an in-memory key-value store, or the DSL's default (RocksDB,
 * timestamped) with its record cache at its default. Results are the same {@link Joined} JSON as
 * NIP's, keyed by user. The joiner counts the results, so the runner knows when all are there.
 */
final class StreamsJoinJob {
  static final String STORE = "profiles-store";

  private StreamsJoinJob() {}

  /**
   * A profile: the value of the compacted topic, keyed by {@code user_id}.
   *
   * @param userId the user
   * @param tier e.g. "gold"
   * @param country ISO 3166 code
   */
  @JsonPropertyOrder({"user_id", "tier", "country"})
  record Profile(@JsonProperty("user_id") String userId, @JsonProperty("tier") String tier,
      @JsonProperty("country") String country) {}

  /**
   * A joined result, written as JSON by both sides.
   *
   * @param eventId the event's id
   * @param userId the user (the join key)
   * @param eventType what happened
   * @param timestamp the event time, ISO-8601
   * @param value the event's {@code properties.value}
   * @param tier the profile's tier
   * @param country the profile's country
   */
  @JsonPropertyOrder({"event_id", "user_id", "event_type", "timestamp", "value", "tier", "country"})
  record Joined(@JsonProperty("event_id") String eventId, @JsonProperty("user_id") String userId,
      @JsonProperty("event_type") String eventType, @JsonProperty("timestamp") String timestamp,
      @JsonProperty("value") double value, @JsonProperty("tier") String tier,
      @JsonProperty("country") String country) {
    static Joined of(AnalyticsEvent e, Profile p) {
      return new Joined(e.eventId(), e.userId(), e.eventType(), e.eventTime().toString(), e.value(), p.tier(),
          p.country());
    }
  }

  /**
   * @param events the events topic
   * @param profiles the compacted profiles topic
   * @param output where results go
   * @param joined counts the results
   * @param state {@code MEMORY}: {@code Stores.inMemoryKeyValueStore}; {@code ROCKSDB}: the DSL's default store
   * @return the topology
   */
  static Topology topology(String events, String profiles, String output, LongAdder joined, BenchState state) {
    AnalyticsEventSerde parser = new AnalyticsEventSerde();
    Serde<AnalyticsEvent> eventSerde = Serdes.serdeFrom((t, e) -> parser.serialize(e), (t, b) -> parser.deserialize(b));
    Serde<Profile> profileSerde = Serdes.serdeFrom((t, p) -> StreamsAnalyticsJob.write(p),
        (t, b) -> b == null ? null : StreamsAnalyticsJob.read(b, Profile.class));
    TimestampExtractor eventTime = (r, previous) -> ((AnalyticsEvent) r.value()).eventTime().toEpochMilli();
    StreamsBuilder b = new StreamsBuilder();
    KTable<String, Profile> table = b.table(profiles, Consumed.with(Serdes.String(), profileSerde),
        (state == BenchState.ROCKSDB
            ? Materialized.<String, Profile, KeyValueStore<Bytes, byte[]>>as(STORE)
            : Materialized.<String, Profile>as(Stores.inMemoryKeyValueStore(STORE)))
            .withKeySerde(Serdes.String()).withValueSerde(profileSerde));
    b.stream(events, Consumed.with(Serdes.String(), eventSerde).withTimestampExtractor(eventTime))
        .join(table, (e, p) -> {
          joined.increment();
          return StreamsAnalyticsJob.write(Joined.of(e, p));
        })
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()));
    return b.build();
  }
}
