package io.nip.join.internal;

/**
 * One record of either side of a join on its way to the join's keyed operator: both sides are
 * mapped to this type and merged, so one keyed operator sees them in one stream, under the merged
 * (minimum) watermark of the two.
 *
 * <p>Immutable; created once per input record by the side's tagging step.
 *
 * @param left true for the left side, false for the right one
 * @param key the join key, computed by the side's key function
 * @param value the record (left), or the table's new value or stream record (right); null only for
 *     a table's tombstone
 */
public record Tagged(boolean left, Object key, Object value) {}
