package io.nip.runtime.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the tasks of a pipeline under exactly-once share about their sinks' output: the committer
 * that writes it (the pipeline's state changelog), the bytes waiting in tasks for their checkpoint,
 * and the one warning per sink that cannot write inside the commit.
 *
 * <p>Why a class of its own: the checkpoint coordinator only needs to know when the waiting output
 * passed its bound ({@link #overBound()}, to request a checkpoint at once and, while a commit runs,
 * to pause the sources); the accounting is here.
 *
 * <p>Invariant: {@link #added} and {@link #drained} of the same records balance, so the count is
 * the output held in tasks, not yet handed over in a checkpoint part. Thread-safe: every task calls
 * in from its own worker.
 */
final class ExactlyOnceOutput implements TaskRuntime.TransactionalSinks {
  private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceOutput.class);
  /** Output waiting in tasks beyond which a checkpoint is requested at once: 64 MiB. */
  static final long BOUND_BYTES = 64L << 20;

  private final String pipeline;
  private final io.nip.state.StateChangelog committer;
  private final Runnable onOverBound;
  private final AtomicLong bytes = new AtomicLong();
  private final Set<String> atLeastOnceSinks = ConcurrentHashMap.newKeySet();

  /**
   * @param pipeline the pipeline's name, for the warning
   * @param committer the changelog that writes the records
   * @param onOverBound called (on the adding task's thread) each time an addition leaves more than
   *     {@link #BOUND_BYTES} waiting
   */
  ExactlyOnceOutput(String pipeline, io.nip.state.StateChangelog committer, Runnable onOverBound) {
    this.pipeline = pipeline;
    this.committer = committer;
    this.onOverBound = onOverBound;
  }

  /** @return true when more than {@link #BOUND_BYTES} of output wait in tasks */
  boolean overBound() {
    return bytes.get() > BOUND_BYTES;
  }

  @Override
  public Object committer() {
    return committer;
  }

  @Override
  public void added(long size) {
    if (bytes.addAndGet(size) > BOUND_BYTES) {
      onOverBound.run();
    }
  }

  @Override
  public void drained(long size) {
    bytes.addAndGet(-size);
  }

  @Override
  public long aheadTransaction(long barrier) {
    return committer.aheadTransaction(barrier);
  }

  @Override
  public int writeAhead(long transaction, java.util.List<Object> records, int from) {
    return committer.writeAhead(transaction, records, from);
  }

  @Override
  public void notExactlyOnce(String sink) {
    if (atLeastOnceSinks.add(sink)) {
      LOG.warn("pipeline '{}' runs exactly-once, but sink '{}' does not write inside the checkpoint's "
          + "commit: its records are written at least once (they may repeat after a failure)", pipeline, sink);
    }
  }
}
