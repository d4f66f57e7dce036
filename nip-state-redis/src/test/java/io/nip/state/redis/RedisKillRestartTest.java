package io.nip.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nip.event.GenericEvent;
import io.nip.pipeline.KeyedContext;
import io.nip.pipeline.KeyedProcessor;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
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
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact state after {@code kill -9} with state and checkpoints in Redis: a keyed count and checksum
 * in a child JVM (Redis state backend, linked Redis checkpoint storage) is killed with SIGKILL at
 * random moments after it completed a checkpoint, and started again; the run that completes must
 * hold, per key, exactly the reference count and checksum — in its output and in the live Redis
 * keys, which only ever change together with a completed checkpoint.
 */
class RedisKillRestartTest {
  /** Kills per run: 2 in the build; more with {@code -Dnip.redis.kills=N}. */
  static final int KILLS = Integer.getInteger("nip.redis.kills", 2);
  static final int EVENTS = Math.max(30_000, KILLS * 6_000);
  static final int RATE = 8_000;
  static final int KEYS = 40;
  static final String LATEST = "kill:kill:#checkpoint:latest";
  static EmbeddedRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  static GeneratorSpec spec(long ratePerSecond) {
    return GeneratorSpec.builder().events(EVENTS).ratePerSecond(ratePerSecond).keys(KEYS).partitions(2).seed(11)
        .botRatio(0).build();
  }

  /** The job the test kills: args = Redis URI, output file. */
  public static final class Job {
    public static void main(String[] args) {
      RedisStateBackend redis = RedisStateBackend.builder().uri(args[0]).build();
      Pipeline p = Pipeline.named("kill", PipelineConfig.builder().threads(2).parallelism(2)
          .commitInterval(Duration.ofMillis(50)).stateBackend(redis).checkpointStorage(redis.checkpointStorage("kill"))
          .build());
      p.from(Sources.generator("events", spec(RATE)))
          .keyBy(GenericEvent::key, Serdes.string())
          .<String>process(new KeyedProcessor<>() {
            @Override
            public void process(String key, GenericEvent e, KeyedContext<String, String> ctx) {
              ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
              ValueState<Long> checksum = ctx.valueState("checksum", Serdes.json(Long.class));
              count.update(count.valueOr(0L) + 1);
              checksum.update(checksum.valueOr(0L) + e.eventId().hashCode());
              ctx.registerEventTimeTimer(Instant.ofEpochMilli(Long.MAX_VALUE));
            }

            @Override
            public void onTimer(String key, Instant time, TimeDomain domain, KeyedContext<String, String> ctx) {
              ctx.emit(key + " " + ctx.valueState("count", Serdes.json(Long.class)).value() + " "
                  + ctx.valueState("checksum", Serdes.json(Long.class)).value());
            }
          }, Op.named("counter"))
          .to(Sinks.jsonLines("out", Path.of(args[1]), Serdes.string()));
      p.start().awaitTermination();
      redis.close();
      System.exit(0);
    }
  }

  /** Per key "count checksum" of every event, read from the generator directly. */
  private static Map<String, String> reference() {
    Map<String, long[]> acc = new HashMap<>();
    SourceContext ctx = new SourceContext("reference", NipClock.system(), new SimpleMeterRegistry());
    for (int partition = 0; partition < 2; partition++) {
      try (SourceReader<GenericEvent> r = Sources.generator("events", spec(0))
          .createReader(partition, ctx, SourcePosition.NONE)) {
        SourceOutput<GenericEvent> out = new SourceOutput<>() {
          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, long offset, long ts) {
            long[] a = acc.computeIfAbsent(e.key(), k -> new long[2]);
            a[0]++;
            a[1] += e.eventId().hashCode();
          }

          @Override
          public void emit(GenericEvent e, Object key, io.nip.event.Headers h, byte[] raw, SourcePosition p, long ts) {
            emit(e, key, h, raw, 0L, ts);
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
    Map<String, String> ref = new HashMap<>();
    acc.forEach((k, a) -> ref.put(k, a[0] + " " + a[1]));
    return ref;
  }

  private static Process start(Path output) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // C1 only and the serial collector: the child spends its short life loading classes, not optimizing
    return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Job.class.getName(),
        redis.uri(), output.toString())
        .redirectErrorStream(true).redirectOutput(output.resolveSibling(output.getFileName() + ".log").toFile())
        .start();
  }

  private static long latest() {
    String v = redis.redis().get(LATEST);
    return v == null ? 0 : Long.parseLong(v);
  }

  /** The live Redis state: per key "count checksum", over both keyed tasks. */
  private static Map<String, String> liveState() {
    Map<String, String> state = new HashMap<>();
    for (int task = 0; task < 2; task++) {
      String base = "kill:kill:keyed-0-" + task + ":counter/";
      for (String key : redis.redis().smembers(base + "count")) {
        state.put(key, redis.redis().get(base + "count:" + key) + " " + redis.redis().get(base + "checksum:" + key));
      }
    }
    return state;
  }

  @Test
  void when_the_process_is_killed_at_random_moments_then_state_and_live_keys_hold_every_event_once(@TempDir Path dir)
      throws Exception {
    Random random = new Random();
    // When: the job is killed with SIGKILL at a random moment after each run completed a checkpoint
    for (int kill = 0; kill < KILLS; kill++) {
      long before = latest();
      Path output = dir.resolve("out-" + kill + ".jsonl");
      Process p = start(output);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (latest() <= before && p.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(random.nextInt(400));
      Path log = output.resolveSibling(output.getFileName() + ".log");
      assertThat(p.isAlive()).as("the job is still running when killed (kill %d): %s", kill,
          Files.exists(log) ? Files.readString(log) : "").isTrue();
      assertThat(latest()).as("run %d completed a checkpoint", kill).isGreaterThan(before);
      p.destroyForcibly();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    Path output = dir.resolve("out-final.jsonl");
    Process last = start(output);
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).as("the last run completes").isTrue();
    assertThat(last.exitValue()).as(Files.readString(output.resolveSibling("out-final.jsonl.log"))).isZero();

    // Then: per key, the count and checksum in the output and in the live Redis keys equal the reference
    Map<String, String> got = new HashMap<>();
    for (String line : Files.readAllLines(output)) {
      String v = Serdes.string().deserialize(line.getBytes(StandardCharsets.UTF_8));
      String text = v.startsWith("\"") ? v.substring(1, v.length() - 1) : v;
      int space = text.indexOf(' ');
      got.put(text.substring(0, space), text.substring(space + 1));
    }
    Map<String, String> reference = reference();
    assertThat(got).isEqualTo(reference);
    assertThat(liveState()).isEqualTo(reference);
    assertThat(Files.size(dir.resolve("out-0.jsonl"))).as("a killed run emitted no final counts").isZero();
  }
}
