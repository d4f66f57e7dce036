package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.errors.SerializationException;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serde;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonSchemaSerdeTest {
  private static final JsonSchema SCHEMA = JsonSchema.fromClasspath("/schemas/order.schema.json");
  private static final Serde<Order> SERDE = SchemaSerdes.json(Order.class).validatedBy(SCHEMA);

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void a_valid_record_binds_and_writes_back() {
    Order o = SERDE.deserialize(utf8("{\"order_id\":\"o1\",\"amount\":12.5,\"items\":[{\"sku\":\"a\",\"quantity\":2}]}"));

    assertThat(o).isEqualTo(new Order("o1", 12.5, List.of(new Order.Item("a", 2))));
    assertThat(SERDE.deserialize(SERDE.serialize(o))).isEqualTo(o);
    assertThat(SERDE.headers(o).lastString(SchemaHeaders.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(SERDE.headers(o).lastString(SchemaHeaders.SCHEMA_ID)).isEqualTo("urn:nip:test:order");
  }

  @Test
  void a_violation_names_every_violated_path_and_keyword() {
    byte[] bad = utf8("{\"order_id\":\"\",\"amount\":-1,\"placed_at\":\"yesterday\","
        + "\"items\":[{\"sku\":\"a\",\"quantity\":0},{\"quantity\":1}]}");

    assertThatThrownBy(() -> SERDE.deserialize(bad)).isInstanceOfSatisfying(SchemaViolationException.class, e -> {
      assertThat(e.violations()).extracting(v -> v.path() + " " + v.keyword()).containsExactlyInAnyOrder(
          "$.order_id minLength", "$.amount minimum", "$.placed_at format", "$.items[0].quantity minimum",
          "$.items[1] required");
      assertThat(e.getMessage()).startsWith("violates schema urn:nip:test:order: ")
          .contains("$.items[1] [required]").contains("sku");
      assertThat(e.rawBytes()).isEqualTo(bad);
    });
  }

  @Test
  void bytes_that_are_not_json_or_miss_a_required_field_fail_with_the_reason() {
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"order_id\":")))
        .isInstanceOf(SerializationException.class).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> SERDE.deserialize(utf8("{\"order_id\":\"o\",\"amount\":1}")))
        .isInstanceOf(SchemaViolationException.class).hasMessageContaining("$ [required]")
        .hasMessageContaining("items");
  }

  @Test
  void without_a_schema_the_serde_is_the_plain_jackson_one() {
    Serde<Order> plain = SchemaSerdes.json(Order.class);

    assertThat(plain.deserialize(utf8("{\"order_id\":\"\",\"amount\":-1,\"items\":[]}")))
        .isEqualTo(new Order("", -1, List.of()));
  }

  @Test
  void an_invalid_schema_fails_when_it_is_loaded_naming_the_problem() {
    assertThatThrownBy(() -> JsonSchema.parse("{\"type\": "))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("not JSON");
    assertThatThrownBy(() -> JsonSchema.fromClasspath("/schemas/missing.json"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("/schemas/missing.json");
  }

  @Test
  void in_a_running_pipeline_violations_become_dead_letters_with_the_path_and_the_pipeline_goes_on(
      @TempDir Path dir) throws Exception {
    // Given: a file of five lines, two of which break the schema and one is no JSON
    Path input = dir.resolve("orders.jsonl");
    Files.write(input, List.of(
        "{\"order_id\":\"o1\",\"amount\":10,\"items\":[{\"sku\":\"a\",\"quantity\":1}]}",
        "{\"order_id\":\"o2\",\"amount\":-3,\"items\":[{\"sku\":\"a\",\"quantity\":1}]}",
        "{\"order_id\":\"o3\",\"amount\":7",
        "{\"order_id\":\"o4\",\"amount\":4,\"items\":[{\"sku\":\"b\"}]}",
        "{\"order_id\":\"o5\",\"amount\":5,\"items\":[{\"sku\":\"c\",\"quantity\":3}]}"));
    // tag::json-schema-pipeline[]
    Serde<Order> serde = SchemaSerdes.json(Order.class)
        .validatedBy(JsonSchema.fromClasspath("/schemas/order.schema.json"));
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("orders", PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    p.from(Sources.jsonLines("orders", input, serde)).map(Order::orderId).to(out);
    // end::json-schema-pipeline[]

    // When: it runs to the end of the file
    try (PipelineHandle h = p.start()) {
      assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
      assertThat(h.failure()).isEmpty();
    }

    // Then: the valid orders pass; each bad line is a dead letter with its bytes, line and reason
    assertThat(out.values()).containsExactly("o1", "o5");
    assertThat(dlq.values()).extracting(DeadLetter::position).containsExactly(1L, 2L, 3L);
    assertThat(dlq.values().get(0).errorMessage()).contains("$.amount [minimum]");
    assertThat(dlq.values().get(0).errorClass()).isEqualTo(SchemaViolationException.class.getName());
    assertThat(dlq.values().get(1).errorMessage()).startsWith("not JSON");
    assertThat(dlq.values().get(2).errorMessage()).contains("$.items[0] [required]").contains("quantity");
    assertThat(dlq.values().get(2).rawRecordText()).contains("\"o4\"");
  }
}
