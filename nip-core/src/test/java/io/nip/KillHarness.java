package io.nip;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.event.GenericEvent;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.serde.Serdes;
import io.nip.source.GeneratorSpec;
import io.nip.source.SourceContext;
import io.nip.source.SourceOutput;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.source.Sources;
import io.nip.state.ValueState;
import io.nip.time.NipClock;
import io.nip.time.TimeDomain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * What the in-JVM kill tests share: a job in a child JVM ({@link ChildJvm}) that checkpoints to a
 * local directory is killed with SIGKILL at random moments once it has checkpointed, restarted each
 * time, and finally run to completion; its output (JSON lines of {@code "key rest"} strings) is read
 * back for comparison with a reference computed from the generators the job reads.
 */
public final class KillHarness {
  private KillHarness() {}

  /** Starts the job on a checkpoint directory, writing to an output file. */
  @FunctionalInterface
  public interface Starter {
    /**
     * @param checkpoints the job's checkpoint directory
     * @param output its output file (its log goes to {@code <output>.log})
     * @return the started process
     * @throws IOException when it cannot be started
     */
    Process start(Path checkpoints, Path output) throws IOException;
  }

  /**
   * Kills the job {@code kills} times (each at a random moment within {@code maxDelayMillis} after the
   * run completed a checkpoint of its own), then runs it to its end.
   *
   * @param dir the test's directory (checkpoints in {@code dir/checkpoints}, runs' outputs
   *     {@code out-N.jsonl}, the last {@code out-final.jsonl})
   * @param kills how many SIGKILLs
   * @param maxDelayMillis the longest wait after the first checkpoint before a kill
   * @param finalTimeoutSeconds how long the last run may take
   * @param starter starts the job
   * @return the last run's output, as key → rest of its line
   * @throws Exception when a run cannot be started or waited for
   */
  public static Map<String, String> killThenComplete(Path dir, int kills, int maxDelayMillis, int finalTimeoutSeconds,
      Starter starter) throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    Random random = new Random();
    for (int kill = 0; kill < kills; kill++) {
      Path output = dir.resolve("out-" + kill + ".jsonl");
      Set<String> before = checkpointNames(checkpoints);
      Process p = starter.start(checkpoints, output);
      // kill at a random moment once this run has completed a checkpoint of its own (not one of an
      // earlier run's: a loaded machine may take seconds to start a JVM and restore)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (p.isAlive() && before.containsAll(checkpointNames(checkpoints)) && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Thread.sleep(random.nextInt(maxDelayMillis));
      Path log = dir.resolve("out-" + kill + ".jsonl.log");
      assertThat(p.isAlive()).as("the job is still running when killed (kill %d): %s", kill,
          Files.exists(log) ? Files.readString(log) : "").isTrue();
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(hasCheckpoint(checkpoints)).as("checkpoints were completed before the kills").isTrue();
    Path output = dir.resolve("out-final.jsonl");
    Process last = starter.start(checkpoints, output);
    assertThat(last.waitFor(finalTimeoutSeconds, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as(Files.readString(dir.resolve("out-final.jsonl.log"))).isZero();
    Map<String, String> got = new HashMap<>();
    for (String line : Files.readAllLines(output)) {
      String v = Serdes.string().deserialize(line.getBytes(StandardCharsets.UTF_8));
      String text = v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
      int space = text.indexOf(' ');
      got.put(text.substring(0, space), text.substring(space + 1));
    }
    return got;
  }

  /**
   * @param name the generator source's name
   * @param spec an unthrottled, bounded generator
   * @param partitions its partitions
   * @return every event it generates, partition by partition
   */
  public static List<GenericEvent> generated(String name, GeneratorSpec spec, int partitions) {
    List<GenericEvent> all = new ArrayList<>();
    SourceContext ctx = new SourceContext("reference", NipClock.system(), new SimpleMeterRegistry());
    for (int partition = 0; partition < partitions; partition++) {
      try (SourceReader<GenericEvent> r = Sources.generator(name, spec).createReader(partition, ctx,
          SourcePosition.NONE)) {
        SourceOutput<GenericEvent> out = new SourceOutput<>() {
          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, long offset, long ts) {
            all.add(e);
          }

          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, SourcePosition p, long ts) {
            all.add(e);
          }

          @Override
          public void fail(byte[] raw, SourcePosition p, Throwable error) {
            throw new IllegalStateException(error);
          }
        };
        while (r.poll(out, 10_000) != SourceReader.Status.END_OF_INPUT) {
          // unthrottled and bounded: poll to the end
        }
      }
    }
    return all;
  }

  /**
   * The kill tests' keyed job step: per key, the count of values and the sum of a term of each, in
   * keyed state; at the end of input (an event-time timer at the largest instant) it emits
   * {@code "key count sum"}, the line {@link #killThenComplete} reads back.
   *
   * @param term what a value adds to its key's sum, e.g. a record number or an id's hash
   * @param <T> the value type
   * @return the processor, for {@code keyBy(..., Serdes.string()).process(counter(term), op)}
   */
  public static <T> KeyedProcessor<String, T, String> counter(ToLongFunction<? super T> term) {
    return new KeyedProcessor<>() {
      @Override
      public void process(String key, T value, KeyedContext<String, String> ctx) {
        ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
        ValueState<Long> checksum = ctx.valueState("checksum", Serdes.json(Long.class));
        count.update(count.valueOr(0L) + 1);
        checksum.update(checksum.valueOr(0L) + term.applyAsLong(value));
        ctx.registerEventTimeTimer(Instant.ofEpochMilli(Long.MAX_VALUE));
      }

      @Override
      public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
        ctx.emit(key + " " + ctx.valueState("count", Serdes.json(Long.class)).value() + " "
            + ctx.valueState("checksum", Serdes.json(Long.class)).value());
      }
    };
  }

  private static boolean hasCheckpoint(Path checkpoints) throws IOException {
    return !checkpointNames(checkpoints).isEmpty();
  }

  /** @return the names of the completed checkpoints ({@code chk-*}) in the directory, none when it is missing */
  private static Set<String> checkpointNames(Path checkpoints) throws IOException {
    if (!Files.isDirectory(checkpoints)) {
      return Set.of();
    }
    try (java.util.stream.Stream<Path> files = Files.list(checkpoints)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("chk-"))
          .collect(java.util.stream.Collectors.toSet());
    }
  }
}
