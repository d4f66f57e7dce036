package io.nip.examples;

import io.nip.backpressure.BackpressureStrategy;
import io.nip.backpressure.BufferStats;
import io.nip.backpressure.RateLimiter;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.PipelineHandle;
import io.nip.serde.Serdes;
import io.nip.streaming.BufferedPipeline;
import java.io.PrintStream;
import java.util.Map;

/**
 * The tutorial's "Implementing Backpressure in NIP": a {@link BufferedPipeline} with a buffer of
 * 5,000 events per partition that drops the oldest when full, alerts from 80 % (4,000 events) on,
 * and a loop printing the buffer statistics every 5 s. The expensive operation is a service that
 * takes at most {@value #SERVICE_RATE} calls/s with bursts of 100; when events come faster they wait in the
 * buffer, and once it is full the oldest make room (counted in {@code nip.buffer.dropped}).
 *
 * <pre>{@code
 * BufferedPipeline<UserEvent> pipeline = BackpressurePipeline.pipeline(System.out);
 * PipelineHandle handle = pipeline.start(kafkaSource);
 * }</pre>
 */
public final class BackpressurePipeline {
  /** The calls per second the expensive operation takes. */
  public static final int SERVICE_RATE = 1_000;

  private BackpressurePipeline() {}

  /**
   * @param event an event
   * @return the event marked {@code processed}; stands for a call to a slow service
   */
  static UserEvent expensiveOperation(UserEvent event) {
    return event.withProperties(Map.of("processed", true));
  }

  // tag::backpressure[]
  /**
   * @param console where errors and alerts are printed
   * @return the tutorial's pipeline, not started
   */
  public static BufferedPipeline<UserEvent> pipeline(PrintStream console) {
    BufferedPipeline<UserEvent> pipeline = new BufferedPipeline<>(
        "backpressure_pipeline", 5_000, BackpressureStrategy.DROP_OLDEST,
        4_000); // alert when the buffer is 80% full

    pipeline.consumer(event -> {
      try {
        return expensiveOperation(event);
      } catch (RuntimeException e) {
        console.println("Error processing event: " + e.getMessage());
        return null;
      }
    }).rateLimit(new RateLimiter(SERVICE_RATE, SERVICE_RATE / 10)); // the service's pace, bursts of 100

    pipeline.alertHandler(level -> {
      if (level > 0.9) {
        console.printf("CRITICAL: Buffer at %.0f%% capacity%n", level * 100); // trigger scaling or alerting
      } else if (level > 0.7) {
        console.printf("WARNING: Buffer at %.0f%% capacity%n", level * 100);
      }
    });
    return pipeline;
  }

  /**
   * Runs against a cluster and prints the buffer statistics every 5 s.
   *
   * @param args bootstrap servers (default {@code localhost:9092})
   * @throws InterruptedException when interrupted while waiting
   */
  public static void main(String[] args) throws InterruptedException {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    BufferedPipeline<UserEvent> pipeline = pipeline(System.out);
    PipelineHandle handle = pipeline.start(KafkaSource.builder("user-events", Serdes.json(UserEvent.class))
        .bootstrapServers(servers).groupId("backpressure-pipeline").offsetReset(OffsetReset.LATEST).build());
    Runtime.getRuntime().addShutdownHook(new Thread(handle::close));
    while (handle.status() == PipelineHandle.Status.RUNNING) { // monitor backpressure
      BufferStats stats = pipeline.bufferStats();
      System.out.printf("Buffer: %d/%d (%.1f%%)%n", stats.size(), stats.capacity(), stats.utilization() * 100);
      Thread.sleep(5_000);
    }
  }
  // end::backpressure[]
}
