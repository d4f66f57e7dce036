package io.nip.kinesis;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a {@link KinesisSource} starts reading a shard for which no checkpoint recorded a position:
 * the oldest record still retained ({@link #TRIM_HORIZON}), only records that arrive after the
 * start ({@link #LATEST}), or the first record that arrived at or after an instant
 * ({@link #atTimestamp}). Child shards created by resharding are always read from their start.
 *
 * <pre>{@code
 * KinesisStartingPosition from = KinesisStartingPosition.atTimestamp(Instant.parse("2026-12-01T00:00:00Z"));
 * }</pre>
 */
public final class KinesisStartingPosition {

  /** The kinds of start, named as the Kinesis {@code ShardIteratorType}s they map to. */
  public enum Type {
    /** The oldest record the stream still retains. */
    TRIM_HORIZON,
    /** Just after the most recent record: only what arrives after the reader started. */
    LATEST,
    /** The first record whose approximate arrival time is at or after {@link #timestamp()}. */
    AT_TIMESTAMP
  }

  /** From the oldest retained record (the default). */
  public static final KinesisStartingPosition TRIM_HORIZON = new KinesisStartingPosition(Type.TRIM_HORIZON, null);

  /** From the records that arrive after the reader started. */
  public static final KinesisStartingPosition LATEST = new KinesisStartingPosition(Type.LATEST, null);

  private final Type type;
  private final Instant timestamp;

  private KinesisStartingPosition(Type type, Instant timestamp) {
    this.type = type;
    this.timestamp = timestamp;
  }

  /**
   * @param timestamp the earliest arrival time to read, not null
   * @return a start at the first record that arrived at or after {@code timestamp}
   */
  public static KinesisStartingPosition atTimestamp(Instant timestamp) {
    return new KinesisStartingPosition(Type.AT_TIMESTAMP, Objects.requireNonNull(timestamp, "timestamp"));
  }

  /** @return the kind of start */
  public Type type() {
    return type;
  }

  /** @return the instant of an {@link Type#AT_TIMESTAMP} start, else null */
  public Instant timestamp() {
    return timestamp;
  }

  @Override
  public String toString() {
    return type == Type.AT_TIMESTAMP ? "AT_TIMESTAMP(" + timestamp + ")" : type.name();
  }
}
