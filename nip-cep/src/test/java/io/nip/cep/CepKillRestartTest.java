package io.nip.cep;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.ChildJvm;
import io.nip.event.GenericEvent;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.state.CheckpointStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact matches after {@code kill -9}: two patterns over a rate-limited generator, with a local
 * checkpoint storage, run in a child JVM that is killed with SIGKILL at random moments and started
 * again until a run completes. Output is at least once, so matches may repeat across runs; but every
 * match of an uninterrupted run is emitted by some run, and no run emits a match that the
 * uninterrupted run does not have — which a lost or doubled event, or a partial match lost or
 * corrupted in a restore, would cause.
 */
class CepKillRestartTest {
  /** Kills per run: 3 in the build; more with {@code -Dnip.kills=N}. */
  static final int KILLS = Integer.getInteger("nip.kills", 3);
  static final int EVENTS = Math.max(30_000, KILLS * 10_000);
  static final int RATE = 5_000;

  static GeneratorSpec spec(long events, long rate) {
    return GeneratorSpec.builder().events(events).ratePerSecond(rate).keys(50).partitions(1).seed(11)
        .timeStep(Duration.ofMillis(100)).botRatio(0).build();
  }

  static Pipeline pipeline(GeneratorSpec spec, CheckpointStorage storage, Sink<String> sink) {
    PipelineConfig.Builder config = PipelineConfig.builder().threads(2).parallelism(2)
        .commitInterval(Duration.ofMillis(50));
    if (storage != null) {
      config.checkpointStorage(storage);
    }
    Pipeline p = Pipeline.named("cep-kill", config.build());
    var events = p.from(Sources.generator("events", spec)).keyBy(GenericEvent::key, Serdes.string());
    Pattern<GenericEvent> checkout = PatternDetector.<GenericEvent>match("add_to_cart", null)
        .followedBy("view_checkout").match("view_checkout", null)
        .followedBy("purchase").match("purchase", null).within(Duration.ofMinutes(2));
    Pattern<GenericEvent> abandoned = PatternDetector.<GenericEvent>match("add_to_cart", null)
        .followedBy("view_checkout").match("view_checkout", null)
        .notFollowedBy(PatternDetector.ofType("purchase"), Duration.ofMinutes(1));
    PatternStream<String, GenericEvent> a = Cep.detect(events, checkout, Serdes.json(GenericEvent.class),
        Op.named("checkout"));
    PatternStream<String, GenericEvent> b = Cep.detect(events, abandoned, Serdes.json(GenericEvent.class),
        Op.named("abandoned"));
    a.matches().merge(b.matches())
        .map(m -> m.pattern() + "|" + m.key() + "|"
            + m.events().stream().map(GenericEvent::eventId).collect(Collectors.joining(",")) + "|" + m.detectedAt())
        .to(sink);
    return p;
  }

  /** The job the test kills: args = checkpoint directory, output file, number of events. */
  public static final class Job {
    public static void main(String[] args) {
      pipeline(spec(Long.parseLong(args[2]), RATE), CheckpointStorage.localDirectory(Path.of(args[0])),
          Sinks.jsonLines("out", Path.of(args[1]), Serdes.string())).start().awaitTermination();
      System.exit(0);
    }
  }

  private static Set<String> reference() {
    CollectingSink<String> out = Sinks.collecting("out");
    PipelineHandle h = pipeline(spec(EVENTS, 0), null, out).start();
    assertThat(h.awaitTermination(Duration.ofSeconds(120))).as("the reference run completes").isTrue();
    assertThat(out.values()).as("matches in the reference run").doesNotHaveDuplicates();
    return new HashSet<>(out.values());
  }

  /** @return the complete lines of a run's output (a killed run may have written half a line) */
  private static List<String> lines(Path output) throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.exists(output)) {
      return out;
    }
    String text = Files.readString(output);
    String[] parts = text.split("\n", -1);
    for (int i = 0; i < parts.length - 1; i++) { // the part after the last newline is incomplete or empty
      String v = Serdes.string().deserialize(parts[i].getBytes(StandardCharsets.UTF_8));
      out.add(v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
    }
    return out;
  }

  /** @return the largest checkpoint id in the directory, or -1 */
  private static long latestCheckpoint(Path checkpoints) throws IOException {
    if (!Files.isDirectory(checkpoints)) {
      return -1;
    }
    try (java.util.stream.Stream<Path> files = Files.list(checkpoints)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("chk-\\d+"))
          .mapToLong(n -> Long.parseLong(n.substring(4))).max().orElse(-1);
    }
  }

  /** Starts the job in a child JVM, logging next to its output. */
  private static Process job(Path checkpoints, Path output) throws IOException {
    return ChildJvm.start(Job.class, output.resolveSibling(output.getFileName() + ".log"), checkpoints.toString(),
        output.toString(), Integer.toString(EVENTS));
  }

  @Test
  void when_the_process_is_killed_at_random_moments_then_the_runs_emit_exactly_the_uninterrupted_matches(
      @TempDir Path dir) throws Exception {
    Set<String> expected = reference();
    assertThat(expected).anyMatch(m -> m.startsWith("checkout|")).anyMatch(m -> m.startsWith("abandoned|"));
    Path checkpoints = dir.resolve("checkpoints");
    Random random = new Random();
    List<Path> outputs = new ArrayList<>();
    // When: the job is killed with SIGKILL at random moments, and restarted each time
    for (int kill = 0; kill < KILLS; kill++) {
      Path output = dir.resolve("out-" + kill + ".jsonl");
      outputs.add(output);
      long before = latestCheckpoint(checkpoints);
      Process p = job(checkpoints, output);
      // kill at a random moment once this run has checkpointed (a loaded machine may take seconds to start a JVM)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (p.isAlive() && (latestCheckpoint(checkpoints) <= before || kill == 0 && lines(output).isEmpty())
          && System.nanoTime() < deadline) {
        Thread.sleep(10); // the first run is killed only once it emitted matches, so that some are emitted twice
      }
      Thread.sleep(random.nextInt(1_300));
      Path log = output.resolveSibling(output.getFileName() + ".log");
      assertThat(p.isAlive()).as("the job is still running when killed (kill %d): %s", kill,
          Files.exists(log) ? Files.readString(log) : "").isTrue();
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    Path output = dir.resolve("out-final.jsonl");
    outputs.add(output);
    Process last = job(checkpoints, output);
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).isZero();

    // Then
    Set<String> emitted = new HashSet<>();
    for (Path o : outputs) {
      emitted.addAll(lines(o));
    }
    assertThat(emitted).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(lines(output)).as("the completed run resumed from a checkpoint, not from the start")
        .hasSizeLessThan(expected.size());
    assertThat(lines(outputs.get(0))).as("the first killed run emitted matches before it was killed").isNotEmpty();
  }
}
