package io.nip.examples;

// tag::quick-start-test[]
import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.testing.PipelineTestDriver;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuickStartTest {

  @Test
  void the_hundredth_event_of_a_user_is_reported_and_bots_are_not_counted() {
    Instant t = Instant.parse("2026-01-17T17:00:00Z");
    try (PipelineTestDriver driver = PipelineTestDriver.of(QuickStart.pipeline())) {
      for (int i = 1; i <= 100; i++) {
        driver.input("events").pipe(new GenericEvent("e" + i, "user_1", "click", t, Map.of()), t);
        driver.input("events").pipe(new GenericEvent("b" + i, "bot_1", "click", t, Map.of()), t);
      }
      driver.advanceEventTime(t.plusSeconds(300));

      assertThat(driver.output("console")).containsExactly("user_1 reached 100 events");
    }
  }
}
// end::quick-start-test[]
