package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The quick start's {@code main} prints what the top README says it prints. */
class QuickStartMainTest {

  @Test
  void main_prints_one_line_per_user_and_hundred_events_exactly_as_the_readme_says() throws Exception {
    // Given the reference: every generated event, counted per non-bot user
    Pipeline reference = Pipeline.named("reference");
    CollectingSink<GenericEvent> all = Sinks.collecting("all");
    reference.from(Sources.generator("events",
        GeneratorSpec.builder().events(10_000).keys(20).botRatio(0.05).build())).to(all);
    reference.start().awaitTermination();
    Map<String, Long> perUser = new TreeMap<>();
    all.values().stream().filter(e -> !e.key().startsWith("bot_"))
        .forEach(e -> perUser.merge(e.key(), 1L, Long::sum));
    List<String> expected = new ArrayList<>();
    perUser.forEach((user, n) -> {
      for (long c = 100; c <= n; c += 100) {
        expected.add(user + " reached " + c + " events");
      }
    });

    // When main runs with standard output captured
    String printed = captureStdout(() -> QuickStart.main(new String[0]));

    // Then it printed exactly those lines (in some order across users) and nothing else
    assertThat(printed.lines().toList()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(expected).hasSize(EXPECTED_LINES).contains("user_0 reached 400 events");
  }

  /** The number of lines the top README says the quick start prints. */
  static final int EXPECTED_LINES = 82;

  private static String captureStdout(Runnable action) {
    PrintStream original = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setOut(original);
    }
    return buffer.toString(StandardCharsets.UTF_8);
  }
}
