package io.nip.cep;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import io.nip.state.StateBackend;
import io.nip.state.rocksdb.RocksDbStateBackend;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partial matches survive a restart: the tutorial's two patterns run on RocksDB with checkpoints in
 * a local directory; the process "crashes" twice (the driver is dropped after records it never
 * checkpointed) and restarts from the latest checkpoint with a fresh pipeline and backend instance.
 * The matches emitted up to each checkpoint plus those of the final run are exactly the matches of
 * an uninterrupted in-memory run.
 */
class CepRestoreTest {
  private static final Instant T0 = Instant.parse("2026-01-17T17:00:00Z");
  private static final String[] USERS = {"u1", "u2", "u3", "u4", "u5", "u6"};

  @TempDir
  Path dir;

  /** Logins (mostly failing) and shopping events for six users over about three hours, 20 s of disorder. */
  private static List<GenericEvent> events(int n, long seed) {
    Random r = new Random(seed);
    List<GenericEvent> out = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < n; i++) {
      t += r.nextInt(40);
      long at = Math.max(0, t - r.nextInt(20));
      String user = USERS[r.nextInt(USERS.length)];
      int kind = r.nextInt(10);
      Map<String, Object> props = kind < 6 ? Map.of("success", kind >= 4) : Map.of();
      String type = kind < 6 ? "login_attempt" : kind == 6 ? "add_to_cart" : kind == 7 ? "view_checkout"
          : kind == 8 ? "purchase" : "page_view";
      out.add(new GenericEvent("e" + i, user, type, T0.plusSeconds(at), props));
    }
    return out;
  }

  private static Pipeline pipeline(StateBackend backend, CollectingSink<String> out) {
    Pipeline p = Pipeline.named("cep-restore", PipelineConfig.builder().stateBackend(backend).build());
    Map<String, PatternStream<String, GenericEvent>> streams = PatternDetectorTest.tutorialDetector(new ArrayList<>())
        .applyTo(p.from(Sources.<GenericEvent>collection("user-events", List.of()),
                WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(20)))
            .keyBy(GenericEvent::key, Serdes.string()));
    streams.get("failed_login_sequence").matches().merge(streams.get("cart_abandonment").matches())
        .map(m -> m.pattern() + ":" + m.key() + ":"
            + m.events().stream().map(GenericEvent::eventId).collect(Collectors.joining(",")) + "@" + m.detectedAt())
        .to(out);
    return p;
  }

  private RocksDbStateBackend rocks() {
    return RocksDbStateBackend.builder(dir.resolve("state")).blockCacheSize(16L << 20).writeBufferSize(4L << 20)
        .writeCacheEntries(16).build();
  }

  /**
   * Runs a fresh process over the whole input (a restored input skips what its checkpoint covered).
   *
   * @return the matches emitted up to the checkpoint at {@code checkpointAt}, or all of them when
   *     the input ends instead
   */
  private List<String> runProcess(List<GenericEvent> events, int checkpointAt, int crashAt, Path checkpoints) {
    CollectingSink<String> out = Sinks.collecting("matches");
    try (RocksDbStateBackend rocks = rocks();
         PipelineTestDriver d = PipelineTestDriver.withCheckpoints(pipeline(rocks, out), T0,
             CheckpointStorage.localDirectory(checkpoints))) {
      TestInput<GenericEvent> in = d.input("user-events");
      for (int i = 0; i < Math.min(checkpointAt, events.size()); i++) {
        in.pipe(events.get(i));
      }
      if (checkpointAt >= events.size()) {
        d.endAllInputs();
        return new ArrayList<>(d.output(out));
      }
      d.checkpoint();
      List<String> committed = new ArrayList<>(d.output(out));
      assertThat(d.state("failed_login_sequence", "nfa")).as("open partial matches at the checkpoint").isNotEmpty();
      assertThat(d.state("cart_abandonment", "nfa")).as("open partial matches at the checkpoint").isNotEmpty();
      for (int i = checkpointAt; i < crashAt; i++) {
        in.pipe(events.get(i)); // processed, never checkpointed: lost in the crash, read again
      }
      return committed;
    }
  }

  @Test
  void when_the_process_restarts_from_checkpoints_then_the_matches_are_exactly_those_of_an_uninterrupted_run()
      throws Exception {
    // Given
    List<GenericEvent> events = events(600, 7);
    CollectingSink<String> reference = Sinks.collecting("matches");
    List<String> expected;
    try (PipelineTestDriver d = PipelineTestDriver.of(pipeline(StateBackend.inMemory(), reference), T0)) {
      TestInput<GenericEvent> in = d.input("user-events");
      events.forEach(in::pipe);
      d.endAllInputs();
      expected = new ArrayList<>(d.output(reference));
    }
    assertThat(expected).anyMatch(m -> m.startsWith("failed_login_sequence"))
        .anyMatch(m -> m.startsWith("cart_abandonment"));
    Path checkpoints = Files.createDirectories(dir.resolve("checkpoints"));

    // When: checkpoint at 200, crash at 260; checkpoint at 410, crash at 450; then run to the end
    List<String> actual = new ArrayList<>(runProcess(events, 200, 260, checkpoints));
    List<String> second = runProcess(events, 410, 450, checkpoints);
    actual.addAll(second);
    actual.addAll(runProcess(events, events.size(), events.size(), checkpoints));

    // Then
    assertThat(actual).containsExactlyElementsOf(expected);
    assertThat(second).as("matches that began before the first restart and completed after it")
        .anyMatch(m -> Arrays.stream(m.substring(0, m.indexOf('@')).split(":", 3)[2].split(","))
            .anyMatch(id -> Integer.parseInt(id.substring(1)) < 200));
  }
}
