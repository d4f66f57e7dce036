package io.nip.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.type.TypeReference;
import io.nip.errors.SerializationException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in serdes. */
class SerdesTest {
  record Click(String userId, String page, Instant at) {}

  @Test
  void when_a_record_with_an_instant_is_written_as_json_then_it_reads_back_equal_with_iso_time() {
    Serde<Click> serde = Serdes.json(Click.class);
    Click c = new Click("u1", "/home", Instant.parse("2026-01-17T17:00:00.123Z"));
    byte[] bytes = serde.serialize(c);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"at\":\"2026-01-17T17:00:00.123Z\"");
    assertThat(serde.deserialize(bytes)).isEqualTo(c);
  }

  @Test
  void when_json_has_unknown_properties_then_they_are_ignored() {
    Click c = Serdes.json(Click.class).deserialize(
        "{\"userId\":\"u\",\"page\":\"/\",\"at\":\"2026-01-17T17:00:00Z\",\"extra\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(c.userId()).isEqualTo("u");
  }

  @Test
  void when_bytes_are_not_valid_json_then_the_exception_keeps_the_raw_bytes_and_names_the_type() {
    byte[] bad = "{\"userId\": oops".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Serdes.json(Click.class).deserialize(bad))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("Click")
        .satisfies(e -> assertThat(((SerializationException) e).rawBytes()).isEqualTo(bad));
  }

  @Test
  void when_json_is_null_then_deserializing_fails_with_the_raw_bytes() {
    byte[] nul = "null".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Serdes.json(Click.class).deserialize(nul))
        .isInstanceOf(SerializationException.class)
        .satisfies(e -> assertThat(((SerializationException) e).rawBytes()).isEqualTo(nul));
  }

  @Test
  void raw_bytes_of_a_serialization_exception_are_a_defensive_copy() {
    byte[] raw = {1, 2, 3};
    SerializationException e = new SerializationException("x", raw, null);
    e.rawBytes()[0] = 9;
    assertThat(e.rawBytes()).containsExactly(1, 2, 3);
    assertThat(new SerializationException("x", null, null).rawBytes()).isNull();
  }

  @Test
  void nulls_pass_through_every_serde() {
    assertThat(Serdes.json(Click.class).serialize(null)).isNull();
    assertThat(Serdes.json(Click.class).deserialize(null)).isNull();
    assertThat(Serdes.string().serialize(null)).isNull();
    assertThat(Serdes.string().deserialize(null)).isNull();
  }

  @Test
  void when_using_string_bytes_and_generic_json_serdes_then_values_round_trip() {
    assertThat(Serdes.string().deserialize(Serdes.string().serialize("grüße"))).isEqualTo("grüße");
    byte[] b = {0, 1, 2};
    assertThat(Serdes.bytes().deserialize(Serdes.bytes().serialize(b))).isEqualTo(b);
    Serde<List<Long>> longs = Serdes.json(new TypeReference<List<Long>>() {});
    assertThat(longs.deserialize(longs.serialize(List.of(1L, 2L)))).containsExactly(1L, 2L);
    Serde<Map<String, Object>> maps = Serdes.jsonMap();
    assertThat(maps.deserialize("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).containsEntry("a", 1);
  }
}
