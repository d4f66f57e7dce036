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
 * <p>Design: one value per key, read once per record and written when it changed, like the CEP operator's key
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
   * Writes a key's state (format 2): a version byte, a flags byte (bit 0: a timer is set), the
   * timer as a zig-zag variable-length number when set, then each list: its count, then per item
   * the time as a zig-zag variable-length difference from the item before (the first from 0) and a
   * variable-length header {@code (length + 1) << 1 | matched}, where length -1 is a tombstone,
   * followed by the value's bytes. Reads format 1 too (fixed-width numbers: the timer 8 bytes, each
   * count 4, each item's time 8, its matched flag 1 and length 4), which earlier builds wrote.
   *
   * @param <L> left type
   * @param <R> right type
   */
  public static final class StateSerde<L, R> implements Serde<JoinState<L, R>> {
    private static final byte VERSION_1 = 1;
    private static final byte VERSION = 2;
    private static final int FLAG_TIMER = 1;
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
        boolean timer = state.timer != NO_TIMER;
        out.writeByte(timer ? FLAG_TIMER : 0);
        if (timer) {
          writeVarLong(out, zigZag(state.timer));
        }
        write(out, state.lefts, leftSerde);
        write(out, state.rights, rightSerde);
      } catch (IOException e) {
        throw new SerializationException("cannot write a join's state: " + e.getMessage(), null, e);
      }
      return bytes.toByteArray();
    }

    private static <V> void write(DataOutputStream out, List<Item<V>> items, Serde<V> serde) throws IOException {
      writeVarLong(out, items.size());
      long previous = 0;
      for (Item<V> item : items) {
        writeVarLong(out, zigZag(item.time - previous));
        previous = item.time;
        byte[] b = item.value == null ? null : serde.serialize(item.value);
        long length = b == null ? -1 : b.length;
        writeVarLong(out, (length + 1) << 1 | (item.matched ? 1 : 0));
        if (b != null) {
          out.write(b);
        }
      }
    }

    @Override
    public JoinState<L, R> deserialize(byte[] bytes) {
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
        byte version = in.readByte();
        if (version != VERSION && version != VERSION_1) {
          throw new SerializationException("a join's state has format version " + version + "; this build reads "
              + VERSION_1 + " and " + VERSION, bytes, null);
        }
        JoinState<L, R> state = new JoinState<>();
        if (version == VERSION_1) {
          state.timer = in.readLong();
          readFixed(in, state.lefts, leftSerde);
          readFixed(in, state.rights, rightSerde);
        } else {
          int flags = in.readUnsignedByte();
          if ((flags & ~FLAG_TIMER) != 0) {
            throw new IOException("unknown flags " + flags);
          }
          state.timer = (flags & FLAG_TIMER) != 0 ? unZigZag(readVarLong(in)) : NO_TIMER;
          read(in, state.lefts, leftSerde);
          read(in, state.rights, rightSerde);
        }
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
      long n = readVarLong(in);
      if (n < 0 || n > in.available() / 2) {
        throw new IOException("item count " + n + " does not fit the remaining " + in.available() + " bytes");
      }
      long time = 0;
      for (long i = 0; i < n; i++) {
        time += unZigZag(readVarLong(in));
        long header = readVarLong(in);
        long len = (header >>> 1) - 1;
        items.add(new Item<>(time, (header & 1) != 0, readValue(in, len, serde)));
      }
    }

    private static <V> void readFixed(DataInputStream in, List<Item<V>> items, Serde<V> serde) throws IOException {
      int n = in.readInt();
      if (n < 0 || n > in.available() / 13) {
        throw new IOException("item count " + n + " does not fit the remaining " + in.available() + " bytes");
      }
      for (int i = 0; i < n; i++) {
        long time = in.readLong();
        boolean matched = in.readBoolean();
        int len = in.readInt();
        items.add(new Item<>(time, matched, readValue(in, len, serde)));
      }
    }

    /** @return the value of {@code len} bytes, or null for length -1 (a tombstone) */
    private static <V> V readValue(DataInputStream in, long len, Serde<V> serde) throws IOException {
      if (len == -1) {
        return null;
      }
      if (len < 0) {
        throw new IOException("negative value length " + len);
      }
      if (len > in.available()) {
        throw new IOException("value length " + len + " exceeds the remaining " + in.available() + " bytes");
      }
      byte[] b = new byte[(int) len];
      in.readFully(b);
      return serde.deserialize(b);
    }

    private static long zigZag(long v) {
      return (v << 1) ^ (v >> 63);
    }

    private static long unZigZag(long v) {
      return (v >>> 1) ^ -(v & 1);
    }

    private static void writeVarLong(DataOutputStream out, long v) throws IOException {
      while ((v & ~0x7FL) != 0) {
        out.writeByte((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out.writeByte((int) v);
    }

    private static long readVarLong(DataInputStream in) throws IOException {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        int b = in.readUnsignedByte();
        if (shift == 63 && b > 1) {
          throw new IOException("a variable-length number does not fit 64 bits");
        }
        v |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IOException("a variable-length number runs past 10 bytes");
    }
  }
}
