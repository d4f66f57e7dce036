package io.nip.jdbc.testing;

import io.nip.jdbc.embedded.EmbeddedPostgres;
import io.nip.jdbc.embedded.PostgresDatabase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The test support itself: a real server, as root too, databases isolated, stopped on close. */
@ExtendWith(PostgresExtension.class)
class EmbeddedPostgresTest {

  private static String query(PostgresDatabase db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void the_shared_server_is_a_real_postgresql_that_runs_whoever_runs_the_build(EmbeddedPostgres pg,
      PostgresDatabase db) throws SQLException {
    assertThat(query(db, "SHOW server_version")).startsWith("14.");
    assertThat(query(db, "SELECT current_database()")).isEqualTo(db.name());
    assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:" + pg.port() + "/" + db.name());
    assertThat(pg).isSameAs(EmbeddedPostgres.shared());
  }

  @Test
  void each_database_sees_only_its_own_tables(EmbeddedPostgres pg) throws SQLException {
    PostgresDatabase a = pg.createDatabase("iso");
    PostgresDatabase b = pg.createDatabase("iso");
    try (Connection c = a.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (x int)");
    }
    assertThat(query(a, "SELECT to_regclass('t')::text")).isEqualTo("t");
    assertThat(query(b, "SELECT to_regclass('t')::text")).isNull();
  }

  @Test
  void a_started_server_stops_on_close_and_its_port_refuses_connections() throws SQLException {
    EmbeddedPostgres own = EmbeddedPostgres.start();
    PostgresDatabase db = own.createDatabase("own");
    assertThat(query(db, "SELECT 1")).isEqualTo("1");
    own.close();
    assertThatThrownBy(() -> query(db, "SELECT 1")).isInstanceOf(SQLException.class);
    own.close(); // idempotent
  }
}
