package io.nip.cep.internal;

import java.util.Arrays;

/**
 * One run of the NFA for one key: which step it is in, how many events each step took, and
 * references (positions in the key's event-time order) to the events it took. The events
 * themselves live once in the key's shared event buffer, however many partial matches refer to
 * them, so a partial match costs a few dozen bytes plus about two bytes per taken event in state
 * (see {@link KeyStateSerde}).
 *
 * <p>Immutable: taking an event returns a new partial match, so an evaluation that fails half-way
 * leaves the previous list intact. An <em>absent</em> partial match has completed its steps and
 * waits until {@link #deadline} for the trailing {@code notFollowedBy} to be proven.
 */
public final class Partial {
  final int stage;
  final int[] counts;
  final long[] positions;
  final long startTs;
  final long stageStartTs;
  final boolean adjacent;
  final boolean absent;
  final long deadline;

  Partial(int stage, int[] counts, long[] positions, long startTs, long stageStartTs, boolean adjacent,
      boolean absent, long deadline) {
    this.stage = stage;
    this.counts = counts;
    this.positions = positions;
    this.startTs = startTs;
    this.stageStartTs = stageStartTs;
    this.adjacent = adjacent;
    this.absent = absent;
    this.deadline = deadline;
  }

  static Partial start(long position, long ts) {
    return new Partial(0, new int[] {1}, new long[] {position}, ts, ts, true, false, Long.MIN_VALUE);
  }

  /** @return events taken by the current step */
  int count() {
    return counts[stage];
  }

  long first() {
    return positions[0];
  }

  long last() {
    return positions[positions.length - 1];
  }

  Partial take(int toStage, long position, long ts) {
    long[] pos = Arrays.copyOf(positions, positions.length + 1);
    pos[positions.length] = position;
    int[] c;
    long stageStart = stageStartTs;
    if (toStage == stage) {
      c = counts.clone();
      c[stage]++;
    } else {
      c = Arrays.copyOf(counts, counts.length + 1);
      c[toStage] = 1;
      stageStart = ts;
    }
    return new Partial(toStage, c, pos, startTs, stageStart, true, false, Long.MIN_VALUE);
  }

  Partial ignoring() {
    return adjacent ? new Partial(stage, counts, positions, startTs, stageStartTs, false, false, deadline) : this;
  }

  Partial absentUntil(long until) {
    return new Partial(stage, counts, positions, startTs, stageStartTs, false, true, until);
  }

  /** @return the step index of each taken event, in order */
  int[] stageOfEvents() {
    int[] out = new int[positions.length];
    int i = 0;
    for (int s = 0; s < counts.length; s++) {
      for (int k = 0; k < counts[s]; k++) {
        out[i++] = s;
      }
    }
    return out;
  }

  /**
   * Emission order of matches found at the same step: by positions lexicographically (so by first
   * event first, a prefix before its extensions), then by the step of each event.
   *
   * @param a a match
   * @param b another
   * @return the comparison
   */
  static int order(Partial a, Partial b) {
    int c = Arrays.compare(a.positions, b.positions);
    return c != 0 ? c : Arrays.compare(a.stageOfEvents(), b.stageOfEvents());
  }
}
