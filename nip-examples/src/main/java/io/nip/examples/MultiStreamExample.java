package io.nip.examples;

import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.source.Source;
import io.nip.streaming.MultiStreamProcessor;
import io.nip.window.Aggregates;
import io.nip.window.TumblingWindow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tutorial's "Multi-Stream Processing": {@code user-events}, {@code system-events} and
 * {@code metrics} read by one consumer group, a handler per stream, and {@code aggregate_events}
 * counting user and system events per minute (with their total) into {@code stream-summaries}.
 * Events are JSON objects; their event time is the Kafka record's timestamp.
 *
 * <pre>{@code
 * MultiStreamExample example = new MultiStreamExample("localhost:9092", "multi-consumer", false);
 * example.pipeline().start();
 * }</pre>
 */
public final class MultiStreamExample {
  /** The three topics, by stream name, as in the tutorial. */
  public static final Map<String, String> TOPICS = Map.of("user_events", "user-events",
      "system_events", "system-events", "metrics", "metrics");
  /** Where the per-minute summaries go. */
  public static final String OUTPUT_TOPIC = "stream-summaries";

  private final String bootstrapServers;
  private final String groupId;
  private final boolean bounded;
  private final Map<String, LongAdder> handled = new LinkedHashMap<>();

  /**
   * @param bootstrapServers the cluster
   * @param groupId the one consumer group of the three topics (the tutorial's {@code multi-consumer})
   * @param bounded stop at the end offsets taken at start (tests, batch runs)
   */
  public MultiStreamExample(String bootstrapServers, String groupId, boolean bounded) {
    this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    this.groupId = Objects.requireNonNull(groupId, "groupId");
    this.bounded = bounded;
    TOPICS.keySet().forEach(s -> handled.put(s, new LongAdder()));
  }

  /** @return events each stream's handler saw, by stream name */
  public Map<String, Long> handled() {
    Map<String, Long> out = new LinkedHashMap<>();
    handled.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** @return the pipeline, not started */
  public Pipeline pipeline() {
    Map<String, Source<Map<String, Object>>> sources = new LinkedHashMap<>();
    TOPICS.forEach((stream, topic) -> {
      KafkaSource.Builder<Map<String, Object>> b = KafkaSource.builder(topic, Serdes.jsonMap())
          .bootstrapServers(bootstrapServers).groupId(groupId).offsetReset(OffsetReset.EARLIEST).name(stream);
      if (bounded) {
        b.bounded();
      }
      sources.put(stream, b.build());
    });
    MultiStreamProcessor<Map<String, Object>> processor =
        MultiStreamProcessor.<Map<String, Object>>named("multi_stream_processor")
            .handler("user_events", e -> count("user_events", e))   // user-specific logic
            .handler("system_events", e -> count("system_events", e)) // system-specific logic
            .handler("metrics", e -> count("metrics", e))             // metrics processing
            .aggregator("aggregate_events", List.of("user_events", "system_events"),
                TumblingWindow.of(Duration.ofMinutes(1)), Aggregates.count(), (counts, window) -> {
                  Map<String, Object> summary = new LinkedHashMap<>();
                  summary.put("timestamp", window.end().toString());
                  summary.put("user_events", counts.get("user_events"));
                  summary.put("system_events", counts.get("system_events"));
                  summary.put("total", counts.get("user_events") + counts.get("system_events"));
                  return summary;
                }, KafkaSink.builder(OUTPUT_TOPIC, Serdes.jsonMap()).bootstrapServers(bootstrapServers).build());
    return processor.pipeline(sources, PipelineConfig.defaults());
  }

  private Map<String, Object> count(String stream, Map<String, Object> event) {
    handled.get(stream).increment();
    return event;
  }

  /**
   * Runs until interrupted against a cluster.
   *
   * @param args bootstrap servers (default {@code localhost:9092})
   */
  public static void main(String[] args) {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    var h = new MultiStreamExample(servers, "multi-consumer", false).pipeline().start();
    Runtime.getRuntime().addShutdownHook(new Thread(h::close));
    System.err.println("Multi-stream processor started");
    h.awaitTermination();
  }
}
