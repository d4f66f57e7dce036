package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

  @Test
  void the_fast_path_agrees_with_the_general_parser_on_random_instants_and_offsets() {
    Random r = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      Instant t = Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextBoolean() ? 0 : r.nextInt(1_000_000_000));
      ZoneOffset off = ZoneOffset.ofTotalSeconds((r.nextInt(37) - 18) * 1800 % 64800);
      String text = OffsetDateTime.ofInstant(t, off).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      Instant expected = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      Instant fast = IsoInstants.parse(text);
      if (fast != null) {
        assertThat(fast).as(text).isEqualTo(expected);
      }
    }
    assertThat(IsoInstants.parse("2026-01-17T17:00:00Z")).isEqualTo(Instant.parse("2026-01-17T17:00:00Z"));
    assertThat(IsoInstants.parse("2026-01-17T19:00:00.5+02:00")).isEqualTo(Instant.parse("2026-01-17T17:00:00.5Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2026-01-17T17:00:00", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z",
      "2026-01-17T24:00:00Z", "2026-01-17 17:00:00Z", "2026-01-17T17:00:00+0200", "2026-01-17T17:00:00.Z",
      "yesterday at noon, UTC"})
  void texts_outside_the_fast_shape_or_invalid_are_left_to_the_general_parser(String text) {
    assertThat(IsoInstants.parse(text)).isNull();
  }
}
