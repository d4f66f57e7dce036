package io.nip.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nip.bench.avro.BenchEventAvro;
import io.nip.bench.proto.BenchEventProto;
import io.nip.examples.analytics.AnalyticsEvent;
import io.nip.examples.analytics.AnalyticsEventSerde;
import io.nip.examples.analytics.AnalyticsSchema;
import io.nip.schema.AvroSerdes;
import io.nip.schema.ProtobufSerdes;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Deserialization of exercise 1's input event in each format, the same {@link #RECORDS} events
 * each time: Jackson JSON (the peer: the strict parser NIP's exercise 1 uses, and Jackson data
 * binding), the same JSON checked against exercise 1's JSON Schema first, Avro (specific and
 * generic records, bare binary) and Protobuf (a generated message). The events are those
 * {@code nip bench analytics} writes (about 180 bytes of JSON each): event id, user, type,
 * timestamp, and {@code properties} value, page and device.
 *
 * <p>Scores are records per second ({@code @OperationsPerInvocation}); results read as ratios to
 * {@link #jsonStrictParser} of the same run. Every benchmark hands the event type and the timestamp
 * of each record to the {@link Blackhole}, so that each format's decoding of them is paid for.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(SerdeBenchmark.RECORDS)
@State(Scope.Benchmark)
public class SerdeBenchmark {
  /** Records per invocation. */
  public static final int RECORDS = 10_000;
  private static final String[] TYPES = {"page_view", "click", "search", "add_to_cart", "remove_from_cart",
      "purchase", "login", "logout"};
  private static final String[] DEVICES = {"desktop", "mobile", "tablet"};

  /** Exercise 1's event for Jackson data binding: the fields of the JSON line. */
  record JsonEvent(@JsonProperty("event_id") String eventId, @JsonProperty("user_id") String userId,
      @JsonProperty("event_type") String eventType, Instant timestamp, Map<String, Object> properties) {}

  private byte[][] json;
  private byte[][] avro;
  private byte[][] proto;

  private final Serde<AnalyticsEvent> strict = new AnalyticsEventSerde();
  private final Serde<AnalyticsEvent> validated = AnalyticsSchema.validatingSerde();
  private final Serde<JsonEvent> databind = Serdes.json(JsonEvent.class);
  private final Serde<BenchEventAvro> avroSpecific = AvroSerdes.binary(BenchEventAvro.class);
  private final Serde<GenericRecord> avroGeneric = AvroSerdes.binary(BenchEventAvro.getClassSchema());
  private final Serde<BenchEventProto> protobuf = ProtobufSerdes.of(BenchEventProto.class);

  /** Builds the events once per trial, with a fixed seed, in all three formats. */
  @Setup(Level.Trial)
  public void buildData() {
    SplittableRandom rnd = new SplittableRandom(42);
    json = new byte[RECORDS][];
    avro = new byte[RECORDS][];
    proto = new byte[RECORDS][];
    long base = Instant.parse("2026-01-17T17:00:00Z").toEpochMilli();
    long jsonBytes = 0;
    long avroBytes = 0;
    long protoBytes = 0;
    for (int i = 0; i < RECORDS; i++) {
      int u = rnd.nextInt(10_000);
      String id = String.format("evt-%010d", i);
      String user = (u < 500 ? "bot_" : "user_") + String.format("%05d", u);
      String type = TYPES[rnd.nextInt(TYPES.length)];
      long t = base + i * 1_000L + rnd.nextInt(5_000);
      double value = rnd.nextInt(50_000) / 100.0;
      String page = "/products/" + rnd.nextInt(5_000);
      String device = DEVICES[rnd.nextInt(DEVICES.length)];
      json[i] = ("{\"event_id\":\"" + id + "\",\"user_id\":\"" + user + "\",\"event_type\":\"" + type
          + "\",\"timestamp\":\"" + Instant.ofEpochMilli(t) + "\",\"properties\":{\"value\":" + value
          + ",\"page\":\"" + page + "\",\"device\":\"" + device + "\"}}").getBytes(StandardCharsets.UTF_8);
      avro[i] = avroSpecific.serialize(new BenchEventAvro(id, user, type, Instant.ofEpochMilli(t), value, page, device));
      proto[i] = protobuf.serialize(BenchEventProto.newBuilder().setEventId(id).setUserId(user).setEventType(type)
          .setTimestampMillis(t).setValue(value).setPage(page).setDevice(device).build());
      jsonBytes += json[i].length;
      avroBytes += avro[i].length;
      protoBytes += proto[i].length;
    }
    System.err.printf("bytes per record: JSON %.1f, Avro %.1f, Protobuf %.1f%n", (double) jsonBytes / RECORDS,
        (double) avroBytes / RECORDS, (double) protoBytes / RECORDS);
    checkSame();
  }

  /** Fails the trial when the formats do not decode to the same events. */
  private void checkSame() {
    for (int i : List.of(0, RECORDS / 2, RECORDS - 1)) {
      AnalyticsEvent j = strict.deserialize(json[i]);
      BenchEventAvro a = avroSpecific.deserialize(avro[i]);
      BenchEventProto p = protobuf.deserialize(proto[i]);
      if (!j.eventType().equals(a.getEventType()) || !j.eventType().equals(p.getEventType())
          || !j.eventTime().equals(a.getTimestamp()) || j.eventTime().toEpochMilli() != p.getTimestampMillis()) {
        throw new IllegalStateException("the formats disagree on record " + i);
      }
    }
  }

  /** The peer: exercise 1's strict streaming parser (Jackson's token stream, no tree). */
  @Benchmark
  public void jsonStrictParser(Blackhole bh) {
    for (byte[] b : json) {
      AnalyticsEvent e = strict.deserialize(b);
      bh.consume(e.eventType());
      bh.consume(e.eventTime());
    }
  }

  /** The strict parser behind a JSON Schema check ({@code AnalyticsSchema.validatingSerde()}). */
  @Benchmark
  public void jsonSchemaValidated(Blackhole bh) {
    for (byte[] b : json) {
      AnalyticsEvent e = validated.deserialize(b);
      bh.consume(e.eventType());
      bh.consume(e.eventTime());
    }
  }

  /** Jackson data binding to a record ({@code Serdes.json(type)}). */
  @Benchmark
  public void jsonDatabind(Blackhole bh) {
    for (byte[] b : json) {
      JsonEvent e = databind.deserialize(b);
      bh.consume(e.eventType());
      bh.consume(e.timestamp());
    }
  }

  /**
   * Avro bare binary into the specific record generated by avro-maven-plugin (strings as
   * {@code String}, the timestamp as an {@code Instant}; {@code AvroSerdes.binary(type)}).
   */
  @Benchmark
  public void avroSpecific(Blackhole bh) {
    for (byte[] b : avro) {
      BenchEventAvro e = avroSpecific.deserialize(b);
      bh.consume(e.getEventType());
      bh.consume(e.getTimestamp());
    }
  }

  /** Avro bare binary into a generic record ({@code AvroSerdes.binary(schema)}). */
  @Benchmark
  public void avroGeneric(Blackhole bh) {
    for (byte[] b : avro) {
      GenericRecord e = avroGeneric.deserialize(b);
      bh.consume(e.get(2));
      bh.consume(e.get(3));
    }
  }

  /** Protobuf into the generated message ({@code ProtobufSerdes.of(type)}). */
  @Benchmark
  public void protobuf(Blackhole bh) {
    for (byte[] b : proto) {
      BenchEventProto e = protobuf.deserialize(b);
      bh.consume(e.getEventType());
      bh.consume(e.getTimestampMillis());
    }
  }
}
