package io.nip.streaming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.LogSource;
import io.nip.state.CheckpointStorage;
import io.nip.state.CheckpointStorageProvider;
import io.nip.state.TestCheckpointStorageProvider;
import io.nip.state.ValueState;
import io.nip.time.WatermarkStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointManagerTest {

  @Test
  void the_tutorial_settings_become_pipeline_settings() {
    // Given the tutorial's manager: storage, checkpoint_interval=1000 (events), checkpoint_timeout=30
    CheckpointManager m = CheckpointManager.create().storage(TestCheckpointStorageProvider.NAME + ":orders")
        .checkpointInterval(1_000).checkpointTimeout(Duration.ofSeconds(30));

    // When applied to a configuration
    PipelineConfig cfg = m.checkpointed(PipelineConfig.builder().threads(3).build());

    // Then the pipeline checkpoints every 1,000 records into that storage, with a 30 s timeout
    assertThat(cfg.checkpointEveryEvents()).isEqualTo(1_000);
    assertThat(cfg.checkpointTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(cfg.checkpointStorage()).containsSame(m.checkpointStorage().orElseThrow());
    assertThat(cfg.threads()).isEqualTo(3);
    assertThat(cfg.commitInterval()).as("unset: unchanged").isEqualTo(Duration.ofSeconds(5));
    TestCheckpointStorageProvider.Storage s = (TestCheckpointStorageProvider.Storage) cfg.checkpointStorage().get();
    assertThat(s.location).isEqualTo("orders");
    assertThat(m).hasToString("CheckpointManager(storage test-memory:orders, every 1000 events, timeout PT30S)");
  }

  @Test
  void a_time_interval_and_settings_reach_their_places() {
    CheckpointManager m = CheckpointManager.create()
        .storage(TestCheckpointStorageProvider.NAME, Map.of("retained", "3"))
        .checkpointInterval(Duration.ofSeconds(10));
    PipelineConfig.Builder b = PipelineConfig.builder();
    assertThat(m.applyTo(b)).isSameAs(b);
    PipelineConfig cfg = b.build();
    assertThat(cfg.commitInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(cfg.checkpointEveryEvents()).isZero();
    TestCheckpointStorageProvider.Storage s = (TestCheckpointStorageProvider.Storage) cfg.checkpointStorage().get();
    assertThat(s.location).isEmpty();
    assertThat(s.settings).containsEntry("retained", "3");
  }

  @Test
  void kafka_needs_no_storage_until_nip_kafka_provides_one() {
    CheckpointManager m = CheckpointManager.create().storage("kafka").checkpointInterval(500);
    assertThat(CheckpointStorageProvider.isAvailable("kafka")).isFalse();
    assertThat(m.checkpointStorage()).isEmpty();
    PipelineConfig cfg = m.checkpointed(PipelineConfig.defaults());
    assertThat(cfg.checkpointStorage()).isEmpty();
    assertThat(cfg.checkpointEveryEvents()).isEqualTo(500);
    assertThat(m.toString()).contains("kafka (offsets committed to Kafka, no storage)");
  }

  @Test
  void unknown_missing_and_unsupported_storages_are_refused_naming_the_module() {
    assertThatThrownBy(() -> CheckpointManager.create().storage("postgres"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("checkpoint.storage")
        .hasMessageContaining("'postgres'").hasMessageContaining("postgres needs nip-jdbc")
        .hasMessageContaining("available: [local, test-memory]");
    assertThatThrownBy(() -> CheckpointManager.create().storage("redis"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("redis needs nip-state-redis");
    assertThatThrownBy(() -> CheckpointManager.create().storage("cassandra"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("'cassandra'")
        .hasMessageContaining("not supported yet");
    assertThatThrownBy(() -> CheckpointManager.create().storage("local"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("must name a directory");
    assertThatThrownBy(() -> CheckpointManager.create().storage("local:/tmp/x", Map.of("retained", "3")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("takes only its directory");
    assertThatThrownBy(() -> CheckpointManager.create().storage(TestCheckpointStorageProvider.NAME, Map.of("bad", "1")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("bad");
    assertThatThrownBy(() -> CheckpointManager.create().checkpointInterval(0))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("CheckpointManager checkpointInterval")
        .hasMessageContaining("but was 0");
    assertThatThrownBy(() -> CheckpointManager.create().checkpointTimeout(Duration.ZERO))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("CheckpointManager checkpointTimeout");
    assertThatThrownBy(() -> CheckpointManager.create().storage((String) null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("storage");
  }

  @Test
  void a_checkpointed_pipeline_on_a_local_storage_restarts_with_every_record_counted_once(@TempDir Path dir)
      throws InterruptedException {
    // Given a pipeline checkpointed every 1,000 records into local:<dir>, stopped after 2,500 records
    CheckpointManager m = CheckpointManager.create().storage("local:" + dir).checkpointInterval(1_000)
        .checkpointTimeout(Duration.ofSeconds(30));
    CollectingSink<Long> first = Sinks.collecting("out");
    PipelineHandle h1 = summing(m, 2_500, first).start();
    awaitSize(first, 2_500);
    h1.stop();
    assertThat(h1.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(CheckpointStorage.localDirectory(dir).latestCompleted()).isPresent();

    // When it runs again over 3,000 records
    CollectingSink<Long> second = Sinks.collecting("out");
    PipelineHandle h2 = summing(m, 3_000, second).start();
    awaitSize(second, 500);
    h2.stop();
    assertThat(h2.awaitTermination(Duration.ofSeconds(30))).isTrue();

    // Then it resumed after record 2,500 with the sum of 1..2,500 in state: every record counted once
    assertThat(first.values()).hasSize(2_500);
    assertThat(second.values()).containsExactlyElementsOf(
        LongStream.rangeClosed(2_501, 3_000).map(v -> v * (v + 1) / 2).boxed().toList());
  }

  private static void awaitSize(CollectingSink<?> out, int n) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
  }

  private static Pipeline summing(CheckpointManager m, long records, CollectingSink<Long> out) {
    LogSource<Long> in = new LogSource<>("in", v -> v);
    LongStream.rangeClosed(1, records).forEach(in.log::add);
    Pipeline p = Pipeline.named("checkpointed", m.checkpointed(PipelineConfig.builder().threads(2).build()));
    p.from(in, WatermarkStrategy.processingTime())
        .keyBy(v -> "all", Serdes.string())
        .process((KeyedProcessor<String, Long, Long>) (key, v, ctx) -> {
          ValueState<Long> sum = ctx.valueState("sum", Serdes.json(Long.class));
          sum.update(sum.valueOr(0L) + v);
          ctx.emit(sum.value());
        }, Op.named("summer"))
        .to(out);
    return p;
  }
}
