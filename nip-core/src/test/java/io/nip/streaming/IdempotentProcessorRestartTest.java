package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.LogSource;
import io.nip.state.CheckpointStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idempotent facade on the threaded runtime with a checkpoint storage: a pipeline stopped after
 * accepting a set of ids, and a fresh pipeline (new processor, new registry) started from its
 * checkpoint, drops those ids when they come again.
 */
class IdempotentProcessorRestartTest {

  /** An order event; a redelivered one has the same id. */
  public record Order(String eventId, int attempt) {}

  private static PipelineHandle start(LogSource<Order> log, CollectingSink<Order> out, Path dir, MeterRegistry registry) {
    IdempotentProcessor<Order> processor = IdempotentProcessor.<Order>named("orders-dedup")
        .idKey(Order::eventId).sink(out);
    return processor.start(log, PipelineConfig.builder().threads(2).parallelism(3).batchSize(16)
        .commitInterval(Duration.ofMillis(20)).meterRegistry(registry)
        .checkpointStorage(CheckpointStorage.localDirectory(dir)).build());
  }

  private static double duplicates(MeterRegistry registry) {
    Counter c = registry.find("nip.idempotent.duplicates").tag("pipeline", "orders-dedup")
        .tag("operator", "orders-dedup").counter();
    return c == null ? 0 : c.count();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  @Test
  void when_a_stopped_pipeline_restarts_from_its_checkpoint_then_ids_seen_before_are_still_dropped(@TempDir Path dir)
      throws InterruptedException {
    // Given a first run that accepted ids o-0 .. o-999 (with 200 duplicates among them) and was stopped
    LogSource<Order> log = new LogSource<>("orders", o -> 1_000_000L);
    for (int i = 0; i < 1_000; i++) {
      log.log.add(new Order("o-" + i, 1));
      if (i % 5 == 0) {
        log.log.add(new Order("o-" + i, 2));
      }
    }
    CollectingSink<Order> out1 = Sinks.collecting("out");
    MeterRegistry registry1 = new SimpleMeterRegistry();
    PipelineHandle h1 = start(log, out1, dir, registry1);
    await("first run accepted 1,000 ids", () -> out1.values().size() >= 1_000 && duplicates(registry1) >= 200);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(h1.status()).isEqualTo(PipelineHandle.Status.COMPLETED);
    assertThat(out1.values()).hasSize(1_000).allSatisfy(o -> assertThat(o.attempt()).isEqualTo(1));
    assertThat(duplicates(registry1)).isEqualTo(200.0);

    // When the log goes on with every earlier id redelivered, mixed with 500 new ids, and a fresh
    // pipeline starts from the stored checkpoint
    for (int i = 0; i < 1_000; i++) {
      log.log.add(new Order("o-" + i, 3));
      if (i % 2 == 0) {
        log.log.add(new Order("n-" + i, 1));
      }
    }
    CollectingSink<Order> out2 = Sinks.collecting("out");
    MeterRegistry registry2 = new SimpleMeterRegistry();
    PipelineHandle h2 = start(log, out2, dir, registry2);
    await("second run read the whole log", () -> out2.values().size() >= 500 && duplicates(registry2) >= 1_000);
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then only the new ids passed, each once; every redelivered id was dropped and counted
    List<String> ids = new ArrayList<>();
    out2.values().forEach(o -> ids.add(o.eventId()));
    assertThat(ids).hasSize(500).doesNotHaveDuplicates().allSatisfy(id -> assertThat(id).startsWith("n-"));
    assertThat(duplicates(registry2)).isEqualTo(1_000.0);
  }
}
