package io.nip.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.JoinWindow;
import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.pipeline.Table;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The joins of nip-core's README, run on the driver. */
class JoinUsageTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  record Profile(String tier) {}

  record ProfileUpdate(String userId, Profile profile) {}

  record Click(String userId, String page) {}

  record Purchase(String userId, double amount) {}

  record Enriched(Click click, Profile profile) {}

  record Attribution(Purchase purchase, Click click) {}

  @Test
  void the_readme_joins_enrich_clicks_with_profiles_and_attribute_purchases_to_clicks() {
    Pipeline pipeline = Pipeline.named("joins");
    Source<ProfileUpdate> profileSource = Sources.collection("profiles", List.of());
    WatermarkStrategy<Click> wm = WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5));
    Stream<Click> events = pipeline.from(Sources.<Click>collection("clicks", List.of()), wm);
    Stream<Click> clicks = events;
    Stream<Purchase> purchases = pipeline.from(Sources.<Purchase>collection("purchases", List.of()),
        WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)));
    // tag::joins[]
    Table<String, Profile> profiles = pipeline.table(profileSource,
        WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(5)), ProfileUpdate::userId,
        ProfileUpdate::profile, Serdes.json(Profile.class), Duration.ofHours(1)); // null profile = delete
    Stream<Enriched> enriched = events.leftJoin(profiles, Click::userId, Serdes.json(Click.class),
        Enriched::new, Op.named("user_profile_joiner"));
    Stream<Attribution> attributed = purchases.join(clicks, Purchase::userId, Click::userId,
        JoinWindow.of(Duration.ofMinutes(30), Duration.ZERO), Serdes.json(Purchase.class),
        Serdes.json(Click.class), Attribution::new, Op.named("click-to-purchase"));
    // the same as a builder:
    Stream<Enriched> same = Joins.left(events, Click::userId, Serdes.json(Click.class))
        .latest(profiles).leftOuter().apply(Enriched::new, Op.named("user_profile_joiner_2"));
    // end::joins[]
    CollectingSink<Enriched> enrichedOut = Sinks.collecting("enriched");
    CollectingSink<Enriched> sameOut = Sinks.collecting("same");
    CollectingSink<Attribution> attributedOut = Sinks.collecting("attributed");
    enriched.to(enrichedOut);
    same.to(sameOut);
    attributed.to(attributedOut);

    try (PipelineTestDriver driver = PipelineTestDriver.of(pipeline, T0)) {
      driver.<ProfileUpdate>input("profiles").pipe(new ProfileUpdate("u1", new Profile("gold")), T0);
      driver.<Click>input("clicks").pipe(new Click("u1", "/home"), T0.plusSeconds(60));
      driver.<Click>input("clicks").pipe(new Click("u2", "/cart"), T0.plusSeconds(61));
      driver.<Purchase>input("purchases").pipe(new Purchase("u2", 9.5), T0.plusSeconds(600));
      driver.endAllInputs();
      assertThat(driver.output(enrichedOut)).containsExactlyInAnyOrder(
          new Enriched(new Click("u1", "/home"), new Profile("gold")), new Enriched(new Click("u2", "/cart"), null));
      assertThat(driver.output(sameOut)).containsExactlyInAnyOrderElementsOf(driver.output(enrichedOut));
      assertThat(driver.output(attributedOut)).containsExactly(
          new Attribution(new Purchase("u2", 9.5), new Click("u2", "/cart")));
    }
  }
}
