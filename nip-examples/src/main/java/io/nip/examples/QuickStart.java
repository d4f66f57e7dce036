package io.nip.examples;

// tag::quick-start[]
import io.nip.pipeline.Pipeline;
import io.nip.serde.Serdes;
import io.nip.sink.Sinks;
import io.nip.source.GeneratorSpec;
import io.nip.source.Sources;
import io.nip.state.ValueState;

/**
 * A first pipeline: counts each user's events in keyed state and prints a line at
 * every hundredth, e.g. {@code user_7 reached 300 events}.
 *
 * <pre>{@code
 * QuickStart.pipeline().start().awaitTermination();
 * }</pre>
 */
public final class QuickStart {
  private QuickStart() {}

  /** @return the pipeline, not started: 10,000 generated events of 20 users and 5% bots */
  public static Pipeline pipeline() {
    Pipeline pipeline = Pipeline.named("quick-start");
    pipeline.from(Sources.generator("events", GeneratorSpec.builder().events(10_000).keys(20).botRatio(0.05).build()))
        .filter(e -> !e.key().startsWith("bot_"))          // drop bot traffic
        .keyBy(e -> e.key())                                // all events of a user meet in one task
        .<String>process((user, e, ctx) -> {                // per-key state and timers
          ValueState<Long> count = ctx.valueState("count", Serdes.json(Long.class));
          count.update(count.valueOr(0L) + 1);
          if (count.value() % 100 == 0) {
            ctx.emit(user + " reached " + count.value() + " events");
          }
        })
        .to(Sinks.stdout("console"));
    return pipeline;
  }

  /**
   * Runs the pipeline to the end of its bounded input.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    pipeline().start().awaitTermination();
  }
}
// end::quick-start[]
