package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.examples.analytics.UserEventFeed;
import io.nip.examples.fraud.FraudPipeline;
import io.nip.examples.fraud.FraudRules;
import io.nip.examples.fraud.PaymentFeed;
import io.nip.kafka.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nip demo fraud} (embedded broker and PostgreSQL) and {@code nip run fraud} over a loaded topic. */
class FraudCommandTest {
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  private long number(String label) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9,]+)$").matcher(err.toString());
    assertThat(m.find()).as("summary row '%s' in:%n%s", label, err).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void when_the_demo_runs_on_generated_payments_then_alerts_reach_the_file_and_the_summary_adds_up(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("alerts.jsonl");

    int code = run("demo", "fraud", "--events", "5000", "--output", out.toString());

    assertThat(code).as("exit code; standard error:%n%s", err).isZero();
    assertThat(number("lines in")).isEqualTo(5_000);
    assertThat(number("events in")).isEqualTo(5_000);
    assertThat(number("bad lines")).isZero();
    long alerts = number("alerts");
    assertThat(Files.readAllLines(out)).hasSize((int) alerts);
    long perPattern = 0;
    for (String p : FraudRules.PATTERNS) {
      assertThat(number("  " + p)).as(p).isPositive();
      perPattern += number("  " + p);
    }
    assertThat(perPattern).isEqualTo(alerts);
    assertThat(number("labelled alerts")).isPositive().isLessThanOrEqualTo(alerts);
    assertThat(err.toString()).contains("false-positive rate", "table fraud_alerts in embedded PostgreSQL");
  }

  @Test
  void when_run_fraud_reads_a_loaded_topic_bounded_then_it_reports_its_alerts() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopic(FraudPipeline.INPUT_TOPIC, 3);
      try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), FraudPipeline.INPUT_TOPIC)) {
        PaymentFeed.generate(3_000, 7, feed::sendLine);
        feed.sendLine("{\"user_id\":\"c1\",\"event_type\":\"payment\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }

      int code = run("run", "fraud", "--bootstrap-servers", kafka.bootstrapServers(), "--bounded");

      assertThat(code).as("exit code; standard error:%n%s", err).isZero();
      assertThat(number("events in")).isEqualTo(3_001);
      assertThat(number("bad lines")).isEqualTo(1);
      assertThat(number("alerts")).isPositive();
      assertThat(err.toString()).contains("nip run fraud: started", "alerts written to fraud-alerts");
    }
  }
}
