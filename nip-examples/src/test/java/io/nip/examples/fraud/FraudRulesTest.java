package io.nip.examples.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.errors.SerializationException;
import io.nip.examples.FanOutSink;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.DriverMode;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exercise 3's rules on the test driver, in every mode, against {@link FraudReference}. */
class FraudRulesTest {

  @ParameterizedTest
  @EnumSource(DriverMode.class)
  void when_generated_payments_with_every_edge_are_evaluated_then_the_alerts_equal_the_reference(DriverMode mode) {
    // Given input with the edges, random users and bad lines
    FraudData data = FraudData.generate(7, 60, 30);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<DeadLetter> dlq = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    FraudPipeline.Counters counters = new FraudPipeline.Counters();
    Pipeline p = Pipeline.named("fraud", PipelineConfig.builder().meterRegistry(registry)
        .errorPolicy(ErrorPolicy.deadLetter(new FanOutSink<>("dead-letters",
            List.<Sink<? super DeadLetter>>of(Sinks.forEach("dlq", dlq::add), counters.badRecordCounter())))).build());
    FraudMonitor monitor = new FraudMonitor(registry, "fraud");
    CollectingSink<FraudAlert> alerts = Sinks.collecting("alerts");
    FraudPipeline.detect(p.from(Sources.<Payment>collection("user-events", List.of()),
        WatermarkStrategy.<Payment>boundedOutOfOrderness(Duration.ofSeconds(30)).withTimestamps(Payment::eventTime)),
        counters, monitor).to(alerts);

    // When every line is parsed by the job's serde and piped in input order
    PaymentEventSerde serde = new PaymentEventSerde();
    try (PipelineTestDriver d = PipelineTestDriver.of(p, FraudData.T0, mode)) {
      TestInput<Payment> in = d.input("user-events");
      for (FraudData.Line l : data.lines) {
        try {
          in.pipe(serde.deserialize(l.bytes()));
        } catch (SerializationException e) {
          in.pipeFailure(l.bytes(), e);
        }
      }
      d.endAllInputs();

      // Then the alerts are exactly the reference's, bad lines dead-lettered and counted
      List<String> expected = FraudReference.alerts(data.payments);
      List<String> got = d.output(alerts).stream().map(FraudReference::render).toList();
      if (mode == DriverMode.PLAIN) {
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
      } else {
        assertThat(FraudReference.distinct(got)).containsExactlyInAnyOrderElementsOf(expected);
      }
      assertThat(expected).contains(
          FraudReference.render("f300", "failed_payments", FraudData.T0.plusSeconds(300), ids(data, "f300", 0, 3), false),
          FraudReference.render("ftie", "failed_payments", FraudData.T0.plusSeconds(5), ids(data, "ftie", 0, 3), true),
          FraudReference.render("c60", "multi_country", FraudData.T0.plusSeconds(3600), ids(data, "c60", 0, 3), false),
          FraudReference.render("s10", "spending_spike", FraudData.T0.plusSeconds(240), ids(data, "s10", 4, 5), true));
      assertThat(expected).noneMatch(s -> s.startsWith("f301|") || s.startsWith("f2|") || s.startsWith("c61|")
          || s.startsWith("s2|") || s.startsWith("s10|spending_spike|" + FraudData.T0.plusSeconds(180)));
      assertThat(expected).filteredOn(s -> s.startsWith("thr|")).hasSize(2);
      for (String pattern : FraudRules.PATTERNS) {
        assertThat(expected).filteredOn(s -> s.startsWith("r") && s.contains("|" + pattern + "|")).isNotEmpty();
      }
      assertThat(dlq).hasSize((int) data.badLines());
      assertThat(dlq).extracting((DeadLetter x) -> String.valueOf(x.errorMessage())).anyMatch(m -> m.contains("properties.amount"));
      assertThat(counters.badRecords()).isEqualTo(data.badLines());
      assertThat(counters.latePayments()).isZero();
      if (mode == DriverMode.PLAIN) {
        long labelled = expected.stream().filter(s -> !s.endsWith("|null")).count();
        long falsePositives = expected.stream().filter(s -> s.endsWith("|false")).count();
        assertThat(monitor.labelledAlerts()).isEqualTo(labelled);
        assertThat(monitor.falsePositives()).isEqualTo(falsePositives);
        assertThat(registry.get(FraudMonitor.RATE_METRIC).tag("pattern", "all").gauge().value())
            .isEqualTo((double) falsePositives / labelled);
      }
    }
  }

  private static List<String> ids(FraudData data, String user, int from, int to) {
    return data.payments.stream().filter(p -> p.user().equals(user))
        .sorted(java.util.Comparator.comparingLong(FraudData.Pay::millis)).map(FraudData.Pay::id).toList()
        .subList(from, to);
  }
}
