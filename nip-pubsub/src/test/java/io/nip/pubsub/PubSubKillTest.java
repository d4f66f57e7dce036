package io.nip.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.pubsub.v1.DeadLetterPolicy;
import io.nip.pipeline.Pipeline;
import io.nip.pubsub.local.PubSubEmulator;
import io.nip.pipeline.PipelineConfig;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sink;
import io.nip.sink.SinkWriter;
import io.nip.sink.Sinks;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process reading a subscription is killed with SIGKILL before its checkpoint acked anything; a
 * new pipeline then receives every message, those the dead process had read among them (Pub/Sub
 * delivers them again once their ack deadline passed), and counts the redeliveries.
 */
class PubSubKillTest {
  private static PubSubEmulator emulator;

  @BeforeAll
  static void startEmulator() throws Exception {
    emulator = PubSubEmulator.start();
  }

  @AfterAll
  static void stopEmulator() {
    if (emulator != null) {
      emulator.close();
    }
  }

  /** The killed process: reads the subscription, writes each value as a line, never completes a checkpoint. */
  public static final class Job {
    public static void main(String[] args) throws Exception {
      Path out = Path.of(args[2]);
      Pipeline p = Pipeline.named("kill-job", PipelineConfig.builder().commitInterval(Duration.ofHours(1)).build());
      p.from(PubSubSource.builder(PubSubEmulator.PROJECT, args[1], Serdes.string()).emulatorHost(args[0])
          .ackDeadline(Duration.ofSeconds(10)).maxOutstandingMessages(300).build()).to(lines(out));
      p.start().awaitTermination(Duration.ofMinutes(5));
    }

    private static Sink<String> lines(Path file) {
      return new Sink<>() {
        @Override
        public String name() {
          return "lines";
        }

        @Override
        public SinkWriter<String> createWriter(io.nip.sink.SinkContext context) {
          FileOutputStream os;
          try {
            os = new FileOutputStream(file.toFile(), true);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          return new SinkWriter<>() {
            @Override
            public void write(String value) {
              try {
                os.write((value + "\n").getBytes(StandardCharsets.UTF_8));
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }

            @Override
            public void close() {
              try {
                os.close();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }
          };
        }
      };
    }
  }

  @Test
  void messages_a_killed_process_had_not_acked_are_delivered_again_to_the_next_pipeline(@TempDir Path dir)
      throws Exception {
    // Given: 600 messages, and a process that read some of them without acking
    emulator.createTopic("kill");
    emulator.createTopic("kill-dead-letters");
    emulator.createSubscription("kill-sub", "kill", false, Duration.ofSeconds(10), DeadLetterPolicy.newBuilder()
        .setDeadLetterTopic("projects/" + PubSubEmulator.PROJECT + "/topics/kill-dead-letters")
        .setMaxDeliveryAttempts(20).build());
    PubSubSourceSinkTest.publish(emulator, "kill", 0, 600, 6);
    Path seen = dir.resolve("seen.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Job.class.getName(), emulator.hostPort(), "kill-sub", seen.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while ((!Files.exists(seen) || Files.readAllLines(seen).size() < 100) && System.nanoTime() < deadline) {
        assertThat(child.isAlive()).as("child alive; its log: %s", dir.resolve("child.log")).isTrue();
        Thread.sleep(50);
      }
    } finally {
      // When: it is killed with SIGKILL
      child.destroyForcibly();
      child.waitFor();
    }
    Set<String> readByChild = new HashSet<>(Files.readAllLines(seen));
    assertThat(readByChild).hasSizeGreaterThanOrEqualTo(100);

    // Then: a new pipeline receives all 600, those the child read included, and counts them as redelivered
    PubSubSource<String> src = PubSubSourceSinkTest.source(emulator, "kill-sub").ackDeadline(Duration.ofSeconds(10))
        .build();
    CollectingSink<String> out = Sinks.collecting("out");
    Pipeline p = Pipeline.named("after-kill", PipelineConfig.builder().commitInterval(Duration.ofMillis(200)).build());
    p.from(src).to(out);
    PipelineHandle h = p.start();
    try {
      // the dead process's messages come back once their 10 s deadline passed; on a loaded 2-core
      // machine the emulator was once seen to take longer than a minute to hand the last ones out
      long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
      while (new HashSet<>(out.values()).size() < 600 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
    } finally {
      h.stop();
      h.awaitTermination(Duration.ofSeconds(30));
    }
    List<String> got = out.values();
    assertThat(new HashSet<>(got)).hasSize(600).containsAll(readByChild);
    assertThat(src.redeliveries()).as("redeliveries counted").isGreaterThanOrEqualTo(readByChild.size());
  }
}
