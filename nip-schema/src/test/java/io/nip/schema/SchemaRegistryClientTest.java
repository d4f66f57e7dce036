package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConnectorException;
import io.nip.serde.Serde;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaRegistryClientTest {
  private static final String A = AvroSerdeTest.V1.toString();
  private static final String B = AvroSerdeTest.V2_ADDED.toString();

  /** What every implementation does: ids per schema text, versions per subject, unknown ids empty. */
  private static void behavesAsARegistry(SchemaRegistryClient r) {
    int a = r.register("payments-value", "AVRO", A);
    assertThat(r.register("payments-value", "AVRO", A)).isEqualTo(a);
    int b = r.register("payments-value", "AVRO", B);
    assertThat(b).isNotEqualTo(a);
    assertThat(r.register("refunds-value", "AVRO", A)).as("the same text under another subject").isEqualTo(a);
    assertThat(r.schema(a)).contains(new RegisteredSchema(a, "AVRO", A));
    assertThat(r.schema(b).orElseThrow().schema()).isEqualTo(B);
    assertThat(r.schema(999)).isEmpty();
    assertThat(r.latestId("payments-value")).contains(b);
    assertThat(r.latestId("refunds-value")).contains(a);
    assertThat(r.latestId("nothing-value")).isEmpty();
  }

  @Test
  void the_in_memory_registry_keeps_ids_and_versions() {
    behavesAsARegistry(SchemaRegistryClient.inMemory());
  }

  @Test
  void the_file_registry_keeps_them_across_instances_sharing_the_file(@TempDir Path dir) {
    Path file = dir.resolve("registry/schemas.json");
    SchemaRegistryClient first = SchemaRegistryClient.file(file);
    behavesAsARegistry(first);

    // a second instance (another process) sees the first one's schemas, and its new one is seen back
    SchemaRegistryClient second = SchemaRegistryClient.file(file);
    assertThat(second.latestId("payments-value")).isEqualTo(first.latestId("payments-value"));
    int c = second.register("payments-value", "JSON", "{\"type\":\"object\"}");
    assertThat(first.schema(c)).contains(new RegisteredSchema(c, "JSON", "{\"type\":\"object\"}"));
    assertThat(Files.exists(file)).isTrue();
  }

  @Test
  void a_damaged_registry_file_is_refused_naming_it(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("schemas.json");
    Files.writeString(file, "{not json");

    assertThatThrownBy(() -> SchemaRegistryClient.file(file)).isInstanceOf(ConnectorException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void the_http_client_speaks_the_confluent_rest_api_and_caches_schemas_by_id() throws Exception {
    try (RegistryServer server = new RegistryServer()) {
      SchemaRegistryClient client = SchemaRegistryClient.http(server.url());
      behavesAsARegistry(client);

      // a serde reads what another client wrote: one lookup of the id, then the cache
      SchemaRegistryClient reader = SchemaRegistryClient.http(server.url());
      Serde<GenericRecord> writing = AvroSerdes.confluent(AvroSerdeTest.V1, client, "payments-value");
      Serde<GenericRecord> reading = AvroSerdes.confluent(AvroSerdeTest.V2_RENAMED, reader, "payments-value");
      int before = server.requests.get();
      for (int i = 0; i < 5; i++) {
        assertThat(reading.deserialize(writing.serialize(AvroSerdeTest.v1("p" + i))).get("user_id").toString())
            .isEqualTo("user_7");
      }
      assertThat(server.requests.get() - before).as("requests for 5 records").isEqualTo(1);
    }
  }

  @Test
  void the_http_client_reports_a_refusal_and_an_unreachable_registry_with_the_reason() throws Exception {
    try (RegistryServer server = new RegistryServer()) {
      server.rejectSubject = "strict-value";
      SchemaRegistryClient client = SchemaRegistryClient.http(server.url());

      assertThatThrownBy(() -> client.register("strict-value", "AVRO", A)).isInstanceOf(ConnectorException.class)
          .hasMessageContaining("HTTP 409").hasMessageContaining("incompatible");
    }
    SchemaRegistryClient nowhere = SchemaRegistryClient.http(URI.create("http://127.0.0.1:1"));
    assertThatThrownBy(() -> nowhere.schema(1)).isInstanceOf(ConnectorException.class)
        .hasMessageContaining("unreachable").hasMessageContaining("127.0.0.1:1");
    assertThat(List.of(nowhere.toString())).containsExactly("HttpSchemaRegistry(http://127.0.0.1:1/)");
  }
}
