package io.nip.state;

import java.util.Iterator;

/**
 * The result of a range or prefix scan over a store: an iterator that may hold resources of the
 * backend (a RocksDB iterator pins files and memory), so it must be closed, and is best used in
 * try-with-resources. Like the store it came from, it belongs to the task's thread.
 *
 * <pre>{@code
 * try (StoreIterator<WindowStore.Entry<String, Long>> it = windows.fetch("user1", from, to)) {
 *   it.forEachRemaining(w -> total += w.value());
 * }
 * }</pre>
 *
 * <p>What the iterator shows after the store changed underneath it is backend-specific: read the
 * scan to its end (or close it) before writing to the same store.
 *
 * @param <T> the element type
 */
public interface StoreIterator<T> extends Iterator<T>, AutoCloseable {

  /** Releases the backend's resources; further calls to {@link #hasNext()} return false. Idempotent. */
  @Override
  void close();

  /**
   * @param elements the elements to iterate over, in order
   * @param <T> the element type
   * @return an iterator over a list that holds no resources
   */
  static <T> StoreIterator<T> of(java.util.List<T> elements) {
    Iterator<T> it = elements.iterator();
    return new StoreIterator<>() {
      private boolean closed;

      @Override
      public boolean hasNext() {
        return !closed && it.hasNext();
      }

      @Override
      public T next() {
        if (closed) {
          throw new java.util.NoSuchElementException("the iterator is closed");
        }
        return it.next();
      }

      @Override
      public void close() {
        closed = true;
      }
    };
  }
}
