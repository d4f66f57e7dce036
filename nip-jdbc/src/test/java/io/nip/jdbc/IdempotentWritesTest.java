package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ConnectorException;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.source.Sources;
import io.nip.streaming.IdempotentProcessor;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tutorial's idempotent database write against a real PostgreSQL: the same event written twice,
 * and a whole input processed twice (as after a crash that replays it), leaves one row per id with
 * the latest data.
 */
@ExtendWith(PostgresExtension.class)
class IdempotentWritesTest {

  /** The tutorial's event: an id and some data. */
  public record UserEvent(String eventId, String userId, String eventType, int value) {}

  private static void createTable(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute(IdempotentWrites.createTableSql("events"));
    }
  }

  /** id → (data as text, updated_at). */
  private static Map<String, Object[]> rows(DataSource ds) throws SQLException {
    Map<String, Object[]> rows = new LinkedHashMap<>();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select id, data->>'value', updated_at from events order by id")) {
      while (rs.next()) {
        rows.put(rs.getString(1), new Object[] {rs.getString(2), rs.getObject(3, OffsetDateTime.class)});
      }
    }
    return rows;
  }

  @Test
  void when_the_same_event_is_written_twice_then_one_row_holds_the_latest_data(PostgresDatabase db)
      throws Exception {
    createTable(db.dataSource());
    // Given an event written once
    assertThat(IdempotentWrites.upsert(db.dataSource(), "events", "e-1", new UserEvent("e-1", "u", "click", 1)))
        .isEqualTo(1);
    OffsetDateTime first = (OffsetDateTime) rows(db.dataSource()).get("e-1")[1];
    Thread.sleep(5);

    // When it is written again with other data (a redelivery with a corrected value)
    IdempotentWrites.upsert(db.dataSource(), "events", "e-1", new UserEvent("e-1", "u", "click", 2));

    // Then one row holds the latest data, with a later updated_at
    Map<String, Object[]> rows = rows(db.dataSource());
    assertThat(rows).containsOnlyKeys("e-1");
    assertThat(rows.get("e-1")[0]).isEqualTo("2");
    assertThat((OffsetDateTime) rows.get("e-1")[1]).isAfter(first);
    assertThat(IdempotentWrites.upsertSql("events")).isEqualTo(
        "INSERT INTO events (id, data, updated_at) VALUES (?, ?::jsonb, now())\n"
            + "ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()");
  }

  @Test
  void when_an_input_with_duplicates_is_processed_twice_then_each_id_is_one_row(PostgresDatabase db)
      throws Exception {
    createTable(db.dataSource());
    // Given an input in which a producer retry repeated e-2
    List<UserEvent> input = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      input.add(new UserEvent("e-" + i, "user_" + (i % 5), "page_view", i));
      if (i == 2) {
        input.add(new UserEvent("e-2", "user_2", "page_view", 2));
      }
    }
    // When the tutorial's processor runs over it, and then once more (as a run that restarted without
    // a checkpoint reads it all again)
    for (int run = 0; run < 2; run++) {
      IdempotentProcessor<UserEvent> processor = IdempotentProcessor.<UserEvent>named("idempotent_processor")
          .idKey(UserEvent::eventId)
          .idempotentOperation(IdempotentWrites.upsertJson(db.dataSource(), "events", UserEvent::eventId));
      PipelineHandle h = processor.start(Sources.collection("events-in", input),
          PipelineConfig.builder().threads(2).parallelism(2).build());
      assertThat(h.awaitTermination(Duration.ofSeconds(60))).isTrue();
      assertThat(h.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    }

    // Then the table holds one row per id with its data
    Map<String, Object[]> rows = rows(db.dataSource());
    assertThat(rows).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(rows.get("e-" + i)[0]).isEqualTo(String.valueOf(i));
    }
  }

  @Test
  void bad_ids_tables_and_databases_give_clear_errors(PostgresDatabase db) {
    assertThatThrownBy(() -> IdempotentWrites.upsert(db.dataSource(), "events", null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs the event's id, got null");
    assertThatThrownBy(() -> IdempotentWrites.upsertJson(db.dataSource(), "events; drop table x", Object::toString))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("table");
    // a table that does not exist: the driver's message, the table and the id
    assertThatThrownBy(() -> IdempotentWrites.upsert(db.dataSource(), "no_such_table", "e-1", Map.of("a", 1)))
        .isInstanceOf(ConnectorException.class)
        .hasMessageContaining("could not upsert event 'e-1' into no_such_table")
        .hasMessageContaining("42P01");
  }
}
