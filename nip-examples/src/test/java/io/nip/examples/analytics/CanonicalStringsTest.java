package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CanonicalStringsTest {

  private static List<String> readAll(CanonicalStrings c, String json) throws IOException {
    List<String> out = new ArrayList<>();
    try (JsonParser p = Serdes.objectMapper().getFactory().createParser(json)) {
      p.nextToken();
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
        out.add(c.canonical(p));
      }
    }
    return out;
  }

  @Test
  void repeated_values_share_one_instance_and_values_beyond_the_table_are_still_read_exactly() throws IOException {
    CanonicalStrings c = new CanonicalStrings();
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < 300; i++) {
      json.append(i == 0 ? "" : ",").append("\"type-").append(i % 150).append('"');
    }
    List<String> values = readAll(c, json.append(']').toString());
    for (int i = 0; i < 300; i++) {
      assertThat(values.get(i)).isEqualTo("type-" + (i % 150));
    }
    List<String> again = readAll(c, "[\"type-1\",\"type-1\"]");
    assertThat(again.get(0)).isSameAs(again.get(1));
  }
}
