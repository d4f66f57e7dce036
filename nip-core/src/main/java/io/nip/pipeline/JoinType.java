package io.nip.pipeline;

/**
 * Which left records a join emits.
 *
 * <ul>
 *   <li>{@link #INNER}: only left records that found a right side, once per match;
 *   <li>{@link #LEFT_OUTER}: also left records that found none, once, with an absent ({@code null})
 *       right side — emitted when no match can come any more (the join window or the table's grace
 *       has passed by the watermark), never eagerly.
 * </ul>
 */
public enum JoinType {
  /** Matches only. */
  INNER,
  /** Matches, and each left record without one with a {@code null} right side. */
  LEFT_OUTER
}
