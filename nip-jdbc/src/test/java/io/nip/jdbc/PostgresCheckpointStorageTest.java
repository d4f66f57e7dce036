package io.nip.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.jdbc.embedded.EmbeddedPostgres;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.jdbc.testing.PostgresExtension;
import io.nip.state.CheckpointStorage;
import io.nip.state.CheckpointStorage.StorageFailure;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The PostgreSQL checkpoint storage against a real server: parts visible only once completed, an
 * atomic completion, retention, pipelines sharing tables, concurrent task threads, and failures that
 * name the checkpoint and table but never the password.
 */
@ExtendWith(PostgresExtension.class)
class PostgresCheckpointStorageTest {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static PostgresCheckpointStorage.Builder storage(PostgresDatabase db, String pipeline) {
    return PostgresCheckpointStorage.builder(pipeline).jdbcUrl(db.jdbcUrl()).user(db.user()).password("ignored");
  }

  private static String query(PostgresDatabase db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long count(PostgresDatabase db, String sql) throws SQLException {
    return Long.parseLong(query(db, sql));
  }

  @Test
  void when_parts_are_written_and_completed_then_they_read_back_byte_for_byte(PostgresDatabase db) {
    try (PostgresCheckpointStorage s = storage(db, "billing").build()) {
      // Given: no checkpoint yet
      assertThat(s.latestCompleted()).isEmpty();
      byte[] big = new byte[1 << 20];
      new Random(1).nextBytes(big);
      // When
      s.write(1, "in-0", bytes("one"));
      s.write(1, "keyed-0-0", big);
      s.write(1, "empty", new byte[0]);
      s.write(1, "in-0", bytes("one, again")); // a part written twice keeps the last bytes
      s.complete(1);
      // Then
      assertThat(s.latestCompleted()).hasValue(1L);
      assertThat(s.read(1, "in-0")).isEqualTo(bytes("one, again"));
      assertThat(s.read(1, "keyed-0-0")).isEqualTo(big);
      assertThat(s.read(1, "empty")).isEmpty();
      assertThat(s.read(1, "no-such-task")).isNull();
      assertThat(s.read(2, "in-0")).isNull();
    }
  }

  @Test
  void when_a_checkpoint_is_not_completed_then_a_new_instance_still_sees_the_previous_one(PostgresDatabase db) {
    // Given: checkpoint 1 complete, checkpoint 2 written but not completed (a crash before complete)
    try (PostgresCheckpointStorage s = storage(db, "billing").build()) {
      s.write(1, "in-0", bytes("one"));
      s.complete(1);
      s.write(2, "in-0", bytes("two"));
    }
    // When: a new process opens the storage
    try (PostgresCheckpointStorage reopened = storage(db, "billing").build()) {
      // Then: checkpoint 2 is invisible
      assertThat(reopened.latestCompleted()).hasValue(1L);
      assertThat(reopened.read(1, "in-0")).isEqualTo(bytes("one"));
      assertThat(reopened.read(2, "in-0")).as("parts of an incomplete checkpoint").isNull();
      // and the restarted pipeline may write checkpoint 2 again and complete it
      reopened.write(2, "in-0", bytes("two, restarted"));
      reopened.complete(2);
      assertThat(reopened.read(2, "in-0")).isEqualTo(bytes("two, restarted"));
    }
  }

  @Test
  void when_the_completion_fails_half_way_then_nothing_of_it_is_visible_and_nothing_was_pruned(PostgresDatabase db)
      throws SQLException {
    // Given: checkpoints 1 and 2 complete, 3 written; the completion of 3 fails at its first prune,
    // after the checkpoint row was inserted in the same transaction
    FailingDataSource failing = new FailingDataSource(db.dataSource(), "DELETE FROM");
    try (PostgresCheckpointStorage s = PostgresCheckpointStorage.builder("billing").dataSource(failing).build()) {
      for (long id = 1; id <= 3; id++) {
        s.write(id, "t", bytes("v" + id));
      }
      s.complete(1);
      s.complete(2);
      failing.armed = true;
      // When
      assertThatThrownBy(() -> s.complete(3)).isInstanceOf(StorageFailure.class)
          .hasMessageContaining("checkpoint 3 of pipeline 'billing'").hasMessageContaining("nip_checkpoints")
          .hasMessageContaining("injected");
      // Then: 2 is still the latest, and 1 was not pruned
      assertThat(s.latestCompleted()).hasValue(2L);
      assertThat(s.read(1, "t")).isEqualTo(bytes("v1"));
      assertThat(count(db, "SELECT count(*) FROM nip_checkpoints")).isEqualTo(2);
      // and the retried completion succeeds
      failing.armed = false;
      s.complete(3);
      assertThat(s.latestCompleted()).hasValue(3L);
      assertThat(s.read(1, "t")).isNull();
    }
  }

  @Test
  void when_checkpoints_complete_then_the_retained_latest_are_kept_and_older_or_torn_parts_go(PostgresDatabase db)
      throws SQLException {
    try (PostgresCheckpointStorage s = storage(db, "billing").build()) {
      // Given: 1 complete, 2 torn (never completed), 3 and 4 complete
      s.write(1, "t", bytes("1"));
      s.complete(1);
      s.write(2, "t", bytes("2"));
      s.write(3, "t", bytes("3"));
      s.complete(3);
      s.write(4, "t", bytes("4"));
      s.write(4, "u", bytes("4u"));
      // When
      s.complete(4);
      // Then: the default retention keeps 3 and 4; parts of 1 and 2 are gone
      assertThat(s.retainedCheckpoints()).isEqualTo(2);
      assertThat(s.latestCompleted()).hasValue(4L);
      assertThat(s.read(3, "t")).isEqualTo(bytes("3"));
      assertThat(s.read(1, "t")).isNull();
      assertThat(count(db, "SELECT count(*) FROM nip_checkpoints")).isEqualTo(2);
      assertThat(count(db, "SELECT count(*) FROM nip_checkpoint_parts")).isEqualTo(3);
      assertThat(count(db, "SELECT min(checkpoint_id) FROM nip_checkpoint_parts")).isEqualTo(3);
    }
    try (PostgresCheckpointStorage three = storage(db, "billing").retainedCheckpoints(3).build()) {
      three.write(5, "t", bytes("5"));
      three.complete(5);
      three.write(6, "t", bytes("6"));
      three.complete(6);
      assertThat(query(db, "SELECT string_agg(checkpoint_id::text, ',' ORDER BY checkpoint_id) FROM nip_checkpoints"))
          .isEqualTo("4,5,6");
    }
  }

  @Test
  void completing_twice_changes_nothing_and_a_completed_checkpoint_cannot_be_rewritten(PostgresDatabase db) {
    try (PostgresCheckpointStorage s = storage(db, "billing").build()) {
      s.write(7, "in-0", bytes("seven"));
      s.complete(7);
      s.complete(7);
      assertThat(s.read(7, "in-0")).isEqualTo(bytes("seven"));
      assertThatThrownBy(() -> s.write(7, "in-0", bytes("changed"))).isInstanceOf(StorageFailure.class)
          .hasMessageContaining("checkpoint 7 of pipeline 'billing'").hasMessageContaining("already completed")
          .hasMessageContaining("nip_checkpoints");
      assertThat(s.read(7, "in-0")).isEqualTo(bytes("seven"));
    }
  }

  @Test
  void a_checkpoint_without_parts_cannot_be_completed(PostgresDatabase db) {
    try (PostgresCheckpointStorage s = storage(db, "billing").build()) {
      assertThatThrownBy(() -> s.complete(3)).isInstanceOf(StorageFailure.class)
          .hasMessageContaining("checkpoint 3 of pipeline 'billing'").hasMessageContaining("no parts")
          .hasMessageContaining("nip_checkpoint_parts");
      assertThat(s.latestCompleted()).isEmpty();
    }
  }

  @Test
  void pipelines_sharing_the_tables_see_only_their_own_checkpoints(PostgresDatabase db) {
    try (PostgresCheckpointStorage billing = storage(db, "billing").build();
        PostgresCheckpointStorage fraud = storage(db, "fraud").build()) {
      for (long id = 1; id <= 4; id++) {
        billing.write(id, "in-0", bytes("billing " + id));
        billing.complete(id);
      }
      fraud.write(9, "in-0", bytes("fraud 9"));
      fraud.complete(9);
      // billing's retention did not prune fraud's checkpoint, nor the other way round
      assertThat(billing.latestCompleted()).hasValue(4L);
      assertThat(fraud.latestCompleted()).hasValue(9L);
      assertThat(fraud.read(9, "in-0")).isEqualTo(bytes("fraud 9"));
      assertThat(billing.read(9, "in-0")).isNull();
      assertThat(fraud.read(4, "in-0")).isNull();
      assertThat(billing.read(3, "in-0")).isEqualTo(bytes("billing 3"));
    }
  }

  @Test
  void when_task_threads_write_concurrently_then_every_part_of_every_checkpoint_is_stored(PostgresDatabase db)
      throws Exception {
    int tasks = 8;
    int checkpointCount = 25;
    ExecutorService pool = Executors.newFixedThreadPool(tasks);
    try (PostgresCheckpointStorage s = storage(db, "busy").retainedCheckpoints(checkpointCount).build()) {
      for (long id = 1; id <= checkpointCount; id++) {
        long cp = id;
        // When: every task writes its part at once, then the coordinator completes the checkpoint
        List<Callable<Void>> writes = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
          String task = "task-" + t;
          writes.add(() -> {
            s.write(cp, task, bytes(task + "@" + cp));
            return null;
          });
        }
        for (Future<Void> f : pool.invokeAll(writes)) {
          f.get();
        }
        s.complete(cp);
      }
      // Then
      assertThat(s.latestCompleted()).hasValue((long) checkpointCount);
      for (long id = 1; id <= checkpointCount; id++) {
        for (int t = 0; t < tasks; t++) {
          assertThat(s.read(id, "task-" + t)).isEqualTo(bytes("task-" + t + "@" + id));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void storages_created_at_once_on_an_empty_database_all_find_their_tables(PostgresDatabase db) throws Exception {
    int n = 6;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    List<PostgresCheckpointStorage> storages = new ArrayList<>();
    try {
      List<Callable<Long>> firstUses = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        PostgresCheckpointStorage s = storage(db, "p" + i).schema("checkpoints").build();
        storages.add(s);
        long id = i + 1;
        firstUses.add(() -> {
          s.write(id, "t", bytes("x"));
          s.complete(id);
          return s.latestCompleted().orElseThrow();
        });
      }
      List<Long> latest = new ArrayList<>();
      for (Future<Long> f : pool.invokeAll(firstUses)) {
        latest.add(f.get());
      }
      assertThat(latest).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(count(db, "SELECT count(*) FROM checkpoints.nip_checkpoints")).isEqualTo(n);
    } finally {
      pool.shutdownNow();
      storages.forEach(PostgresCheckpointStorage::close);
    }
  }

  @Test
  void a_schema_and_a_prefix_give_a_separate_table_set_created_with_the_documented_ddl(PostgresDatabase db)
      throws SQLException {
    try (PostgresCheckpointStorage plain = storage(db, "p").build();
        PostgresCheckpointStorage other = storage(db, "p").schema("nip").tablePrefix("app1_").build()) {
      assertThat(other.checkpointsTable()).isEqualTo("nip.app1_checkpoints");
      assertThat(other.partsTable()).isEqualTo("nip.app1_checkpoint_parts");
      plain.write(1, "t", bytes("plain"));
      plain.complete(1);
      other.createTablesIfMissing();
      assertThat(other.latestCompleted()).isEmpty();
      other.write(5, "t", bytes("other"));
      other.complete(5);
      assertThat(plain.latestCompleted()).hasValue(1L);
      assertThat(other.read(5, "t")).isEqualTo(bytes("other"));
    }
    assertThat(count(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'nip'"
        + " AND table_name = 'app1_checkpoint_parts' AND column_name IN"
        + " ('pipeline', 'checkpoint_id', 'task_id', 'snapshot', 'written_at')")).isEqualTo(5);
    assertThat(count(db, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'nip'"
        + " AND table_name = 'app1_checkpoints' AND column_name IN"
        + " ('pipeline', 'checkpoint_id', 'completed_at')")).isEqualTo(3);
  }

  @Test
  void tables_made_beforehand_are_used_by_a_role_that_may_not_create_anything(PostgresDatabase db)
      throws SQLException {
    // Given: the DBA created the tables and a role with DML rights only
    try (PostgresCheckpointStorage owner = storage(db, "p").schema("app").build()) {
      owner.createTablesIfMissing();
    }
    String role = "writer_" + db.name();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + role + " LOGIN");
      s.execute("GRANT USAGE ON SCHEMA app TO " + role);
      s.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON app.nip_checkpoints, app.nip_checkpoint_parts TO " + role);
    }
    // When / Then: it may not create in schema app, so the storage must not try to
    try (PostgresCheckpointStorage s = PostgresCheckpointStorage.builder("p").jdbcUrl(db.jdbcUrl())
        .user(role).schema("app").build()) {
      s.write(1, "t", bytes("x"));
      s.complete(1);
      assertThat(s.read(1, "t")).isEqualTo(bytes("x"));
    }
  }

  @Test
  void when_the_server_terminates_the_connections_then_the_next_write_succeeds_on_a_new_one(PostgresDatabase db)
      throws SQLException {
    try (PostgresCheckpointStorage s = storage(db, "billing").poolSize(2).build()) {
      s.write(1, "t", bytes("1"));
      s.complete(1);
      // When: every session of the storage's pool is terminated by the server
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
      }
      // Then
      s.write(2, "t", bytes("2"));
      s.complete(2);
      assertThat(s.read(2, "t")).isEqualTo(bytes("2"));
    }
  }

