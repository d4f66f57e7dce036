package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.errors.ErrorPolicy;
import io.nip.event.Headers;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.testing.PipelineTestDriver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idempotent facade's seen-set, TTL, metric and missing-id policy, through the test driver. The
 * build runs this suite in every driver mode (plain, restored between records, three keyed tasks);
 * the restart test pins its own (a driver over a checkpoint storage).
 */
class IdempotentProcessorTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");

  /** A payment as a producer may send it twice (a retry after a lost acknowledgement). */
  public record Payment(String eventId, String account, long cents) {}

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private Pipeline pipeline(IdempotentProcessor<Payment> processor) {
    return processor.pipeline(Sources.collection("payments", List.<Payment>of()),
        PipelineConfig.builder().meterRegistry(registry).build());
  }

  private double duplicates(String pipeline, String operator) {
    Counter c = registry.find("nip.idempotent.duplicates").tag("pipeline", pipeline).tag("operator", operator)
        .counter();
    return c == null ? 0 : c.count();
  }

  /** The ids of the per-test driver's outputs, in order per id (every mode keeps the order of one key). */
  private static List<String> ids(List<Payment> payments) {
    List<String> ids = new ArrayList<>();
    payments.forEach(p -> ids.add(p.eventId()));
    return ids;
  }

  @Test
  void when_the_same_id_arrives_twice_then_the_first_passes_and_the_second_is_dropped_and_counted() {
    // Given a processor deduplicating by event id
    CollectingSink<Payment> out = Sinks.collecting("out");
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("dedup")
        .idKey(Payment::eventId).sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(processor), T0)) {
      // When p-1 arrives, then p-2, then p-1 again (with another amount: the id decides, not the payload)
      Payment first = new Payment("p-1", "acc-7", 1_250);
      d.<Payment>input("payments").pipe(first, T0.plusSeconds(1))
          .pipe(new Payment("p-2", "acc-7", 300), T0.plusSeconds(2))
          .pipe(new Payment("p-1", "acc-7", 9_999), T0.plusSeconds(3));

      // Then the first p-1 and p-2 pass; the second p-1 is dropped and counted
      assertThat(d.output(out)).containsExactlyInAnyOrder(first, new Payment("p-2", "acc-7", 300));
      assertThat(duplicates("dedup", "dedup")).isEqualTo(1.0);
      // and the seen-set is keyed state of the operator named after the processor
      assertThat(d.state("dedup", IdempotentProcessor.SEEN_STORE)).containsOnlyKeys("p-1", "p-2");
    }
  }

  @Test
  void when_many_events_repeat_ids_then_each_id_passes_once_in_arrival_order_per_id() {
    CollectingSink<Payment> out = Sinks.collecting("out");
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("dedup")
        .idKey(Payment::eventId).sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(processor), T0)) {
      // Given 60 events over 20 ids, each id three times
      for (int i = 0; i < 60; i++) {
        d.<Payment>input("payments").pipe(new Payment("p-" + (i % 20), "acc", i), T0.plusSeconds(i));
      }

      // Then every id passed once, with its first payload, and 40 duplicates were counted
      assertThat(d.output(out)).hasSize(20).allSatisfy(p -> assertThat(p.cents()).isLessThan(20));
      assertThat(ids(d.output(out))).doesNotHaveDuplicates();
      assertThat(duplicates("dedup", "dedup")).isEqualTo(40.0);
    }
  }

  @Test
  void an_id_is_remembered_for_the_ttl_after_its_first_acceptance_and_a_duplicate_does_not_extend_it() {
    // Given ids remembered for ten minutes of pipeline clock
    CollectingSink<Payment> out = Sinks.collecting("out");
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("dedup")
        .idKey(Payment::eventId).seenTtl(Duration.ofMinutes(10)).sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(processor), T0)) {
      d.<Payment>input("payments").pipe(new Payment("p-1", "acc", 1), T0);

      // When a duplicate arrives nine minutes later, it is dropped (and does not refresh the entry)
      d.advanceWallClockTime(Duration.ofMinutes(9));
      d.<Payment>input("payments").pipe(new Payment("p-1", "acc", 2), T0.plusSeconds(540));
      assertThat(d.output(out)).extracting(Payment::cents).containsExactly(1L);

      // When the clock reaches ten minutes after the first acceptance, the id is forgotten
      d.advanceWallClockTime(Duration.ofMinutes(1));
      assertThat(d.state("dedup", IdempotentProcessor.SEEN_STORE)).isEmpty();
      d.<Payment>input("payments").pipe(new Payment("p-1", "acc", 3), T0.plusSeconds(600));

      // Then it passes again, and is remembered again from now on
      assertThat(d.output(out)).extracting(Payment::cents).containsExactly(1L, 3L);
      assertThat(d.state("dedup", IdempotentProcessor.SEEN_STORE)).containsOnlyKeys("p-1");
      assertThat(duplicates("dedup", "dedup")).isEqualTo(1.0);
    }
  }

  @Test
  void the_seen_set_holds_only_the_ids_accepted_within_the_ttl() {
    CollectingSink<Payment> out = Sinks.collecting("out");
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("dedup")
        .idKey(Payment::eventId).seenTtl(Duration.ofSeconds(30)).sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(processor), T0)) {
      // Given one new id per second for two minutes
      for (int i = 0; i < 120; i++) {
        d.<Payment>input("payments").pipe(new Payment("p-" + i, "acc", i), T0.plusSeconds(i));
        d.advanceWallClockTime(Duration.ofSeconds(1));
      }

      // Then, at T0 + 120 s, the seen-set holds the ids accepted in the last 30 seconds only (p-91 to
      // p-119; p-90's 30 s ended just now): its bound is rate × TTL
      assertThat(d.state("dedup", IdempotentProcessor.SEEN_STORE)).hasSize(29).containsKeys("p-91", "p-119")
          .doesNotContainKey("p-90");
      assertThat(d.output(out)).hasSize(120);
    }
  }

  @Test
  void when_an_event_has_no_id_then_it_goes_to_the_dead_letter_sink_with_the_reason_and_not_downstream() {
    // Given a processor whose events without id go to a dead-letter sink
    CollectingSink<Payment> out = Sinks.collecting("out");
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("dedup")
        .idKey(Payment::eventId).onMissingId(ErrorPolicy.deadLetter(dlq)).sink(out);
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(processor), T0)) {
      // When one event has a null id and one an empty id, between two good ones
      d.<Payment>input("payments").pipe(new Payment("p-1", "acc", 1), T0.plusSeconds(1))
          .pipe(new Payment(null, "acc", 2), T0.plusSeconds(2), Headers.of("line", "2".getBytes(StandardCharsets.UTF_8)))
          .pipe(new Payment("", "acc", 3), T0.plusSeconds(3))
          .pipe(new Payment("p-4", "acc", 4), T0.plusSeconds(4));

      // Then the good ones pass, and the two others are dead letters naming the check and the reason
      assertThat(d.output(out)).extracting(Payment::cents).containsExactly(1L, 4L);
      List<DeadLetter> letters = d.output(dlq);
      assertThat(letters).hasSize(2).allSatisfy(l -> {
        assertThat(l.operator()).isEqualTo("dedup.id-check");
        assertThat(l.pipeline()).isEqualTo("dedup");
        assertThat(l.errorMessage()).contains("IdempotentProcessor 'dedup'", "has no id", "cannot be deduplicated");
      });
      assertThat(letters.get(0).errorMessage()).contains("idKey gave null");
      assertThat(letters.get(0).value()).contains("\"cents\":2");
      assertThat(letters.get(0).headers().lastString("line")).isEqualTo("2");
      assertThat(letters.get(1).errorMessage()).contains("an empty string");
      assertThat(duplicates("dedup", "dedup")).isZero();
    }
  }

  @Test
  void without_its_own_policy_an_event_without_id_follows_the_pipeline_policy() {
    CollectingSink<Payment> out = Sinks.collecting("out");
    CollectingSink<DeadLetter> dlq = Sinks.collecting("dlq");
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("dedup")
        .idKey(Payment::eventId).sink(out);
    Pipeline p = processor.pipeline(Sources.collection("payments", List.<Payment>of()),
        PipelineConfig.builder().errorPolicy(ErrorPolicy.deadLetter(dlq)).build());
    try (PipelineTestDriver d = PipelineTestDriver.of(p, T0)) {
      d.<Payment>input("payments").pipe(new Payment(null, "acc", 2), T0.plusSeconds(2));
      assertThat(d.output(out)).isEmpty();
      assertThat(d.output(dlq)).singleElement().satisfies(l -> assertThat(l.errorMessage()).contains("has no id"));
    }
  }

  @Test
  void the_idempotent_operation_runs_once_per_accepted_event() {
    // Given the tutorial's decorator as a callback (the database write is nip-jdbc's IdempotentWrites)
    List<String> written = Collections.synchronizedList(new ArrayList<>());
    // tag::idempotent-processor[]
    IdempotentProcessor<Payment> processor = IdempotentProcessor.<Payment>named("idempotent_processor")
        .idKey(Payment::eventId)
        .seenTtl(Duration.ofHours(24))
        .idempotentOperation(p -> written.add(p.eventId() + ":" + p.cents()));
    // end::idempotent-processor[]
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(processor), T0)) {
      d.<Payment>input("payments").pipeAll(new Payment("p-1", "a", 1), new Payment("p-1", "a", 1),
          new Payment("p-2", "a", 2));
      assertThat(written).containsExactlyInAnyOrder("p-1:1", "p-2:2");
      assertThat(d.output("idempotent_processor.operation-1")).hasSize(2);
    }
  }

  @Test
  void when_restarted_from_a_checkpoint_then_an_id_seen_before_the_restart_is_still_dropped(@TempDir Path dir) {
    CheckpointStorage storage = CheckpointStorage.localDirectory(dir);
    Payment a = new Payment("p-a", "acc", 1);
    Payment b = new Payment("p-b", "acc", 2);
    Payment aAgain = new Payment("p-a", "acc", 3);
    Payment c = new Payment("p-c", "acc", 4);

    // Given a first run that accepted a and b and completed a checkpoint
    CollectingSink<Payment> out1 = Sinks.collecting("out");
    try (PipelineTestDriver first = PipelineTestDriver.withCheckpoints(
        pipeline(IdempotentProcessor.<Payment>named("dedup").idKey(Payment::eventId).sink(out1)), T0, storage)) {
      first.<Payment>input("payments").pipeAll(a, b);
      first.checkpoint();
      assertThat(first.output(out1)).containsExactly(a, b);
    }

    // When a new pipeline starts from that checkpoint and the input continues with a's id again, then c
    CollectingSink<Payment> out2 = Sinks.collecting("out");
    try (PipelineTestDriver second = PipelineTestDriver.withCheckpoints(
        pipeline(IdempotentProcessor.<Payment>named("dedup").idKey(Payment::eventId).sink(out2)), T0, storage)) {
      second.<Payment>input("payments").pipeAll(a, b, aAgain, c);

      // Then a and b are not read again (before the checkpoint), a's id is dropped, c passes
      assertThat(second.output(out2)).containsExactly(c);
      assertThat(second.state("dedup", IdempotentProcessor.SEEN_STORE)).containsOnlyKeys("p-a", "p-b", "p-c");
    }
    assertThat(duplicates("dedup", "dedup")).isEqualTo(1.0);
  }

  @Test
  void bad_configuration_is_refused_naming_the_setting() {
    assertThatThrownBy(() -> IdempotentProcessor.named("no spaces"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("IdempotentProcessor name");
    IdempotentProcessor<Payment> p = IdempotentProcessor.named("dedup");
    assertThatThrownBy(() -> p.seenTtl(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("seenTtl").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> p.seenTtl(Duration.ofDays(4_000)))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("seenTtl");
    assertThatThrownBy(() -> p.pipeline(Sources.collection("payments", List.of())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("idKey");
    p.idKey(Payment::eventId);
    assertThatThrownBy(() -> p.idKey(Payment::account))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> p.pipeline(Sources.collection("payments", List.of())))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("idempotentOperation");
    assertThat(p.seenTtl()).isEqualTo(IdempotentProcessor.DEFAULT_SEEN_TTL);
  }
}
