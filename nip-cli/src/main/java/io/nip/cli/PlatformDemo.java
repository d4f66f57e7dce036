package io.nip.cli;

import io.nip.examples.analytics.AnalyticsPipeline;
import io.nip.examples.analytics.UserEventFeed;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * {@code nip demo analytics --platform kinesis|pubsub}: exercise 1 on Kinesis or Pub/Sub, as
 * {@link AnalyticsDemo} runs it on Kafka. Starts the platform's local server ({@link DemoPlatform}),
 * creates {@code user-events}, {@code analytics-output} and {@code user-events-dlq} there, writes the
 * input into {@code user-events} with the same rules as on Kafka ({@link InputLoader}: lines that are
 * not UTF-8 or larger than 1 MiB become dead letters at once), runs the same job
 * ({@link AnalyticsPipeline#builder(io.nip.examples.StreamingPlatform)}) bounded over the platform's
 * source with results and dead letters to the platform's sinks and to the files, and stops the
 * server. At-least-once (the command refuses exactly-once off Kafka).
 */
final class PlatformDemo {
  private PlatformDemo() {}

  /**
   * @param s what to run ({@code bootstrapServers} and {@code groupId} are not used)
   * @param platform {@link Platform#KINESIS} or {@link Platform#PUBSUB}
   * @param started receives the server's description once it runs, for the summary
   * @return what happened
   * @throws NipCommand.UsageException when the platform's server is not installed
   */
  static AnalyticsDemo.Summary run(AnalyticsDemo.Settings s, Platform platform,
      Consumer<String> started) {
    try (ShutdownHandler stops = ShutdownHandler.install()) {
      stops.stage("starting the local " + platform.title() + " server", () -> { }, () -> "");
      try (DemoPlatform server = DemoPlatform.start(platform)) {
        started.accept(server.description());
        stops.stage("creating the streams", () -> { }, () -> "");
        server.createStreams(AnalyticsPipeline.INPUT_TOPIC, AnalyticsPipeline.OUTPUT_TOPIC, AnalyticsPipeline.DLQ_TOPIC);
        long t0 = System.nanoTime();
        InputLoader.Result loaded = load(server, platform, s, stops);
        Duration loadTime = Duration.ofNanos(System.nanoTime() - t0);
        // the input was written with user_id as the record key: a user's events are in one shard, in order
        AnalyticsPipeline.Builder b = AnalyticsPipeline.builder(server).config(AnalyticsDemo.config(s)).bounded()
            .inputKeyedByUser().maxOutOfOrderness(s.maxOutOfOrderness());
        return AnalyticsDemo.execute(b, null, s, loaded, loadTime, stops);
      }
    }
  }

  private static InputLoader.Result load(DemoPlatform server, Platform platform, AnalyticsDemo.Settings s,
      ShutdownHandler stops) {
    stops.checkStop();
    LineFeed feed = server.feed(AnalyticsPipeline.INPUT_TOPIC, AnalyticsPipeline.PIPELINE_NAME);
    stops.stage("loading the input", () -> { }, () -> String.format("%,d events written to %s", feed.sent(),
        AnalyticsPipeline.INPUT_TOPIC));
    if (s.input() == null) {
      long[] n = {0};
      try (feed) {
        UserEventFeed.generate(UserEventFeed.Spec.defaults(s.events()).withSeed(s.seed()), (key, value) -> {
          stops.checkStop();
          feed.sendLine(value, ++n[0], e -> {
            throw new IllegalStateException("a generated event was refused by " + platform.title() + ": " + e, e);
          });
        });
      }
      return new InputLoader.Result(s.events(), s.events(), 0, 0);
    }
    return InputLoader.loadFile(feed, server.deadLetters(AnalyticsPipeline.DLQ_TOPIC),
        new InputLoader.LoaderSpec(s.input(), AnalyticsPipeline.INPUT_TOPIC, AnalyticsPipeline.PIPELINE_NAME,
            server.maxRecordBytes(), platform.title(), server.limit()),
        s.outputs().deadLetters(), stops::checkStop);
  }
}
