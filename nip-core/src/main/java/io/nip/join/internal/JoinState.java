package io.nip.join.internal;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-key state of a join: the records each side keeps, in event-time order (ties in arrival
 * order), and the time of the event-time timer the key has registered.
 *
 * <p>Design: one value per key, read and written once per record, like the CEP operator's key
 * state: a key's records are few (those within the join window, or the table's versions within its
 * retention), and one state access per record is what keeps a join fast on every backend. Items
 * are kept sorted on insert (binary search, then after equal times), so expiry and as-of lookups
 * walk from the front.
 *
 * <p>Threading: a value of one key, touched by its task's thread only.
 *
 * @param <L> left record type
 * @param <R> right record (or table value) type
 */
public final class JoinState<L, R> {
  /** No timer registered. */
  static final long NO_TIMER = Long.MAX_VALUE;

  final List<Item<L>> lefts = new ArrayList<>();
  final List<Item<R>> rights = new ArrayList<>();
  long timer = NO_TIMER;

  /**
   * A kept record.
   *
   * @param <V> record type
   */
  static final class Item<V> {
    final long time;
    /** Left records: whether it joined at least once (left-outer joins). */
    boolean matched;
    /** Null only for a table's tombstone. */
    final V value;

    Item(long time, boolean matched, V value) {
      this.time = time;
      this.matched = matched;
      this.value = value;
    }
  }

  /** Inserts after every item with a time at or before {@code item}'s. */
  static <V> void insert(List<Item<V>> items, Item<V> item) {
    int lo = 0;
    int hi = items.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (items.get(mid).time <= item.time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    items.add(lo, item);
  }

  boolean isEmpty() {
    return lefts.isEmpty() && rights.isEmpty();
  }

  /**
   * Writes a key's state: a version byte, the timer, then each list (count, then per item: time,
   * flags, value length and bytes; length -1 for a tombstone).
   *
   * @param <L> left type
   * @param <R> right type
   */
  public static final class StateSerde<L, R> implements Serde<JoinState<L, R>> {
    private static final byte VERSION = 1;
    private final Serde<L> leftSerde;
    private final Serde<R> rightSerde;

    /**
     * @param leftSerde the left records' serde
     * @param rightSerde the right records' (or table values') serde
     */
    public StateSerde(Serde<L> leftSerde, Serde<R> rightSerde) {
      this.leftSerde = leftSerde;
      this.rightSerde = rightSerde;
    }

    @Override
    public byte[] serialize(JoinState<L, R> state) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeByte(VERSION);
        out.writeLong(state.timer);
        write(out, state.lefts, leftSerde);
        write(out, state.rights, rightSerde);
      } catch (IOException e) {
        throw new SerializationException("cannot write a join's state: " + e.getMessage(), null, e);
      }
      return bytes.toByteArray();
    }

    private static <V> void write(DataOutputStream out, List<Item<V>> items, Serde<V> serde) throws IOException {
      out.writeInt(items.size());
      for (Item<V> item : items) {
        out.writeLong(item.time);
        out.writeBoolean(item.matched);
        if (item.value == null) {
          out.writeInt(-1);
        } else {
          byte[] b = serde.serialize(item.value);
          out.writeInt(b.length);
          out.write(b);
        }
      }
    }

    @Override
    public JoinState<L, R> deserialize(byte[] bytes) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        byte version = in.readByte();
        if (version != VERSION) {
          throw new SerializationException("a join's state has format version " + version + "; this build reads "
              + VERSION, bytes, null);
        }
        JoinState<L, R> state = new JoinState<>();
        state.timer = in.readLong();
        read(in, state.lefts, leftSerde);
        read(in, state.rights, rightSerde);
        if (in.available() != 0) {
          throw new SerializationException("a join's state has " + in.available() + " bytes past its end", bytes,
              null);
        }
        return state;
      } catch (IOException e) {
        throw new SerializationException("a join's state is truncated or corrupt (" + bytes.length + " bytes): "
            + e.getMessage(), bytes, e);
      }
    }

    private static <V> void read(DataInputStream in, List<Item<V>> items, Serde<V> serde) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > in.available() / 13) {
        throw new IOException("item count " + n + " does not fit the remaining " + in.available() + " bytes");
      }
      for (int i = 0; i < n; i++) {
        long time = in.readLong();
        boolean matched = in.readBoolean();
        int len = in.readInt();
        V value = null;
        if (len >= 0) {
          if (len > in.available()) {
            throw new IOException("value length " + len + " exceeds the remaining " + in.available() + " bytes");
          }
          byte[] b = new byte[len];
          in.readFully(b);
          value = serde.deserialize(b);
        } else if (len != -1) {
          throw new IOException("negative value length " + len);
        }
        items.add(new Item<>(time, matched, value));
      }
    }
  }
}
