package io.nip.jdbc.testing;

import io.nip.jdbc.embedded.EmbeddedPostgres;
import io.nip.jdbc.embedded.PostgresDatabase;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real PostgreSQL: parameters of type {@link EmbeddedPostgres}
 * receive the server shared by the whole JVM ({@link EmbeddedPostgres#shared()}, started on first
 * use, a few seconds), and parameters of type {@link PostgresDatabase} a new empty database on it,
 * named after the test class, one per test (or per class for a {@code @BeforeAll} parameter), left
 * in place until the server stops.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class OrdersTest {
 *   @Test
 *   void stores_an_order(PostgresDatabase db) { ... db.jdbcUrl() ... }
 * }
 * }</pre>
 */
public final class PostgresExtension implements ParameterResolver {

  /** Creates the extension (JUnit does, through {@code @ExtendWith}). */
  public PostgresExtension() {}

  /** @return whether the parameter is an {@link EmbeddedPostgres} or a {@link PostgresDatabase} */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
    Class<?> type = parameter.getParameter().getType();
    return type == EmbeddedPostgres.class || type == PostgresDatabase.class;
  }

  /**
   * @return the shared server, or a new database on it
   * @throws ParameterResolutionException when the server cannot be started, saying why
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
    try {
      EmbeddedPostgres server = EmbeddedPostgres.shared();
      if (parameter.getParameter().getType() == EmbeddedPostgres.class) {
        return server;
      }
      String prefix = extension.getRequiredTestClass().getSimpleName()
          .replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
      return server.createDatabase(prefix.length() > 40 ? prefix.substring(0, 40) : prefix);
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException("no PostgreSQL for " + parameter.getParameter() + ": " + e.getMessage(), e);
    }
  }
}
