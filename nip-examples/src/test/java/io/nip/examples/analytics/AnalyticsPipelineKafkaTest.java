package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferManager;
import io.nip.backpressure.RateLimiter;
import io.nip.errors.DeadLetter;
import io.nip.kafka.embedded.EmbeddedKafka;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exercise 1 end to end on a real broker, checked against a reference computed here: the
 * generated events grouped by user and 5-minute window directly.
 */
class AnalyticsPipelineKafkaTest {
  private static EmbeddedKafka kafka;

  /** Expected result of one user's window. */
  record Expected(long count, long types, double total) {}

  record WindowKey(String user, Instant start) {}

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  /** Topics of one test, named apart so tests share the broker. */
  private static Topics topics(String prefix) {
    Topics t = new Topics(prefix + "-in", prefix + "-out", prefix + "-dlq");
    kafka.createTopic(t.in, 3);
    kafka.createTopic(t.out, 3);
    kafka.createTopic(t.dlq, 1);
    return t;
  }

  record Topics(String in, String out, String dlq) {}

  private static AnalyticsPipeline.Builder job(Topics t, String group) {
    return AnalyticsPipeline.builder(kafka.bootstrapServers()).inputTopic(t.in).outputTopic(t.out)
        .deadLetterTopic(t.dlq).groupId(group)
        .config(PipelineConfig.builder().threads(2).commitInterval(Duration.ofMillis(200)).build());
  }

