package io.nip.state.redis.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes of one store that are not committed yet, as a sequence of epochs, each a staging
 * hash in Redis. Used only when the store's checkpoints go to the same Redis
 * ({@code RedisStateBackend.checkpointStorage}).
 *
 * <p>Why epochs: the writes made before a snapshot belong to the checkpoint of that snapshot, the
 * writes after it to a later one, and the same key may be written in both. A snapshot seals the
 * open epoch; the checkpoint storage's {@code write} for the task claims every sealed epoch for
 * its checkpoint; {@code complete} applies the claimed epochs to the live keys in the same script
 * that marks the checkpoint complete, and they leave the log.
 *
 * <p>Invariants: epochs are kept oldest first; claimed epochs form a prefix of the sealed ones
 * (claims take every sealed epoch), so committing "every epoch claimed up to checkpoint n" always
 * commits a prefix, in order; only the last epoch may be open. The log outlives a store instance:
 * a store created again for the same task and operator (after a restore in the same process)
 * continues it, so its predecessor's epochs still commit in order before its own.
 *
 * <p>Threading: the task's thread opens, seals and reads; the checkpoint coordinator claims (for a
 * task that ended) and commits. Every method takes {@link #lock}; a reader that must see the live
 * keys and the epochs as one state (a snapshot) holds it across its reads, and a commit holds it
 * while its script runs.
 */
final class StagedLog {
  private static final Logger LOG = LoggerFactory.getLogger(StagedLog.class);
  /** Sealed epochs no checkpoint claimed, beyond which the log warns (once): they are read through on every miss. */
  static final int UNCLAIMED_WARNING = 64;
  /** Held while the log changes, and by a snapshot or a commit across its Redis calls. */
  final ReentrantLock lock = new ReentrantLock();
  /** The store's base, for ordering locks and for messages. */
  final String id;
  /** The store's base key: its index. */
  final byte[] base;
  /** The set of the store's staging hashes. */
  final byte[] registry;
  private final String stagingPrefix;
  private long next = 1;
  private final ArrayDeque<Epoch> epochs = new ArrayDeque<>();
  private Epoch open;
  private boolean warned;

  /** One staging hash. */
  static final class Epoch {
    /** The staging hash. */
    final byte[] key;
    /** No more writes go to it. */
    boolean sealed;
    /** The checkpoint that owns it, or 0. */
    long claimedBy;

    /** @param key the staging hash */
    Epoch(byte[] key) {
      this.key = key;
    }
  }

  /**
   * @param base the store's base
   * @param run a token unique to this process's backend, so that epochs never meet those of an
   *     earlier run
   */
  StagedLog(String base, String run) {
    this.id = base;
    this.base = KeyLayout.utf8(base);
    this.registry = KeyLayout.utf8(base + "~staged");
    this.stagingPrefix = base + "~staged:" + run + ":";
  }

  /**
   * Called just before writes are staged.
   *
   * @param clearing the writes about to be staged start by clearing the store: they go to a fresh
   *     epoch (an epoch's clear mark applies before all of its writes)
   * @return the epoch the writes go to
   */
  Epoch openEpoch(boolean clearing) {
    lock.lock();
    try {
      if (clearing && open != null) {
        open.sealed = true;
        open = null;
      }
      if (open == null) {
        open = new Epoch(KeyLayout.utf8(stagingPrefix + next++));
        epochs.addLast(open);
      }
      return open;
    } finally {
      lock.unlock();
    }
  }

  /** Ends the open epoch, if any (one is opened only to write to it): later writes go to a new one. */
  void seal() {
    lock.lock();
    try {
      if (open != null) {
        open.sealed = true;
        open = null;
        warnWhenNeverClaimed();
      }
    } finally {
      lock.unlock();
    }
  }

  private void warnWhenNeverClaimed() {
    if (warned || epochs.size() <= UNCLAIMED_WARNING) {
      return;
    }
    long unclaimed = epochs.stream().filter(e -> e.sealed && e.claimedBy == 0).count();
    if (unclaimed > UNCLAIMED_WARNING) {
      warned = true;
      LOG.warn("store {} has {} snapshots whose writes no checkpoint claimed: its writes wait for a checkpoint of the "
          + "storage made by RedisStateBackend.checkpointStorage(pipeline); is that the pipeline's checkpoint storage?",
          id, unclaimed);
    }
  }

  /** @return the staging hashes to read through, newest first */
  byte[][] readChain() {
    lock.lock();
    try {
      byte[][] chain = new byte[epochs.size()][];
      int i = 0;
      for (Iterator<Epoch> it = epochs.descendingIterator(); it.hasNext(); ) {
        chain[i++] = it.next().key;
      }
      return chain;
    } finally {
      lock.unlock();
    }
  }

  /** @return every uncommitted epoch's staging hash, oldest first */
  List<byte[]> oldestFirst() {
    lock.lock();
    try {
      List<byte[]> keys = new ArrayList<>(epochs.size());
      for (Epoch e : epochs) {
        keys.add(e.key);
      }
      return keys;
    } finally {
      lock.unlock();
    }
  }

  /** @param checkpointId the checkpoint that now owns every sealed epoch not claimed yet */
  void claim(long checkpointId) {
    lock.lock();
    try {
      for (Epoch e : epochs) {
        if (e.sealed && e.claimedBy == 0) {
          e.claimedBy = checkpointId;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * @param checkpointId a checkpoint being completed
   * @return the epochs claimed by it or an earlier checkpoint, oldest first (a prefix of the log)
   */
  List<Epoch> claimedUpTo(long checkpointId) {
    lock.lock();
    try {
      List<Epoch> out = new ArrayList<>();
      for (Epoch e : epochs) {
        if (!e.sealed || e.claimedBy == 0 || e.claimedBy > checkpointId) {
          break;
        }
        out.add(e);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** @param committed epochs {@link #claimedUpTo} returned, now applied to the live keys */
  void committed(List<Epoch> committed) {
    lock.lock();
    try {
      for (Epoch e : committed) {
        if (epochs.peekFirst() != e) {
          throw new IllegalStateException("epochs of " + id + " committed out of order");
        }
        epochs.removeFirst();
      }
    } finally {
      lock.unlock();
    }
  }
}