  @Test
  void when_the_database_is_unreachable_then_the_failure_names_checkpoint_and_table_but_not_the_password(
      EmbeddedPostgres pg) {
    int closedPort = freePort();
    String url = "jdbc:postgresql://localhost:" + closedPort + "/app?password=url-s3cret&connectTimeout=2";
    try (PostgresCheckpointStorage s = PostgresCheckpointStorage.builder("billing").jdbcUrl(url).user("nip")
        .password("builder-s3cret").connectionTimeout(Duration.ofMillis(500)).build()) {
      assertThat(s.name()).contains("localhost:" + closedPort).doesNotContain("s3cret");
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> s.write(7, "keyed-0-1", bytes("x")));
      assertThat(t).isInstanceOf(StorageFailure.class);
      assertThat(t.getMessage()).startsWith("checkpoint 7 of pipeline 'billing', task 'keyed-0-1'")
          .contains("nip_checkpoints").contains("refused").doesNotContain("s3cret");
      for (Throwable c = t; c != null; c = c.getCause()) {
        assertThat(String.valueOf(c.getMessage())).doesNotContain("s3cret");
      }
      assertThatThrownBy(() -> s.complete(7)).isInstanceOf(StorageFailure.class)
          .hasMessageNotContaining("s3cret");
    }
    assertThat(pg.port()).isNotEqualTo(closedPort);
  }

  @Test
  void when_a_statement_fails_then_the_failure_names_the_checkpoint_task_and_table(PostgresDatabase db)
      throws SQLException {
    try (PostgresCheckpointStorage s = storage(db, "billing").build()) {
      s.createTablesIfMissing();
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("ALTER TABLE nip_checkpoint_parts ADD CONSTRAINT small CHECK (octet_length(snapshot) < 4)");
      }
      assertThatThrownBy(() -> s.write(7, "keyed-0-1", bytes("too long")))
          .isInstanceOf(StorageFailure.class)
          .hasMessageStartingWith("checkpoint 7 of pipeline 'billing': could not write the part of task 'keyed-0-1'")
          .hasMessageContaining("nip_checkpoint_parts").hasMessageContaining("SQLState 23514");
    }
  }

  @Test
  void building_validates_every_setting_and_does_no_io() {
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder(" ")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pipeline");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("url: missing");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").jdbcUrl("jdbc:mysql://x/y?password=pw12345"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("jdbc:mysql://x/y?password=***")
        .hasMessageNotContaining("pw12345");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").tablePrefix("Nip-"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("table prefix").hasMessageContaining("'Nip-'");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").schema("x; DROP TABLE y"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("schema");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").retainedCheckpoints(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("retained checkpoints")
        .hasMessageContaining("but was 0");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").connectionTimeout(Duration.ofMillis(10)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("connection timeout");
    assertThatThrownBy(() -> PostgresCheckpointStorage.builder("p").jdbcUrl("jdbc:postgresql://h/db")
        .dataSource(new org.postgresql.ds.PGSimpleDataSource()).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("not both");
    // a URL pointing nowhere builds: the first operation connects
    try (PostgresCheckpointStorage s = PostgresCheckpointStorage.builder("p")
        .jdbcUrl("jdbc:postgresql://localhost:" + freePort() + "/nowhere").build()) {
      assertThat(s.name()).endsWith("/nip_checkpoints#p");
    }
  }

  @Test
  void settings_can_come_from_properties(PostgresDatabase db) {
    try (PostgresCheckpointStorage s = PostgresCheckpointStorage.fromProperties(Map.of("pipeline", "billing",
        "url", db.jdbcUrl(), "user", db.user(), "password", "pw", "schema", "props", "table.prefix", "x_",
        "retained.checkpoints", "3", "pool.size", "2", "connection.timeout", "PT5S")).build()) {
      assertThat(s.pipeline()).isEqualTo("billing");
      assertThat(s.checkpointsTable()).isEqualTo("props.x_checkpoints");
      assertThat(s.retainedCheckpoints()).isEqualTo(3);
      s.write(1, "t", bytes("x"));
      s.complete(1);
      assertThat(s.latestCompleted()).hasValue(1L);
    }
    assertThatThrownBy(() -> PostgresCheckpointStorage.fromProperties(Map.of("pipeline", "p", "colour", "red")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("colour");
    assertThatThrownBy(() -> PostgresCheckpointStorage.fromProperties(Map.of("url", db.jdbcUrl())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pipeline");
    assertThatThrownBy(() -> PostgresCheckpointStorage.fromProperties(Map.of("pipeline", "p", "pool.size", "many")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("pool.size").hasMessageContaining("many");
  }

  @Test
  void it_is_a_checkpoint_storage_whose_data_source_stays_open_when_handed_in(PostgresDatabase db)
      throws SQLException {
    CheckpointStorage s = PostgresCheckpointStorage.builder("p").dataSource(db.dataSource()).build();
    s.write(1, "t", bytes("x"));
    s.complete(1);
    s.close();
    assertThat(count(db, "SELECT count(*) FROM nip_checkpoints")).isEqualTo(1);
    assertThat(s.name()).isEqualTo("postgres:data source PGSimpleDataSource/nip_checkpoints#p");
  }

  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