  private static List<byte[]> produce(String topic, UserEventFeed.Spec spec) {
    List<byte[]> lines = new ArrayList<>();
    try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), topic)) {
      UserEventFeed.generate(spec, (k, v) -> {
        feed.send(k, v);
        lines.add(v);
      });
    }
    return lines;
  }

  private static void produceLines(String topic, List<byte[]> lines) {
    try (UserEventFeed feed = UserEventFeed.open(kafka.bootstrapServers(), topic)) {
      lines.forEach(feed::sendLine);
    }
  }

  /** The reference model: human users' events grouped by user and epoch-aligned 5-minute window. */
  private static Map<WindowKey, Expected> reference(List<byte[]> lines) {
    AnalyticsEventSerde serde = new AnalyticsEventSerde();
    Map<WindowKey, List<AnalyticsEvent>> groups = new HashMap<>();
    long size = AnalyticsPipeline.WINDOW.toMillis();
    for (byte[] line : lines) {
      AnalyticsEvent e = serde.deserialize(line);
      if (!e.isBot()) {
        long ms = e.eventTime().toEpochMilli();
        Instant start = Instant.ofEpochMilli(Math.floorDiv(ms, size) * size);
        groups.computeIfAbsent(new WindowKey(e.userId(), start), k -> new ArrayList<>()).add(e);
      }
    }
    Map<WindowKey, Expected> out = new HashMap<>();
    groups.forEach((k, es) -> out.put(k, new Expected(es.size(),
        es.stream().map(AnalyticsEvent::eventType).distinct().count(),
        es.stream().mapToDouble(AnalyticsEvent::value).sum())));
    return out;
  }

  /** Reads the topic up to its end offsets (all of it: duplicates included), or at least {@code atLeast} records. */
  private static List<ConsumerRecord<String, byte[]>> readAll(String topic, int atLeast) {
    Map<String, Object> props = new HashMap<>(kafka.consumerProperties("reader-" + topic + "-" + System.nanoTime()));
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props)) {
      List<org.apache.kafka.common.TopicPartition> tps = c.partitionsFor(topic).stream()
          .map(pi -> new org.apache.kafka.common.TopicPartition(topic, pi.partition())).collect(Collectors.toList());
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        Map<org.apache.kafka.common.TopicPartition, Long> ends = c.endOffsets(tps);
        c.poll(Duration.ofMillis(200)).forEach(out::add);
        boolean atEnd = tps.stream().allMatch(tp -> c.position(tp) >= ends.get(tp));
        if (atEnd && out.size() >= atLeast) {
          break;
        }
      }
    }
    return out;
  }

  private static List<UserWindowSummary> summaries(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> {
      UserWindowSummary s = UserWindowSummary.SERDE.deserialize(r.value());
      assertThat(r.key()).isEqualTo(s.userId());
      return s;
    }).collect(Collectors.toList());
  }

  private static boolean matches(UserWindowSummary s, Expected e) {
    return s.eventCount() == e.count() && s.uniqueEventTypes() == e.types()
        && Math.abs(s.totalValue() - e.total()) < 1e-6;
  }

  /** Every expected window has an output with exactly its result; no output counts more events. */
  private static void assertNoWindowLostAnEvent(Map<WindowKey, Expected> expected, List<UserWindowSummary> got) {
    Map<WindowKey, List<UserWindowSummary>> byWindow = got.stream()
        .collect(Collectors.groupingBy(s -> new WindowKey(s.userId(), s.windowStart())));
    assertThat(byWindow.keySet()).as("windows with output").isEqualTo(expected.keySet());
    expected.forEach((k, e) -> {
      List<UserWindowSummary> outs = byWindow.get(k);
      assertThat(outs).as("outputs of %s", k).anyMatch(s -> matches(s, e))
          .allMatch(s -> s.eventCount() <= e.count() && s.windowEnd().equals(k.start().plus(AnalyticsPipeline.WINDOW)));
    });
  }

  /** Without and with {@link AnalyticsPipeline.Builder#inputKeyedByUser()} (the input is keyed by user). */
  private static AnalyticsPipeline.Builder job(Topics t, String group, boolean keyedInput) {
    AnalyticsPipeline.Builder b = job(t, group);
    return keyedInput ? b.inputKeyedByUser() : b;
  }

  @ParameterizedTest(name = "input keyed by user declared: {0}")
  @ValueSource(booleans = {false, true})
  void when_a_generated_stream_is_processed_then_every_window_equals_the_reference(boolean keyedInput,
      @TempDir Path dir) throws Exception {
    // Given 30,000 generated events (2,000 users, 5% bots, three hours) in a 3-partition topic
    Topics t = topics("reference-" + keyedInput);
    List<byte[]> lines = produce(t.in, UserEventFeed.Spec.defaults(30_000).withUsers(2_000));
    Map<WindowKey, Expected> expected = reference(lines);
    Path file = dir.resolve("out.jsonl");

    // When exercise 1 runs as a bounded job
    AnalyticsPipeline job = job(t, "reference-job-" + keyedInput, keyedInput).bounded().outputFile(file).build();
    assertThat(job.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then each (user, window) appears exactly once, with the reference's numbers, in Kafka and in the file
    List<UserWindowSummary> got = summaries(readAll(t.out, expected.size()));
    assertThat(got).hasSize(expected.size());
    assertNoWindowLostAnEvent(expected, got);
    assertThat(Files.readAllLines(file)).hasSize(expected.size());
    assertThat(job.counters().eventsIn()).isEqualTo(30_000);
    assertThat(job.counters().botsFiltered())
        .isEqualTo(lines.stream().filter(l -> new String(l, StandardCharsets.UTF_8).contains("\"bot_")).count());
    assertThat(job.counters().badRecords()).isZero();
    assertThat(job.counters().lateEvents()).isZero();
    assertThat(job.counters().windowsOut()).isEqualTo(expected.size());
    assertThat(job.latency().count()).isPositive().isLessThanOrEqualTo(30_000 - job.counters().botsFiltered());
  }

  @Test
  void when_the_bot_filter_is_a_step_of_the_application_then_it_sees_every_event_and_the_windows_equal_the_reference() {
    // Given 10,000 generated events, bots among them
    Topics t = topics("bot-filter-step");
    List<byte[]> lines = produce(t.in, UserEventFeed.Spec.defaults(10_000).withUsers(1_000));
    Map<WindowKey, Expected> expected = reference(lines);
    java.util.concurrent.atomic.LongAdder seen = new java.util.concurrent.atomic.LongAdder();

    // When the bot filter runs as the application's own step (one that counts what it sees)
    AnalyticsPipeline job = job(t, "bot-filter-step-job")
        .botFilter((events, keep) -> events.filter(e -> {
          seen.increment();
          return keep.test(e);
        }, io.nip.pipeline.Op.named(AnalyticsPipeline.BOT_FILTER)))
        .bounded().build();
    assertThat(job.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then the step saw every event, the bots were counted as usual, and every window is the reference's
    List<UserWindowSummary> got = summaries(readAll(t.out, expected.size()));
    assertThat(got).hasSize(expected.size());
    assertNoWindowLostAnEvent(expected, got);
    assertThat(seen.sum()).isEqualTo(10_000);
    assertThat(job.counters().botsFiltered()).isPositive()
        .isEqualTo(lines.stream().filter(l -> new String(l, StandardCharsets.UTF_8).contains("\"bot_")).count());
  }

  @Test
  void when_backpressure_blocks_and_the_rate_limit_does_not_bind_then_every_window_still_equals_the_reference() {
    // Given 30,000 generated events
    Topics t = topics("backpressure-block");
    List<byte[]> lines = produce(t.in, UserEventFeed.Spec.defaults(30_000).withUsers(2_000));
    Map<WindowKey, Expected> expected = reference(lines);
    MeterRegistry registry = new SimpleMeterRegistry();

    // When exercise 1 runs with a blocking input buffer and a rate limit far above its pace
    AnalyticsPipeline job = job(t, "backpressure-block-job")
        .config(PipelineConfig.builder().threads(2).meterRegistry(registry).build())
        .backpressure(BufferManager.of(1_000, BackpressureStrategy.BLOCK))
        .rateLimit(new RateLimiter(10_000_000, 1_000_000)).bounded().build();
    assertThat(job.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then nothing was dropped and every window is exactly the reference's
    List<UserWindowSummary> got = summaries(readAll(t.out, expected.size()));
    assertThat(got).hasSize(expected.size());
    assertThat(got).allMatch(s -> matches(s, expected.get(new WindowKey(s.userId(), s.windowStart()))));
    assertThat(registry.find("nip.buffer.dropped").counters()).isNotEmpty()
        .allSatisfy(c -> assertThat(c.count()).isZero());
    assertThat(job.counters().eventsIn()).isEqualTo(30_000);
  }

  @Test
  void when_the_buffer_drops_newest_behind_a_binding_rate_limit_then_processed_plus_dropped_equals_the_input() {
    // Given 3,000 events and a job limited to 2,000 events/s behind input buffers of 100 records
    Topics t = topics("backpressure-drop");
    List<byte[]> lines = produce(t.in, UserEventFeed.Spec.defaults(3_000).withUsers(500));
    MeterRegistry registry = new SimpleMeterRegistry();
    CollectingSink<DeadLetter> dropped = Sinks.collecting("dropped");
    AnalyticsPipeline job = job(t, "backpressure-drop-job")
        .config(PipelineConfig.builder().threads(2).meterRegistry(registry).build())
        .backpressure(BufferManager.of(100, BackpressureStrategy.DROP_NEWEST).withDeadLetters(dropped))
        .rateLimit(new RateLimiter(2_000, 200)).bounded().build();

    // When it runs to the end of the topic
    assertThat(job.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then every record was either processed or dropped (counted and dead-lettered), never both
    double droppedCount = registry.find("nip.buffer.dropped").counters().stream().mapToDouble(c -> c.count()).sum();
    assertThat(droppedCount).isPositive();
    assertThat(dropped.size()).isEqualTo((int) droppedCount);
    assertThat(job.counters().eventsIn() + dropped.size()).isEqualTo(lines.size());
    // and the windows hold exactly the human events that were not dropped
    long humanDropped = dropped.values().stream().filter(d -> !d.value().contains("\"bot_")).count();
    long humans = lines.stream().filter(l -> !new String(l, StandardCharsets.UTF_8).contains("\"bot_")).count();
    List<UserWindowSummary> got = summaries(readAll(t.out, (int) job.counters().windowsOut()));
    assertThat(got.stream().mapToLong(UserWindowSummary::eventCount).sum()).isEqualTo(humans - humanDropped);
  }

  @ParameterizedTest(name = "input keyed by user declared: {0}")
  @ValueSource(booleans = {false, true})
  void when_a_job_is_stopped_mid_stream_and_restarted_with_its_group_then_no_window_loses_an_event(
      boolean keyedInput) {
    // Given the first 60% of a generated stream in the topic and a running, unbounded job
    Topics t = topics("restart-" + keyedInput);
    List<byte[]> lines = new ArrayList<>();
    UserEventFeed.generate(UserEventFeed.Spec.defaults(40_000).withUsers(1_000), (k, v) -> lines.add(v));
    int cut = 24_000;
    produceLines(t.in, lines.subList(0, cut));
    AnalyticsPipeline first = job(t, "restart-job-" + keyedInput, keyedInput).build();
    PipelineHandle h = first.start();

    // When it is stopped after reading that part (windows near the end are still open) ...
    await().atMost(Duration.ofSeconds(60)).until(() -> first.counters().eventsIn() >= cut);
    h.stop();
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    long windowsBefore = first.counters().windowsOut();
    // ... the rest arrives, and a bounded job with the same group id takes over
    produceLines(t.in, lines.subList(cut, lines.size()));
    AnalyticsPipeline second = job(t, "restart-job-" + keyedInput, keyedInput).bounded().build();
    assertThat(second.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then the restart restored the open windows from the changelog and resumed at the committed
    // offsets: every window is emitted exactly once, with exactly its events, and the second job
    // read only what the first had not
    Map<WindowKey, Expected> expected = reference(lines);
    List<UserWindowSummary> got = summaries(readAll(t.out, expected.size()));
    assertThat(windowsBefore).isPositive();
    assertThat(first.counters().eventsIn() + second.counters().eventsIn()).isEqualTo(lines.size());
    assertNoWindowLostAnEvent(expected, got);
    assertThat(got).hasSize(expected.size());
    assertThat(got).allMatch(s -> matches(s, expected.get(new WindowKey(s.userId(), s.windowStart()))));
  }

  @ParameterizedTest(name = "input keyed by user declared: {0}")
  @ValueSource(booleans = {false, true})
  void when_two_instances_share_a_group_then_they_split_the_partitions_and_together_produce_every_window(
      boolean keyedInput) throws Exception {
    // Given 200,000 events in 3 partitions and two bounded jobs in one group
    Topics t = topics("shared-" + keyedInput);
    List<byte[]> lines = produce(t.in, UserEventFeed.Spec.defaults(200_000).withUsers(3_000));
    Map<WindowKey, Expected> expected = reference(lines);
    AnalyticsPipeline a = job(t, "shared-job-" + keyedInput, keyedInput).instanceId("a").bounded().build();
    AnalyticsPipeline b = job(t, "shared-job-" + keyedInput, keyedInput).instanceId("b").bounded().build();

    // When both run at the same time
    PipelineHandle ha = a.start();
    PipelineHandle hb = b.start();
    if (!keyedInput) {
      // state behind an in-process keyBy belongs to one instance: when the two share partitions while
      // they hold changes, one is refused clearly instead of two instances writing one changelog;
      // when one read everything before the other joined, the windows are simply complete
      Throwable fa = failure(ha);
      Throwable fb = failure(hb);
      if (fa != null || fb != null) {
        assertThat(fa != null ? fa : fb).hasMessageContaining("run one instance per group, or key the input topic");
        return;
      }
    }
    if (keyedInput) {
      assertThat(ha.awaitTermination(Duration.ofSeconds(90))).isTrue();
      assertThat(hb.awaitTermination(Duration.ofSeconds(90))).isTrue();
    }

    // Then between them every window is complete, none counts an event twice, and nothing is late
    // (the state of a partition that moves to the other member follows it through its changelog)
    List<UserWindowSummary> got = summaries(readAll(t.out, expected.size()));
    assertNoWindowLostAnEvent(expected, got);
    assertThat(a.counters().eventsIn() + b.counters().eventsIn()).isGreaterThanOrEqualTo(lines.size());
    assertThat(a.counters().lateEvents() + b.counters().lateEvents()).isZero();
  }

  private static Throwable failure(PipelineHandle h) {
    try {
      assertThat(h.awaitTermination(Duration.ofSeconds(90))).isTrue();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  @Test
  void when_lines_are_bad_then_they_land_in_the_dead_letter_topic_and_file_with_their_reasons(@TempDir Path dir)
      throws Exception {
    // Given good lines mixed with bad ones
    Topics t = topics("dlq");
    List<String> bad = List.of(
        "not json at all",
        "{\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:00\"}",
        "{\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":0,\"properties\":{\"value\":\"12\"}}",
        "{\"event_type\":\"click\",\"timestamp\":0}");
    List<String> good = List.of(
        "{\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:01Z\",\"properties\":{\"value\":2.5}}",
        "{\"user_id\":\"user_1\",\"event_type\":\"purchase\",\"timestamp\":\"2026-01-17T19:04:00+02:00\",\"properties\":{\"value\":10}}",
        "{\"user_id\":\"bot_1\",\"event_type\":\"click\",\"timestamp\":1768669200000}");
    List<byte[]> lines = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      lines.add(good.get(i % good.size()).getBytes(StandardCharsets.UTF_8));
      lines.add(bad.get(i).getBytes(StandardCharsets.UTF_8));
    }
    produceLines(t.in, lines);
    Path dlqFile = dir.resolve("dlq.jsonl");

    // When the job runs
    AnalyticsPipeline job = job(t, "dlq-job").bounded().deadLetterFile(dlqFile).build();
    assertThat(job.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then each bad line is in the dead-letter topic, unchanged, with its reason in the headers
    List<ConsumerRecord<String, byte[]>> dead = readAll(t.dlq, bad.size());
    assertThat(dead).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
        .containsExactlyInAnyOrderElementsOf(bad);
    Map<String, String> reasons = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : dead) {
      reasons.put(new String(r.value(), StandardCharsets.UTF_8), header(r, "nip.error.message"));
      assertThat(header(r, "nip.source")).isEqualTo(t.in);
      assertThat(header(r, "nip.offset")).matches("[0-9]+");
    }
    assertThat(reasons.get(bad.get(0))).startsWith("not JSON");
    assertThat(reasons.get(bad.get(1))).contains("field 'timestamp' is not an ISO-8601 date-time with Z or an offset");
    assertThat(reasons.get(bad.get(2))).contains("field 'properties.value' must be a number, not a string");
    assertThat(reasons.get(bad.get(3))).contains("field 'user_id' is missing");
    // ... and in the dead-letter file; they are not counted in any window
    List<String> fileLines = Files.readAllLines(dlqFile);
    assertThat(fileLines).hasSize(bad.size()).allMatch(l -> l.contains("\"error_message\":\"")
        && l.contains("\"raw_record\":"));
    assertThat(job.counters().badRecords()).isEqualTo(bad.size());
    assertThat(job.counters().eventsIn()).isEqualTo(lines.size());
    Set<String> out = new HashSet<>();
    summaries(readAll(t.out, 1)).forEach(s -> out.add(s.userId() + " " + s.windowStart() + " " + s.eventCount()
        + " " + s.uniqueEventTypes() + " " + s.totalValue()));
    assertThat(out).containsExactlyInAnyOrder("user_1 2026-01-17T17:00:00Z 3 2 15.0");
  }

  @Test
  void when_the_json_schema_is_validated_then_bad_lines_name_the_violated_path_and_the_windows_are_unchanged() {
    // Given good lines mixed with bad ones
    Topics t = topics("schema");
    List<String> bad = List.of(
        "not json at all",
        "{\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":0,\"properties\":{\"value\":\"12\"}}",
        "{\"event_type\":\"click\",\"timestamp\":0}");
    List<String> good = List.of(
        "{\"user_id\":\"user_1\",\"event_type\":\"click\",\"timestamp\":\"2026-01-17T17:00:01Z\",\"properties\":{\"value\":2.5}}",
        "{\"user_id\":\"user_1\",\"event_type\":\"purchase\",\"timestamp\":\"2026-01-17T17:04:00Z\",\"properties\":{\"value\":10}}");
    List<byte[]> lines = new ArrayList<>();
    good.forEach(l -> lines.add(l.getBytes(StandardCharsets.UTF_8)));
    bad.forEach(l -> lines.add(l.getBytes(StandardCharsets.UTF_8)));
    produceLines(t.in, lines);

    // When the job runs with the schema check
    AnalyticsPipeline job = job(t, "schema-job").validateSchema().bounded().build();
    assertThat(job.start().awaitTermination(Duration.ofSeconds(60))).isTrue();

    // Then each bad line is a dead letter whose reason names the schema's path and keyword
    Map<String, String> reasons = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : readAll(t.dlq, bad.size())) {
      reasons.put(new String(r.value(), StandardCharsets.UTF_8), header(r, "nip.error.message"));
    }
    assertThat(reasons).hasSize(bad.size());
    assertThat(reasons.get(bad.get(0))).startsWith("not JSON");
    assertThat(reasons.get(bad.get(1))).contains("urn:nip:examples:analytics-event")
        .contains("$.properties.value [type]");
    assertThat(reasons.get(bad.get(2))).contains("$ [required]").contains("user_id");
    // and the good lines make the same window as without the check
    Set<String> out = new HashSet<>();
    summaries(readAll(t.out, 1)).forEach(s -> out.add(s.userId() + " " + s.windowStart() + " " + s.eventCount()
        + " " + s.totalValue()));
    assertThat(out).containsExactly("user_1 2026-01-17T17:00:00Z 2 12.5");
  }

  private static String header(ConsumerRecord<?, ?> r, String key) {
    Header h = r.headers().lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
