package io.nip.kinesis.internal;

/*
 * A Kinesis task's source position: for each shard of its lineage that it is reading (or finished
 * without reading its children), where it stands. Ancestors of a listed shard are implied finished,
 * so the map stays as small as the set of open shards.
 *
 * Values: FROM_START_POSITION ("") — not read yet, start as the source's starting position says;
 * FROM_SHARD_START ("^") — not read yet, a child of resharding, start at its first record;
 * SHARD_END ("$") — every record emitted, its children read by another task;
 * otherwise the sequence number of the last emitted record (resume AFTER_SEQUENCE_NUMBER).
 *
 * Byte form: a string position "shardId=value;shardId=value" (shard ids and sequence numbers hold
 * neither '=' nor ';'). Threading: owned by one task thread.
 */

import io.nip.source.SourcePosition;
import java.util.LinkedHashMap;
import java.util.Map;

/** Per-shard positions of one task, encoded as one {@link SourcePosition}. */
public final class ShardFrontier {
  /** Not read yet: start where the source's starting position says. */
  public static final String FROM_START_POSITION = "";
  /** Not read yet: start at the shard's first record. */
  public static final String FROM_SHARD_START = "^";
  /** Every record of the shard was emitted. */
  public static final String SHARD_END = "$";

  private final LinkedHashMap<String, String> shards = new LinkedHashMap<>();

  /**
   * @param position a position {@link #toPosition()} made, or NONE / null
   * @return its frontier (empty for NONE)
   * @throws IllegalArgumentException when the position is not a Kinesis frontier
   */
  public static ShardFrontier of(SourcePosition position) {
    ShardFrontier f = new ShardFrontier();
    if (position == null || position.isNone()) {
      return f;
    }
    if (position.kind() != SourcePosition.Kind.STRING) {
      throw new IllegalArgumentException("a Kinesis position is a string of shard=sequence pairs, got a "
          + position.kind() + " position: " + position);
    }
    String s = position.string();
    if (s.isEmpty()) {
      return f;
    }
    for (String pair : s.split(";")) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not a Kinesis position (expected shard=sequence pairs): " + s);
      }
      f.shards.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return f;
  }

  /** @return the shards and their values, in insertion order (live view) */
  public Map<String, String> shards() {
    return shards;
  }

  /**
   * @param shardId a shard
   * @param value a sequence number or one of the markers
   */
  public void put(String shardId, String value) {
    shards.put(shardId, value);
  }

  /** @param shardId a shard no longer needed in the position */
  public void remove(String shardId) {
    shards.remove(shardId);
  }

  /** @return the position to store in a checkpoint */
  public SourcePosition toPosition() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : shards.entrySet()) {
      if (sb.length() > 0) {
        sb.append(';');
      }
      sb.append(e.getKey()).append('=').append(e.getValue());
    }
    return SourcePosition.ofString(sb.toString());
  }
}
