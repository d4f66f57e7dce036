package io.nip.state.rocksdb.internal;

import io.nip.state.StoreIterator;
import java.util.NoSuchElementException;
import org.rocksdb.RocksIterator;

/**
 * A store scan over a RocksDB iterator. Subclasses position the iterator and implement
 * {@link #advance()}, which moves it to the next element (seeking past what the scan skips) and
 * returns that element, or null at the end. The element is computed lazily on {@link #hasNext()}.
 *
 * <p>The scan registers with its task's database, which closes it before the database closes, so
 * a scan left open never holds a handle to a closed database. Closing releases the native
 * iterator (and the implicit snapshot it reads); a scan closes itself when it reaches the end.
 * Threading: confined to the task's thread, like the store.
 */
abstract class RocksScan<T> implements StoreIterator<T> {
  protected final RocksIterator it;
  private final TaskDb owner;
  private T next;
  private boolean fetched;
  private boolean closed;

  RocksScan(TaskDb.Column column) {
    this.owner = column.owner;
    this.it = column.db().newIterator(column.handle());
    owner.register(this);
  }

  /** @return the next element, with the iterator moved past it, or null when the scan is over */
  protected abstract T advance();

  @Override
  public final boolean hasNext() {
    if (closed) {
      return false;
    }
    if (!fetched) {
      next = advance();
      fetched = true;
      if (next == null) {
        close();
      }
    }
    return next != null;
  }

  @Override
  public final T next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    fetched = false;
    T out = next;
    next = null;
    return out;
  }

  @Override
  public final void close() {
    if (!closed) {
      closed = true;
      it.close();
      owner.unregister(this);
    }
  }

  /** @return whether {@code key} starts with {@code prefix} */
  static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && java.util.Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }
}
