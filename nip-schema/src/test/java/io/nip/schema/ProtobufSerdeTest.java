package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import io.nip.schema.proto.AnalyticsEventProto;
import io.nip.schema.proto.AnalyticsEventProtoV2;
import io.nip.serde.Serde;
import org.junit.jupiter.api.Test;

class ProtobufSerdeTest {
  private static final Serde<AnalyticsEventProto> V1 = ProtobufSerdes.of(AnalyticsEventProto.class);
  private static final Serde<AnalyticsEventProtoV2> V2 = ProtobufSerdes.of(AnalyticsEventProtoV2.class);

  @Test
  void a_generated_message_round_trips_and_names_its_type_in_headers() {
    AnalyticsEventProto e = AnalyticsEventProto.newBuilder().setEventId("e1").setUserId("user_7")
        .setEventType("purchase").setTimestampMillis(1_768_669_200_000L).setValue(42.5).build();

    assertThat(V1.deserialize(V1.serialize(e))).isEqualTo(e);
    assertThat(V1.headers(e).lastString(SchemaHeaders.SCHEMA_ID)).isEqualTo("nip.schema.test.AnalyticsEventProto");
    assertThat(V1.headers(e).lastString(SchemaHeaders.CONTENT_TYPE)).isEqualTo("application/x-protobuf");
  }

  @Test
  void an_older_reader_keeps_the_fields_of_a_newer_writer_and_writes_them_again() {
    AnalyticsEventProtoV2 newer = AnalyticsEventProtoV2.newBuilder().setUserId("user_7").setEventType("click")
        .setTimestampMillis(5).setValue(1.5).setCountry("fr").build();

    AnalyticsEventProto old = V1.deserialize(V2.serialize(newer));
    AnalyticsEventProtoV2 again = V2.deserialize(V1.serialize(old));

    assertThat(old.getUserId()).isEqualTo("user_7");
    assertThat(old.getUnknownFields().hasField(6)).isTrue();
    assertThat(again).isEqualTo(newer);
    assertThat(again.getCountry()).isEqualTo("fr");
  }

  @Test
  void a_newer_reader_reads_old_records_with_the_new_field_empty() {
    AnalyticsEventProto old = AnalyticsEventProto.newBuilder().setUserId("u").setEventType("t").build();

    assertThat(V2.deserialize(V1.serialize(old)).getCountry()).isEmpty();
  }

  @Test
  void bytes_that_are_no_message_and_classes_that_are_no_messages_fail_with_the_reason() {
    assertThatThrownBy(() -> V1.deserialize(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("not a nip.schema.test.AnalyticsEventProto");
    assertThatThrownBy(() -> ProtobufSerdes.of(com.google.protobuf.Message.class))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("not a generated message class");
  }
}
