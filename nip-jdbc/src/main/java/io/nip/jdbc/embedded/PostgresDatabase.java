package io.nip.jdbc.embedded;

import java.util.Objects;
import javax.sql.DataSource;

/**
 * A database of an {@link EmbeddedPostgres} server, made for one test.
 *
 * @param name the database name
 * @param jdbcUrl {@code jdbc:postgresql://localhost:<port>/<name>}, without credentials
 * @param user the user to connect as (any password is accepted)
 * @param dataSource a non-pooling data source connecting as {@code user}
 */
public record PostgresDatabase(String name, String jdbcUrl, String user, DataSource dataSource) {
  /** Checks that no component is null. */
  public PostgresDatabase {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(dataSource, "dataSource");
  }
}
