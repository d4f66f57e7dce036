package io.nip.jdbc.testing;

import io.nip.jdbc.embedded.PostgresDatabase;

// tag::extension[]
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(PostgresExtension.class)
class PostgresExtensionExampleTest {

  @Test
  void each_test_gets_a_new_empty_database_on_a_real_server(PostgresDatabase db) throws SQLException {
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute("create table orders (id int primary key, amount numeric)");
      s.execute("insert into orders values (1, 12.50)");
      try (ResultSet rs = s.executeQuery("select sum(amount) from orders")) {
        rs.next();
        assertThat(rs.getBigDecimal(1)).isEqualByComparingTo("12.50");
      }
    }
    assertThat(db.jdbcUrl()).startsWith("jdbc:postgresql://").endsWith("/" + db.name());
  }
}
// end::extension[]
