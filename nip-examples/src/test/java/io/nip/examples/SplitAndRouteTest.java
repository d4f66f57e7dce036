package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.event.GenericEvent;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineHandle;
import io.nip.testing.PipelineTestDriver;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.streaming.StreamRouter;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class SplitAndRouteTest {

  private static UserEvent event(String id, String type) {
    return new UserEvent(id, "user_" + id, type, Instant.parse("2026-01-17T17:00:00Z"), Map.of());
  }

  @Test
  void purchases_and_signups_get_their_handlers_and_the_rest_the_default() {
    // Given the tutorial's router with no-op handlers
    StreamRouter<UserEvent> router = SplitAndRoute.router(e -> { }, e -> { }, e -> { });
    Pipeline p = Pipeline.named("t");
    router.applyTo(p.from(Sources.collection("user-events", List.<UserEvent>of()), WatermarkStrategy.processingTime()));

    try (PipelineTestDriver driver = PipelineTestDriver.of(p)) {
      // When
      driver.<UserEvent>input("user-events").pipeAll(event("1", "purchase"), event("2", "click"),
          event("3", "signup"), event("4", "purchase"), event("5", "logout"));

      // Then each handler's sink got exactly its events, in order
      assertThat(driver.output("event_router.purchase")).extracting(o -> ((UserEvent) o).eventId())
          .containsExactly("1", "4");
      assertThat(driver.output("event_router.signup")).extracting(o -> ((UserEvent) o).eventId())
          .containsExactly("3");
      assertThat(driver.output("event_router.default")).extracting(o -> ((UserEvent) o).eventId())
          .containsExactly("2", "5");
    }
  }

  @Test
  void a_real_run_over_generated_events_routes_every_event_exactly_once() {
    // Given 40,000 generated events over the tutorial's 8 types, read in 2 partitions
    LongAdder purchases = new LongAdder();
    LongAdder signups = new LongAdder();
    LongAdder others = new LongAdder();
    LongAdder otherPurchasesOrSignups = new LongAdder();
    StreamRouter<UserEvent> router = SplitAndRoute.router(e -> purchases.increment(), e -> signups.increment(),
        e -> {
          others.increment();
          if (e.eventType().equals("purchase") || e.eventType().equals("signup")) {
            otherPurchasesOrSignups.increment();
          }
        });
    var source = Sources.generator("user-events", GeneratorSpec.builder().events(40_000).partitions(2).build());

    // When
    PipelineHandle h = SplitAndRoute.pipeline(source, router).start();

    // Then every event took exactly one route, and the default saw no purchase or signup
    assertThat(h.awaitTermination(Duration.ofSeconds(30))).isTrue();
    assertThat(purchases.sum() + signups.sum() + others.sum()).isEqualTo(40_000);
    assertThat(otherPurchasesOrSignups.sum()).isZero();
    // 2 of 8 uniformly drawn types: about 5,000 each
    assertThat(purchases.sum()).isBetween(4_500L, 5_500L);
    assertThat(signups.sum()).isBetween(4_500L, 5_500L);
  }

  @Test
  void the_route_counts_match_a_direct_count_of_the_generated_types() {
    GeneratorSpec spec = GeneratorSpec.builder().events(5_000).seed(7).build();
    LongAdder purchases = new LongAdder();
    StreamRouter<UserEvent> router = SplitAndRoute.router(e -> purchases.increment(), e -> { }, e -> { });
    var expected = new LongAdder();
    Pipeline reference = Pipeline.named("reference");
    reference.from(Sources.generator("user-events", spec)).filter(e -> e.eventType().equals("purchase"))
        .to(io.nip.sink.Sinks.<GenericEvent>forEach("count", e -> expected.increment()));
    reference.start().awaitTermination();

    SplitAndRoute.pipeline(Sources.generator("user-events", spec), router).start().awaitTermination();

    assertThat(purchases.sum()).isEqualTo(expected.sum()).isPositive();
  }
}
