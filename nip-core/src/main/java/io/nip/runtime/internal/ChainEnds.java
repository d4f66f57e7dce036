package io.nip.runtime.internal;

/**
 * The two trivial operators that bound a fused chain: the entry that every record of a task
 * passes first, and the end of a branch that nothing consumes.
 */
public final class ChainEnds {
  private ChainEnds() {}

  /** Passes everything through; the entry of a chain. */
  public static final class Entry extends Operator {
    @Override
    public void process(Object value) {
      out.process(value);
    }
  }

  /** Drops records and signals of a branch nobody consumes. */
  public static final class Discard extends Operator {
    @Override
    public void process(Object value) {}

    @Override
    public void watermark(long watermark, int port) {}

    @Override
    public void barrier(long checkpointId, int port) {}

    @Override
    public void finish(int port) {}
  }
}
