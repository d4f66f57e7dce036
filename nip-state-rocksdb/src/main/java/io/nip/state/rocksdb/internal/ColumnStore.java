package io.nip.state.rocksdb.internal;

import io.nip.errors.StateException;
import io.nip.state.StoreSnapshot;
import io.nip.state.StoreSpec;
import io.nip.time.NipClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * What the RocksDB stores share: the column family claim, values framed by {@link ValueCodec},
 * snapshots and restores of raw entries, and the two-phase purge of expired entries.
 *
 * <p>Purging expired entries has two phases so that the expensive one may leave the task's thread:
 * {@link #collectExpired} scans the column family and only collects keys; it is safe on any thread
 * (it holds the database's read lock, so the database cannot close under it, and reads through its
 * own iterator). {@link #deleteIfExpired} runs on the task's thread and reads every collected key
 * again before deleting it, so a key written again between the phases survives. {@link
 * #purgeExpired()} runs both on the task's thread.
 *
 * <p>Invariants: every value in the column family carries its expiry header; a snapshot holds the
 * live entries only, with keys exactly as stored (the {@code StoreKeys} layout for window and
 * session stores). Threading: confined to the task's thread except {@link #collectExpired}.
 */
abstract class ColumnStore<K, V> implements TaskDb.Flushable {
  /** Entries per write batch when restoring or purging. */
  static final int BATCH = 10_000;
  final StoreSpec<K, V> spec;
  final NipClock clock;
  final long ttlMillis;
  final TaskDb.Column column;

  ColumnStore(StoreSpec<K, V> spec, TaskDb db, String storeId, NipClock clock) {
    this.spec = spec;
    this.clock = clock;
    this.ttlMillis = spec.ttl() == null ? 0 : spec.ttl().toMillis();
    this.column = db.claim(storeId, this);
  }

  public String name() {
    return spec.name();
  }

  /** @return the expiry of a value written now */
  final long expiry() {
    return ttlMillis == 0 ? Long.MAX_VALUE : clock.millis() + ttlMillis;
  }

  /** @return the time entries are checked against; every entry is live without a TTL */
  final long now() {
    return ttlMillis == 0 ? Long.MIN_VALUE : clock.millis();
  }

  final byte[] getRaw(byte[] key) {
    try {
      return column.db().get(column.handle(), key);
    } catch (RocksDBException e) {
      throw failure("read", e);
    }
  }

  final void putRaw(byte[] key, byte[] stored) {
    try {
      column.db().put(column.handle(), column.shared().writeOptions(), key, stored);
    } catch (RocksDBException e) {
      throw failure("write", e);
    }
  }

  final void deleteRaw(byte[] key) {
    try {
      column.db().delete(column.handle(), column.shared().writeOptions(), key);
    } catch (RocksDBException e) {
      throw failure("delete from", e);
    }
  }

  final void write(WriteBatch batch) {
    try {
      column.db().write(column.shared().writeOptions(), batch);
    } catch (RocksDBException e) {
      throw failure("write a batch to", e);
    }
  }

  /** @return the value's bytes when the stored entry is live at {@code now}, else null */
  static byte[] liveValue(byte[] stored, long now) {
    return stored == null || ValueCodec.expiresAt(stored) <= now ? null : ValueCodec.value(stored);
  }

  /** @return every live entry, keys as stored */
  public StoreSnapshot snapshot() {
    flush();
    long now = now();
    List<StoreSnapshot.Entry> entries = new ArrayList<>();
    try (RocksIterator it = column.db().newIterator(column.handle())) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] stored = it.value();
        long expiresAt = ValueCodec.expiresAt(stored);
        if (expiresAt > now) {
          entries.add(new StoreSnapshot.Entry(it.key(), ValueCodec.value(stored), expiresAt));
        }
      }
    }
    return new StoreSnapshot(spec.name(), entries);
  }

  /** Empties the column family, then writes the snapshot's entries. */
  public void restore(StoreSnapshot snapshot) {
    if (!snapshot.storeName().equals(spec.name())) {
      throw new StateException("cannot restore store '" + spec.name() + "' from a snapshot of '"
          + snapshot.storeName() + "'");
    }
    discardBuffer();
    column.owner.clear(column);
    WriteBatch batch = new WriteBatch();
    try {
      for (StoreSnapshot.Entry e : snapshot.entries()) {
        batch.put(column.handle(), e.key(), ValueCodec.encode(e.expiresAtMillis(), e.value()));
        if (batch.count() >= BATCH) {
          write(batch);
          batch.clear();
        }
      }
      write(batch);
    } catch (RocksDBException e) {
      throw failure("restore", e);
    } finally {
      batch.close();
    }
  }

  /** Drops buffered writes without writing them (a restore replaces everything). */
  void discardBuffer() {}

  @Override
  public void flush() {}

  /** @return how many expired entries were removed; both phases on the task's thread */
  public int purgeExpired() {
    if (ttlMillis == 0) {
      return 0;
    }
    flush();
    long now = clock.millis();
    int removed = 0;
    List<byte[]> expired;
    byte[] from = null;
    do {
      expired = collectExpired(now, BATCH, from);
      removed += deleteIfExpired(expired, now);
      from = expired.isEmpty() ? null : expired.get(expired.size() - 1);
    } while (expired.size() == BATCH);
    return removed;
  }

  /**
   * Phase one of a purge, safe on any thread: the keys of up to {@code max} entries expired at
   * {@code now}, in key order, after the key {@code after} (null: from the first key).
   */
  final List<byte[]> collectExpired(long now, int max, byte[] after) {
    List<byte[]> out = new ArrayList<>();
    Lock lock = column.owner.readLock();
    lock.lock();
    try {
      if (!column.isValid()) {
        return out;
      }
      byte[] header = new byte[ValueCodec.HEADER];
      try (RocksIterator it = column.db().newIterator(column.handle())) {
        if (after == null) {
          it.seekToFirst();
        } else {
          it.seek(after);
          if (it.isValid() && java.util.Arrays.equals(it.key(), after)) {
            it.next();
          }
        }
        for (; it.isValid() && out.size() < max; it.next()) {
          it.value(header);
          if (ValueCodec.expiresAt(header) <= now) {
            out.add(it.key());
          }
        }
      }
    } finally {
      lock.unlock();
    }
    return out;
  }

  /**
   * Phase two of a purge, on the task's thread: deletes each key whose current entry is still
   * expired at {@code now}.
   *
   * @return how many were deleted
   */
  int deleteIfExpired(List<byte[]> keys, long now) {
    int removed = 0;
    try (WriteBatch batch = new WriteBatch()) {
      for (byte[] key : keys) {
        byte[] stored = getRaw(key);
        if (stored != null && ValueCodec.expiresAt(stored) <= now) {
          batch.delete(column.handle(), key);
          removed++;
        }
      }
      write(batch);
    } catch (RocksDBException e) {
      throw failure("purge", e);
    }
    return removed;
  }

  /** Writes what is buffered and releases the column family; the data stays. */
  public void close() {
    if (column.isValid()) {
      flush();
      column.owner.release(column);
    }
  }

  final StateException failure(String what, RocksDBException e) {
    return new StateException("could not " + what + " store '" + column.id + "' of task " + column.owner.describe()
        + ": " + e.getMessage(), e);
  }
}
