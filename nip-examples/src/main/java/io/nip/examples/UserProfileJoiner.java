package io.nip.examples;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.nip.kafka.KafkaSink;
import io.nip.kafka.KafkaSource;
import io.nip.kafka.OffsetReset;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.streaming.StreamJoiner;
import io.nip.streaming.StreamJoiner.MergeStrategy;
import io.nip.time.NipClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The tutorial's "Pattern 3: Join Streams": user events from {@code user-events} joined with the
 * user's profile from the compacted topic {@code user-profiles} ({@link MergeStrategy#LATEST}: the
 * profile as it was when the event happened, even when the profile change arrives after the
 * event), written to {@code enriched-events} keyed by user as
 * {@code {"event": {...}, "profile": {...}, "joined_at": "..."}}. Events of users without a profile
 * (never created, or deleted by a tombstone) are written with {@code "profile": null}: the joiner
 * is left-outer, so no event is lost.
 *
 * <pre>{@code
 * Pipeline p = UserProfileJoiner.pipeline("localhost:9092", "joiner", false, NipClock.system());
 * p.start();
 * }</pre>
 */
public final class UserProfileJoiner {
  /** The left topic. */
  public static final String EVENTS_TOPIC = "user-events";
  /** The right topic: compacted, keyed by user id. */
  public static final String PROFILES_TOPIC = "user-profiles";
  /** Where enriched events go. */
  public static final String OUTPUT_TOPIC = "enriched-events";
  /** The joiner's (and pipeline's) name, as in the tutorial. */
  public static final String NAME = "user_profile_joiner";
  /** How far behind the newest event time either topic may run: what the join waits for. */
  public static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofSeconds(10);

  private UserProfileJoiner() {}

  /**
   * The handler's result (the tutorial's dict).
   *
   * @param event the user event
   * @param profile the profile as of the event's time, or null when the user had none
   * @param joinedAt when the join happened (the pipeline clock)
   */
  @JsonPropertyOrder({"event", "profile", "joined_at"})
  public record EnrichedEvent(@JsonProperty("event") UserEvent event, @JsonProperty("profile") UserProfile profile,
      @JsonProperty("joined_at") Instant joinedAt) {}

  /**
   * @param bootstrapServers the cluster
   * @param groupId the consumer group of both topics
   * @param bounded stop at the end offsets taken at start (batch runs, tests)
   * @param clock gives {@code joined_at}
   * @return the pipeline, not started
   */
  public static Pipeline pipeline(String bootstrapServers, String groupId, boolean bounded, NipClock clock) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    KafkaSource.Builder<UserEvent> events = KafkaSource.builder(EVENTS_TOPIC, Serdes.json(UserEvent.class))
        .bootstrapServers(bootstrapServers).groupId(groupId).offsetReset(OffsetReset.EARLIEST);
    KafkaSource.Builder<UserProfile> profiles = KafkaSource.builder(PROFILES_TOPIC, Serdes.json(UserProfile.class))
        .bootstrapServers(bootstrapServers).groupId(groupId).offsetReset(OffsetReset.EARLIEST)
        .keySerde(Serdes.string()).tombstones(key -> UserProfile.deleted((String) key));
    if (bounded) {
      events.bounded();
      profiles.bounded();
    }
    return StreamJoiner.<String, UserEvent, UserProfile>named(NAME, MergeStrategy.LATEST)
        .leftStream(events.build(), UserEvent::userId, Serdes.json(UserEvent.class))
        .rightStream(profiles.build(), UserProfile::userId, Serdes.json(UserProfile.class))
        .deletes(UserProfile::deleted)
        .keySerde(Serdes.string())
        .maxOutOfOrderness(MAX_OUT_OF_ORDERNESS)
        .leftOuter()
        .handler((UserEvent event, UserProfile profile) -> new EnrichedEvent(event, profile, clock.instant()))
        .to(KafkaSink.builder(OUTPUT_TOPIC, Serdes.json(EnrichedEvent.class)).bootstrapServers(bootstrapServers)
            .key((EnrichedEvent e) -> e.event().userId()).build())
        .pipeline(PipelineConfig.builder().clock(clock).build());
  }

  /**
   * Runs until interrupted against a cluster.
   *
   * @param args bootstrap servers (default {@code localhost:9092})
   */
  public static void main(String[] args) {
    String servers = args.length > 0 ? args[0] : "localhost:9092";
    var h = pipeline(servers, NAME, false, NipClock.system()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(h::close));
    h.awaitTermination();
  }
}
