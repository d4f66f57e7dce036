package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.SerializationException;
import io.nip.schema.avro.AvroUserEvent;
import io.nip.serde.Serde;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
  /** Version 1 of a payment: id, user, amount, note. */
  static final Schema V1 = schema("{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"test\",\"fields\":["
      + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"user\",\"type\":\"string\"},"
      + "{\"name\":\"amount\",\"type\":\"double\"},{\"name\":\"note\",\"type\":\"string\"}]}");
  /** Version 2: a field added with a default. */
  static final Schema V2_ADDED = schema("{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"test\",\"fields\":["
      + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"user\",\"type\":\"string\"},"
      + "{\"name\":\"amount\",\"type\":\"double\"},{\"name\":\"note\",\"type\":\"string\"},"
      + "{\"name\":\"country\",\"type\":\"string\",\"default\":\"unknown\"}]}");
  /** Version 2: the note removed. */
  static final Schema V2_REMOVED = schema("{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"test\",\"fields\":["
      + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"user\",\"type\":\"string\"},"
      + "{\"name\":\"amount\",\"type\":\"double\"}]}");
  /** Version 2: user renamed to user_id, its old name kept as an alias. */
  static final Schema V2_RENAMED = schema("{\"type\":\"record\",\"name\":\"Payment\",\"namespace\":\"test\",\"fields\":["
      + "{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"user_id\",\"type\":\"string\",\"aliases\":[\"user\"]},"
      + "{\"name\":\"amount\",\"type\":\"double\"},{\"name\":\"note\",\"type\":\"string\"}]}");

  static Schema schema(String json) {
    return new Schema.Parser().parse(json);
  }

  static GenericRecord v1(String id) {
    GenericRecord r = new GenericData.Record(V1);
    r.put("id", id);
    r.put("user", "user_7");
    r.put("amount", 12.5);
    r.put("note", "first");
    return r;
  }

  @Test
  void specific_records_round_trip_in_every_encoding() {
    AvroUserEvent e = new AvroUserEvent("e1", "user_7", "purchase", 1_768_669_200_000L, 42.5);
    SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    for (Serde<AvroUserEvent> serde : List.of(AvroSerdes.binary(AvroUserEvent.class),
        AvroSerdes.singleObject(AvroUserEvent.class, List.of()),
        AvroSerdes.confluent(AvroUserEvent.class, registry, "user-events-value"))) {
      AvroUserEvent back = serde.deserialize(serde.serialize(e));
      assertThat(back).as(serde.toString()).isEqualTo(e);
      assertThat(back.getUserId()).isEqualTo("user_7");
    }
  }

  @Test
  void generic_records_round_trip_and_carry_their_format_in_headers() {
    SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    Serde<GenericRecord> binary = AvroSerdes.binary(V1);
    Serde<GenericRecord> single = AvroSerdes.singleObject(V1, List.of());
    Serde<GenericRecord> confluent = AvroSerdes.confluent(V1, registry, "payments-value");

    for (Serde<GenericRecord> serde : List.of(binary, single, confluent)) {
      assertThat(serde.deserialize(serde.serialize(v1("p1")))).as(serde.toString()).isEqualTo(v1("p1"));
    }
    // the framing: single-object C3 01 + 8-byte fingerprint; Confluent 0 + 4-byte id 1
    byte[] s = single.serialize(v1("p1"));
    byte[] c = confluent.serialize(v1("p1"));
    assertThat(s.length - binary.serialize(v1("p1")).length).isEqualTo(10);
    assertThat(new byte[] {s[0], s[1]}).containsExactly(0xC3, 0x01);
    assertThat(new byte[] {c[0], c[1], c[2], c[3], c[4]}).containsExactly(0, 0, 0, 0, 1);
    assertThat(confluent.headers(v1("p1")).lastString(SchemaHeaders.SCHEMA_ID)).isEqualTo("1");
    assertThat(confluent.headers(v1("p1")).lastString(SchemaHeaders.CONTENT_TYPE))
        .isEqualTo("application/vnd.confluent.avro");
    assertThat(single.headers(v1("p1")).lastString(SchemaHeaders.SCHEMA_ID))
        .isEqualTo(Long.toHexString(org.apache.avro.SchemaNormalization.parsingFingerprint64(V1)));
  }

  @Test
  void a_reader_with_a_field_added_with_a_default_reads_old_records_with_the_default() {
    byte[] old = AvroSerdes.binary(V1).serialize(v1("p1"));

    GenericRecord r = AvroSerdes.binary(V2_ADDED, V1).deserialize(old);

    assertThat(r.get("country").toString()).isEqualTo("unknown");
    assertThat(r.get("user").toString()).isEqualTo("user_7");
  }

  @Test
  void a_reader_without_a_removed_field_skips_it() {
    byte[] old = AvroSerdes.singleObject(V1, List.of()).serialize(v1("p1"));

    GenericRecord r = AvroSerdes.singleObject(V2_REMOVED, List.of(V1)).deserialize(old);

    assertThat(r.getSchema().getField("note")).isNull();
    assertThat(r.get("amount")).isEqualTo(12.5);
  }

  @Test
  void a_field_renamed_with_an_alias_is_read_from_its_old_name_through_the_registry() {
    // tag::avro-confluent[]
    SchemaRegistryClient registry = SchemaRegistryClient.inMemory();   // or .http(URI), .file(Path)
    byte[] old = AvroSerdes.confluent(V1, registry, "payments-value").serialize(v1("p1"));

    Serde<GenericRecord> newer = AvroSerdes.confluent(V2_RENAMED, registry, "payments-value");
    GenericRecord r = newer.deserialize(old);   // V2 renamed "user" to "user_id", alias "user"
    // end::avro-confluent[]

    assertThat(r.get("user_id").toString()).isEqualTo("user_7");
    // and the newer writer registered its own schema as the subject's next version
    byte[] fresh = newer.serialize(r);
    assertThat(fresh[4]).isEqualTo((byte) 2);
    assertThat(registry.latestId("payments-value")).contains(2);
  }

  @Test
  void a_specific_reader_reads_records_of_an_older_writer_schema() {
    Schema olderEvent = schema("{\"type\":\"record\",\"name\":\"AvroUserEvent\",\"namespace\":\"io.nip.schema.avro\","
        + "\"fields\":[{\"name\":\"user_id\",\"type\":\"string\"},{\"name\":\"event_type\",\"type\":\"string\"},"
        + "{\"name\":\"timestamp_millis\",\"type\":\"long\"},{\"name\":\"value\",\"type\":\"double\"}]}");
    GenericRecord old = new GenericData.Record(olderEvent);
    old.put("user_id", "user_1");
    old.put("event_type", "click");
    old.put("timestamp_millis", 5L);
    old.put("value", 1.0);
    byte[] bytes = AvroSerdes.singleObject(olderEvent, List.of()).serialize(old);

    AvroUserEvent e = AvroSerdes.singleObject(AvroUserEvent.class, List.of(olderEvent)).deserialize(bytes);

    assertThat(e).isEqualTo(new AvroUserEvent(null, "user_1", "click", 5L, 1.0));
  }

  @Test
  void unknown_fingerprints_ids_and_garbage_fail_with_the_reason() {
    SchemaRegistryClient registry = SchemaRegistryClient.inMemory();
    byte[] v2 = AvroSerdes.singleObject(V2_ADDED, List.of()).serialize(new GenericData.Record(V2_ADDED) {
      {
        put("id", "p");
        put("user", "u");
        put("amount", 1.0);
        put("note", "n");
        put("country", "fr");
      }
    });

    assertThatThrownBy(() -> AvroSerdes.singleObject(V1, List.of()).deserialize(v2))
        .isInstanceOf(SerializationException.class).hasMessageContaining("unknown Avro writer schema fingerprint");
    assertThatThrownBy(() -> AvroSerdes.confluent(V1, registry, "s").deserialize(new byte[] {0, 0, 0, 0, 9, 1}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("unknown schema id 9");
    assertThatThrownBy(() -> AvroSerdes.confluent(V1, registry, "s").deserialize(new byte[] {'{', '}'}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("not the Confluent wire format");
    assertThatThrownBy(() -> AvroSerdes.binary(V1).deserialize(new byte[] {(byte) 0x7f, 1, 2}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("not a test.Payment Avro record");
  }
}
