package io.nip.window.internal;

import io.nip.window.SlidingWindow;
import io.nip.window.TumblingWindow;
import io.nip.window.WindowAssigner;

/**
 * The arithmetic of tumbling and sliding windows, on epoch milliseconds: which windows contain a
 * timestamp, and where a window ends. The operator walks an event's windows from the latest start
 * backwards, without allocating (stopping at the beginning of time, where starts saturate):
 *
 * <pre>{@code
 * for (long s = math.latestStart(ts); math.contains(s, ts); s = math.earlierStart(s)) {
 *   ...
 *   if (s == Long.MIN_VALUE) break;
 * }
 * }</pre>
 *
 * <p>Arithmetic saturates instead of overflowing: a window whose end would pass
 * {@link Long#MAX_VALUE} ends there and contains {@code Long.MAX_VALUE} itself, so an absurd
 * timestamp lands in a window that closes at the end of input, never in a wrapped-around one.
 * Instances may cache the last day they computed (calendar days): one per operator, confined to
 * its task thread.
 */
public abstract class FixedWindows {

  FixedWindows() {}

  /**
   * @param assigner a tumbling or sliding assigner
   * @return its arithmetic
   * @throws IllegalArgumentException for sessions and global windows
   */
  public static FixedWindows of(WindowAssigner assigner) {
    if (assigner instanceof TumblingWindow && ((TumblingWindow) assigner).zone() != null) {
      return new CalendarDays(((TumblingWindow) assigner).zone(), assigner.offset().toMillis());
    }
    if (assigner instanceof TumblingWindow || assigner instanceof SlidingWindow) {
      return new Aligned(assigner.size().toMillis(), assigner.slide().toMillis(), assigner.offset().toMillis());
    }
    throw new IllegalArgumentException("not a fixed window: " + assigner);
  }

  /**
   * @param ts epoch millis
   * @return the start of the latest window that contains {@code ts}
   */
  public abstract long latestStart(long ts);

  /**
   * @param start a window start
   * @return the start of the window before it, or {@link Long#MIN_VALUE} at the beginning of time
   */
  public abstract long earlierStart(long start);

  /**
   * @param start a window start
   * @return its exclusive end, at most {@link Long#MAX_VALUE}
   */
  public abstract long end(long start);

  /**
   * @param start a window start
   * @param ts epoch millis
   * @return whether the window contains {@code ts} (a saturated window also contains {@code Long.MAX_VALUE})
   */
  public final boolean contains(long start, long ts) {
    if (ts < start) {
      return false;
    }
    long end = end(start);
    return ts < end || (end == Long.MAX_VALUE && saturated(start));
  }

  /**
   * @param start a window start
   * @return whether its true end lies beyond {@link Long#MAX_VALUE}
   */
  boolean saturated(long start) {
    return end(start) == Long.MAX_VALUE;
  }

  /** @return a + b, or the bound of long it would pass */
  public static long saturatedAdd(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** Epoch-aligned windows of {@code size} starting every {@code slide}, shifted by {@code offset}. */
  static final class Aligned extends FixedWindows {
    private final long size;
    private final long slide;
    private final long offset;

    Aligned(long size, long slide, long offset) {
      this.size = size;
      this.slide = slide;
      this.offset = offset;
    }

    @Override
    public long latestStart(long ts) {
      long r = Math.floorMod(ts, slide) - offset;
      if (r < 0) {
        r += slide;
      }
      return saturatedAdd(ts, -r);
    }

    @Override
    public long earlierStart(long start) {
      return saturatedAdd(start, -slide);
    }

    @Override
    public long end(long start) {
      return saturatedAdd(start, size);
    }

    @Override
    boolean saturated(long start) {
      return start > Long.MAX_VALUE - size;
    }
  }
}
