package io.nip.join;

import static org.assertj.core.api.Assertions.assertThat;

import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.Stream;
import io.nip.pipeline.Table;
import io.nip.serde.Serdes;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.source.Sources;
import io.nip.testing.PipelineTestDriver;
import io.nip.testing.TestInput;
import io.nip.time.WatermarkStrategy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stream–table join resolves a record as soon as the table side's own watermark has passed the
 * record's time, instead of waiting for the slower event side: at once when the table's input is
 * exhausted, and when table updates run ahead of the events. What it joins is the same either way.
 */
class TableWatermarkTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration DISORDER = Duration.ofSeconds(5);

  record Update(String user, String tier) {}

  record Click(String user, String page) {}

  private final Pipeline pipeline = Pipeline.named("table-watermark");
  private final CollectingSink<String> out = Sinks.collecting("out");

  private PipelineTestDriver driver(boolean leftOuter) {
    Stream<Click> clicks = pipeline.from(Sources.<Click>collection("clicks", List.of()),
        WatermarkStrategy.boundedOutOfOrderness(DISORDER));
    Table<String, String> tiers = pipeline.table(Sources.<Update>collection("tiers", List.of()),
        WatermarkStrategy.boundedOutOfOrderness(DISORDER), Update::user, Update::tier, Serdes.string(),
        Duration.ofHours(1));
    Joins.Builder<String, Click, String> b = Joins.left(clicks, Click::user, Serdes.json(Click.class)).latest(tiers);
    (leftOuter ? b.leftOuter() : b).apply((c, tier) -> c.page() + "|" + (tier == null ? "-" : tier),
        Op.named("join")).to(out);
    return PipelineTestDriver.of(pipeline, T0);
  }

  /**
   * Reads the table to its end: u1 is silver from T0 and gold from {@code goldAt} seconds on.
   *
   * @return the clicks' input
   */
  private static TestInput<Click> clicksAfterTable(PipelineTestDriver driver, long goldAt) {
    TestInput<Update> tiers = driver.input("tiers");
    tiers.pipe(new Update("u1", "silver"), T0);
    tiers.pipe(new Update("u1", "gold"), T0.plusSeconds(goldAt));
    tiers.end();
    return driver.input("clicks");
  }

  @Test
  void when_the_table_input_is_exhausted_then_each_record_is_joined_on_arrival() {
    try (PipelineTestDriver driver = driver(true)) {
      // Given: the table read to its end
      TestInput<Click> clicks = clicksAfterTable(driver, 30);

      // When: clicks far ahead of their own watermark (5 s of disorder)
      clicks.pipe(new Click("u1", "/a"), T0.plusSeconds(10));
      clicks.pipe(new Click("u1", "/b"), T0.plusSeconds(40));
      clicks.pipe(new Click("u2", "/c"), T0.plusSeconds(41));

      // Then: each one is joined as of its time without waiting for the clicks' watermark
      assertThat(driver.output(out)).containsExactly("/a|silver", "/b|gold", "/c|-");
      assertThat(driver.state("join", "join")).as("nothing waits in the join's state").containsOnlyKeys("u1");
      driver.endAllInputs();
      assertThat(driver.output(out)).hasSize(3);
    }
  }

  @Test
  void when_records_joined_on_arrival_come_out_of_order_then_their_results_follow_arrival_order() {
    try (PipelineTestDriver driver = driver(false)) {
      TestInput<Click> clicks = clicksAfterTable(driver, 38);

      // within the clicks' 5 s of disorder: /late is earlier in event time but arrives second
      clicks.pipe(new Click("u1", "/first"), T0.plusSeconds(40));
      clicks.pipe(new Click("u1", "/late"), T0.plusSeconds(37));

      // each is joined as of its own time, in the order they arrived
      assertThat(driver.output(out)).containsExactly("/first|gold", "/late|silver");
    }
  }

  @Test
  void when_the_table_runs_ahead_then_records_behind_it_join_at_once_and_later_ones_wait() {
    try (PipelineTestDriver driver = driver(false)) {
      TestInput<Update> tiers = driver.input("tiers");
      TestInput<Click> clicks = driver.input("clicks");
      tiers.pipe(new Update("u1", "silver"), T0);
      tiers.pipe(new Update("u1", "gold"), T0.plusSeconds(100)); // the table's watermark: T0 + 95 s

      // a click behind the table's watermark is joined at once; one ahead of it waits
      clicks.pipe(new Click("u1", "/a"), T0.plusSeconds(90));
      clicks.pipe(new Click("u1", "/b"), T0.plusSeconds(120));
      assertThat(driver.output(out)).containsExactly("/a|silver");

      // an update that arrives later but precedes the waiting click is still seen by it
      tiers.pipe(new Update("u1", "platinum"), T0.plusSeconds(110));
      tiers.pipe(new Update("u1", "bronze"), T0.plusSeconds(200)); // the table's watermark: T0 + 195 s

      // a later click of the key: both are joined, in time order
      clicks.pipe(new Click("u1", "/c"), T0.plusSeconds(130));
      assertThat(driver.output(out)).containsExactly("/a|silver", "/b|platinum", "/c|platinum");
      driver.endAllInputs();
      assertThat(driver.output(out)).hasSize(3);
    }
  }

  @Test
  void when_the_table_is_behind_then_records_wait_for_the_watermark_as_before() {
    try (PipelineTestDriver driver = driver(false)) {
      TestInput<Update> tiers = driver.input("tiers");
      TestInput<Click> clicks = driver.input("clicks");
      tiers.pipe(new Update("u1", "silver"), T0);
      clicks.pipe(new Click("u1", "/a"), T0.plusSeconds(60));
      assertThat(driver.output(out)).isEmpty();

      tiers.pipe(new Update("u1", "gold"), T0.plusSeconds(59)); // arrives after the click it precedes
      driver.endAllInputs();
      assertThat(driver.output(out)).containsExactly("/a|gold");
    }
  }
}
