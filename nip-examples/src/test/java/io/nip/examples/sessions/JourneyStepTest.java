package io.nip.examples.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.SerializationException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JourneyStepTest {

  @Test
  void when_a_step_is_written_then_it_reads_back_equal_and_shorter_than_json() {
    // Given: a step with non-ASCII text
    JourneyStep step = new JourneyStep("użytkownik-7", "page_view");
    // When: it is written and read
    byte[] bytes = JourneyStep.SERDE.serialize(step);
    // Then: equal, and smaller than its JSON form
    assertThat(JourneyStep.SERDE.deserialize(bytes)).isEqualTo(step);
    assertThat(bytes.length).isLessThan("{\"userId\":\"użytkownik-7\",\"eventType\":\"page_view\"}".length());
  }

  @Test
  void when_state_holds_the_json_form_of_earlier_versions_then_it_is_still_read() {
    byte[] json = "{\"userId\":\"u1\",\"eventType\":\"login\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(JourneyStep.SERDE.deserialize(json)).isEqualTo(new JourneyStep("u1", "login"));
  }

  @Test
  void when_the_bytes_are_truncated_or_too_long_then_a_serialization_error_names_the_step() {
    byte[] bytes = JourneyStep.SERDE.serialize(new JourneyStep("u1", "login"));
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 2);
    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> JourneyStep.SERDE.deserialize(truncated)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("journey step");
    assertThatThrownBy(() -> JourneyStep.SERDE.deserialize(longer)).isInstanceOf(SerializationException.class)
        .hasMessageContaining("left over");
  }

  @Test
  void ascii_steps_empty_strings_and_nul_read_back_equal() {
    for (JourneyStep step : new JourneyStep[] {new JourneyStep("user_1", "login"), new JourneyStep("", ""),
        new JourneyStep("a\u0000b", "x"), new JourneyStep("u".repeat(3_000), "page_view\u007f")}) {
      assertThat(JourneyStep.SERDE.deserialize(JourneyStep.SERDE.serialize(step))).isEqualTo(step);
    }
  }

  @Test
  void every_step_is_written_as_a_marker_and_two_modified_utf8_strings() throws java.io.IOException {
    // Given: ASCII, empty, NUL, DEL, non-ASCII and supplementary characters, and a too long string
    String[] texts = {"user_1", "", "a\u0000b", "\u007f", "\u0080", "użytkownik", "\uD83D\uDE00", "u".repeat(65_535)};
    for (String user : texts) {
      for (String type : texts) {
        // When
        byte[] bytes = JourneyStep.SERDE.serialize(new JourneyStep(user, type));
        // Then: the bytes of DataOutputStream.writeUTF, and the same step read back
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(expected)) {
          out.writeByte(1);
          out.writeUTF(user);
          out.writeUTF(type);
        }
        assertThat(bytes).as(user + " / " + type).isEqualTo(expected.toByteArray());
        assertThat(JourneyStep.SERDE.deserialize(bytes)).isEqualTo(new JourneyStep(user, type));
      }
    }
    assertThatThrownBy(() -> JourneyStep.SERDE.serialize(new JourneyStep("u".repeat(65_536), "x")))
        .isInstanceOf(SerializationException.class).hasMessageContaining("journey step");
  }
}
