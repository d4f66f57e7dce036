package io.nip.runtime.internal;

import io.nip.state.StateChangelog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Restored changelog entries of one store that no operator has created yet, kept until it does.
 *
 * <p>Why not a list of {@link StateChangelog.Change}s: a restore keeps every entry of the store
 * until the operator asks for it (a keyed processor asks on its first record), so a million keys
 * would be three million small objects that every young collection copies while the restore runs.
 * Here they are appended to a few byte arrays, 64 KiB first, doubling up to 4 MiB (arrays that
 * large G1 allocates outside the young generation and never copies): per entry the key's length and bytes, the value's length (-1 for a
 * deleted key) and bytes, and the expiry. Entries never span two chunks. Threading: confined to the
 * task's thread.
 */
final class PendingChanges {
  static final int FIRST_CHUNK = 64 << 10;
  static final int CHUNK = 4 << 20;
  private final String storeId;
  private final List<ByteBuffer> chunks = new ArrayList<>();
  private ByteBuffer current;
  private long count;

  PendingChanges(String storeId) {
    this.storeId = storeId;
  }

  /** @param change an entry of this store, kept in arrival order */
  void add(StateChangelog.Change change) {
    byte[] key = change.key();
    byte[] value = change.value();
    int size = 4 + key.length + 4 + (value == null ? 0 : value.length) + 8;
    if (current == null || current.remaining() < size) {
      int next = current == null ? FIRST_CHUNK : Math.min(CHUNK, current.capacity() * 2);
      current = ByteBuffer.allocate(Math.max(next, size));
      chunks.add(current);
    }
    current.putInt(key.length).put(key);
    if (value == null) {
      current.putInt(-1);
    } else {
      current.putInt(value.length).put(value);
    }
    current.putLong(change.expiresAtMillis());
    count++;
  }

  /** @return entries kept */
  long size() {
    return count;
  }

  /** @param action receives every entry, in the order they were added */
  void forEach(Consumer<StateChangelog.Change> action) {
    for (ByteBuffer chunk : chunks) {
      ByteBuffer b = chunk.duplicate().flip();
      while (b.hasRemaining()) {
        byte[] key = new byte[b.getInt()];
        b.get(key);
        int length = b.getInt();
        byte[] value = null;
        if (length >= 0) {
          value = new byte[length];
          b.get(value);
        }
        action.accept(new StateChangelog.Change(storeId, key, value, b.getLong()));
      }
    }
  }
}
