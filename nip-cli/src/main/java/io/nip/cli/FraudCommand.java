package io.nip.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.fraud.AlertTable;
import io.nip.examples.fraud.FraudPipeline;
import io.nip.examples.fraud.PaymentFeed;
import io.nip.jdbc.embedded.EmbeddedPostgres;
import io.nip.jdbc.embedded.PostgresDatabase;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.Guarantee;
import io.nip.pipeline.PipelineConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code nip demo fraud}: the tutorial's exercise 3 on Kafka (embedded broker unless
 * {@code --bootstrap-servers}) with alerts in PostgreSQL (an embedded server unless
 * {@code --jdbc-url}), over generated payments ({@link PaymentFeed}) or a JSON-lines file; prints a
 * summary to standard error.
 */
@Command(name = "fraud", mixinStandardHelpOptions = true,
    description = {
        "Exercise 3: user-events -> strict parse (bad lines to user-events-dlq) -> per user, in event-time order,",
        "the rules failed_payments (3 failed payments within 5 min), multi_country (3 countries within 1 h) and",
        "spending_spike (more than 10x the mean of at least 3 earlier successful payments); first rule wins; at",
        "most one alert per user per hour -> fraud-alerts, --output and the PostgreSQL table fraud_alerts",
        "(idempotent on user_id, pattern, detected_at). Without --bootstrap-servers an embedded Kafka broker is",
        "started, without --jdbc-url an embedded PostgreSQL server. Without --input, payments are generated.",
        "Prints counts, alerts per pattern and the false-positive rate (properties.label_fraud) to standard error.",
        "Exit codes: 0 done, 1 the run failed, 2 bad arguments or files."})
public final class FraudCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--events", paramLabel = "N", defaultValue = "20000",
      description = "events to generate (default: ${DEFAULT-VALUE}); not with --input")
  long events;

  @Option(names = "--input", paramLabel = "FILE.jsonl", description = "read user events from this JSON-lines file")
  Path input;

  @Option(names = "--output", paramLabel = "FILE.jsonl",
      description = "also write the alerts here as JSON lines (besides topic fraud-alerts and the table)")
  Path output;

  @Option(names = "--jdbc-url", paramLabel = "URL",
      description = "store the alerts in this PostgreSQL database instead of an embedded server")
  String jdbcUrl;

  @Option(names = "--jdbc-user", paramLabel = "USER", description = "user of --jdbc-url (password: PGPASSWORD)")
  String jdbcUser;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "use this Kafka cluster instead of starting an embedded broker")
  String bootstrapServers;

  @Option(names = GuaranteeOption.NAME, paramLabel = GuaranteeOption.VALUES,
      description = "what the output topic promises after a failure (default: at-least-once); the table is "
          + "idempotent either way")
  String guarantee;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "generator seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    Guarantee g = GuaranteeOption.parse(guarantee);
    validate();
    if (bootstrapServers != null) {
      BootstrapCheck.require(bootstrapServers);
    }
    PrintWriter err = spec.commandLine().getErr();
    try (EmbeddedKafka kafka = bootstrapServers == null ? EmbeddedKafka.start() : null;
        Database db = Database.open(jdbcUrl, jdbcUser)) {
      String servers = kafka != null ? kafka.bootstrapServers() : bootstrapServers;
      KafkaTopics.ensure(servers, List.of(new NewTopic(FraudPipeline.INPUT_TOPIC, 3, (short) 1),
          new NewTopic(FraudPipeline.OUTPUT_TOPIC, 3, (short) 1), new NewTopic(FraudPipeline.DLQ_TOPIC, 1, (short) 1)),
          FraudPipeline.OUTPUT_TOPIC);
      long lines = load(servers);
      AlertTable table = AlertTable.of(db.dataSource(), AlertTable.DEFAULT_TABLE);
      table.createIfMissing();
      FraudPipeline.Builder b = FraudPipeline.builder(servers).groupId("nip-demo-fraud-" + UUID.randomUUID())
          .bounded().guarantee(g).alertTable(table).config(PipelineConfig.builder().guarantee(g).build());
      if (output != null) {
        b.outputFile(output);
      }
      FraudPipeline job = b.build();
      long start = System.nanoTime();
      job.start().awaitTermination();
      new FraudReport("nip demo fraud", job, Duration.ofNanos(System.nanoTime() - start))
          .where(FraudPipeline.OUTPUT_TOPIC + (kafka != null ? " (embedded broker)" : " on " + servers)
              + (output != null ? ", " + output : "") + ", table " + table.name() + " in " + db.description())
          .print(err, lines);
      return 0;
    }
  }

  private long load(String servers) {
    AtomicLong n = new AtomicLong();
    try (UserEventFeed feed = UserEventFeed.open(servers, FraudPipeline.INPUT_TOPIC)) {
      if (input == null) {
        PaymentFeed.generate(events, seed, line -> {
          feed.sendLine(line);
          n.incrementAndGet();
        });
      } else {
        try (java.util.stream.Stream<String> ls = Files.lines(input)) {
          ls.filter(l -> !l.isBlank()).forEach(l -> {
            feed.sendLine(l.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            n.incrementAndGet();
          });
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read --input " + input, e);
        }
      }
    }
    return n.get();
  }

  private void validate() {
    boolean eventsGiven = spec.commandLine().getParseResult().hasMatchedOption("--events");
    if (input != null && eventsGiven) {
      throw new NipCommand.UsageException("--events and --input exclude each other: give one of them");
    }
    if (events < 1) {
      throw new NipCommand.UsageException("--events must be at least 1, but was " + events);
    }
    if (input != null && (!Files.isRegularFile(input) || !Files.isReadable(input))) {
      throw new NipCommand.UsageException("--input " + input + ": no such readable file");
    }
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new NipCommand.UsageException("--jdbc-url " + jdbcUrl + ": not a jdbc:postgresql: URL");
    }
  }

  /** The alerts' database: a pool on the given URL, or an embedded server with a fresh database. */
  static final class Database implements AutoCloseable {
    private final EmbeddedPostgres server;
    private final HikariDataSource pool;
    private final String description;

    private Database(EmbeddedPostgres server, HikariDataSource pool, String description) {
      this.server = server;
      this.pool = pool;
      this.description = description;
    }

    /**
     * @param url a {@code jdbc:postgresql:} URL, or null for an embedded server
     * @param user the user of the URL, or null for the driver's default
     * @return the open database
     */
    static Database open(String url, String user) {
      EmbeddedPostgres server = null;
      String jdbc = url;
      String u = user;
      String description = url;
      if (url == null) {
        server = EmbeddedPostgres.start();
        PostgresDatabase db = server.createDatabase("fraud");
        jdbc = db.jdbcUrl();
        u = db.user();
        description = "embedded PostgreSQL (" + jdbc + ", removed at exit)";
      }
      HikariConfig c = new HikariConfig();
      c.setJdbcUrl(jdbc);
      if (u != null) {
        c.setUsername(u);
      }
      String password = System.getenv("PGPASSWORD");
      if (url != null && password != null) {
        c.setPassword(password);
      }
      c.setMaximumPoolSize(4);
      return new Database(server, new HikariDataSource(c), description);
    }

    DataSource dataSource() {
      return pool;
    }

    String description() {
      return description;
    }

    @Override
    public void close() {
      pool.close();
      if (server != null) {
        server.close();
      }
    }
  }
}
