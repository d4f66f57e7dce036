package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VersionedSerdeTest {
  /** Version 3 of a click: v1 had "user", v2 renamed it, v3 added "page" (default "/"). */
  record Click(@JsonProperty("user_id") String userId, String page) {}

  private static final VersionedSerde<Click> SERDE = VersionedSerde.json(Click.class, 3)
      .upcaster(1, v1 -> v1.put("user_id", v1.remove("user").asText()))
      .upcaster(2, v2 -> v2.put("page", "/"))
      .build();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void old_versions_are_upcast_step_by_step_and_the_current_one_is_read_as_is() {
    assertThat(SERDE.deserialize(utf8("{\"schema_version\":1,\"user\":\"u1\"}"))).isEqualTo(new Click("u1", "/"));
    assertThat(SERDE.deserialize(utf8("{\"schema_version\":2,\"user_id\":\"u2\"}"))).isEqualTo(new Click("u2", "/"));
    assertThat(SERDE.deserialize(utf8("{\"schema_version\":3,\"user_id\":\"u3\",\"page\":\"/a\"}")))
        .isEqualTo(new Click("u3", "/a"));
    assertThat(new String(SERDE.serialize(new Click("u", "/b")), StandardCharsets.UTF_8))
        .isEqualTo("{\"user_id\":\"u\",\"page\":\"/b\",\"schema_version\":3}");
  }

  @Test
  void a_future_version_fails_naming_both_versions() {
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"schema_version\":9,\"user_id\":\"u\"}")))
        .isInstanceOfSatisfying(UnknownVersionException.class, e -> {
          assertThat(e.version()).isEqualTo(9);
          assertThat(e.current()).isEqualTo(3);
          assertThat(e.getMessage()).isEqualTo("unknown Click version 9: newer than the current version 3 this "
              + "reader knows");
        });
  }

  @Test
  void missing_bad_and_too_old_versions_and_failing_upcasters_fail_with_the_reason() {
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"user_id\":\"u\"}")))
        .isInstanceOf(SerializationException.class).hasMessageContaining("without a version (field 'schema_version')");
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"schema_version\":\"two\"}")))
        .isInstanceOf(SerializationException.class).hasMessageContaining("no version number");
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"schema_version\":0}")))
        .isInstanceOf(SerializationException.class).hasMessageContaining("older than the oldest version");
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"schema_version\":1}")))
        .isInstanceOf(SerializationException.class).hasMessageContaining("upcasting Click from version 1 to 2 failed");
  }

  @Test
  void the_version_can_travel_in_a_header_with_a_default_for_records_without_one() {
    VersionedSerde<Click> serde = VersionedSerde.json(Click.class, 2).versionHeader(SchemaHeaders.EVENT_VERSION)
        .defaultVersion(1).upcaster(1, v1 -> v1.put("user_id", v1.remove("user").asText()).put("page", "/"))
        .build();

    assertThat(serde.deserialize(utf8("{\"user\":\"u1\"}"), Headers.EMPTY)).isEqualTo(new Click("u1", "/"));
    assertThat(serde.deserialize(utf8("{\"user_id\":\"u2\",\"page\":\"/x\"}"),
        Headers.EMPTY.with(SchemaHeaders.EVENT_VERSION, "2"))).isEqualTo(new Click("u2", "/x"));
    assertThatThrownBy(() -> serde.deserialize(utf8("{}"), Headers.EMPTY.with(SchemaHeaders.EVENT_VERSION, "5")))
        .isInstanceOf(UnknownVersionException.class);
    assertThat(serde.headers(new Click("u", "/")).lastString(SchemaHeaders.EVENT_VERSION)).isEqualTo("2");
  }

  @Test
  void a_gap_in_the_upcasters_is_refused_when_built() {
    assertThatThrownBy(() -> VersionedSerde.json(Click.class, 4).upcaster(1, n -> n).upcaster(3, n -> n).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("no upcaster from version 2 to 3");
    assertThatThrownBy(() -> VersionedSerde.json(Click.class, 2).upcaster(2, n -> n))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("upcaster.fromVersion");
  }
}
