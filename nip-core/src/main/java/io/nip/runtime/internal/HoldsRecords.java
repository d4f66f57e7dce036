package io.nip.runtime.internal;

/**
 * An operator that keeps source records in state until it emits their results (open windows).
 * At a checkpoint it reports, per input channel, the smallest source position it still holds, and
 * source offsets are never committed past it: a restart or a rebalance replays those records
 * instead of losing them (at-least-once for in-memory state).
 */
public interface HoldsRecords {
  /** @param minPositions per channel, lowered to the smallest position still held */
  void lowestHeldPositions(long[] minPositions);
}
