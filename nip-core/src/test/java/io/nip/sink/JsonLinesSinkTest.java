package io.nip.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Sinks#jsonLines}: one file shared by every writer of a pipeline. */
class JsonLinesSinkTest {
  private static final SinkContext TASK = new SinkContext() {
    @Override
    public String pipelineName() {
      return "p";
    }

    @Override
    public String taskId() {
      return "source-0";
    }

    @Override
    public Instant currentTimestamp() {
      return null;
    }
  };

  @Test
  void when_a_writer_opens_after_the_others_closed_then_their_lines_stay(@TempDir Path dir) throws Exception {
    // Given: a file left from an earlier run, and a sink whose first writer writes and closes
    Path file = dir.resolve("dead.jsonl");
    Files.writeString(file, "\"from an earlier run\"\n");
    Sink<String> sink = Sinks.jsonLines("dlq-file", file);
    SinkWriter<String> first = sink.createWriter(TASK);
    first.write("a");
    first.close();

    // When: a second task's writer is created only then (as a dead-letter writer is, at the first dead letter)
    SinkWriter<String> second = sink.createWriter(TASK);
    second.write("b");
    second.close();

    // Then: the earlier run's line is gone (the first open truncates), this run's lines both stay
    assertThat(Files.readAllLines(file)).containsExactly("\"a\"", "\"b\"");
  }
}
