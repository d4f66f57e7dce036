package io.nip.window.internal;

import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Serdes of the built-in accumulators, for snapshots and durable stores. Compact binary (a
 * {@link DataOutputStream}): numbers as they are; the values of {@code countDistinct}, {@code topN}
 * and {@code toList} with a one-byte type tag, so common types (strings, numbers, booleans, enums)
 * come back as the same type, and any other value as its class name plus JSON (read back with
 * Jackson into that class: records and beans round-trip, types Jackson cannot rebuild do not).
 */
public final class AccumulatorSerdes {
  private static final byte NULL = 0;
  private static final byte STRING = 1;
  private static final byte LONG = 2;
  private static final byte INT = 3;
  private static final byte DOUBLE = 4;
  private static final byte BOOLEAN = 5;
  private static final byte DECIMAL = 6;
  private static final byte BIGINT = 7;
  private static final byte FLOAT = 8;
  private static final byte ENUM = 9;
  private static final byte JSON = 10;

  private AccumulatorSerdes() {}

  /** Writes one accumulator. */
  @FunctionalInterface
  private interface Writer<A> {
    void write(DataOutputStream out, A value) throws IOException;
  }

  /** Reads one accumulator. */
  @FunctionalInterface
  private interface Reader<A> {
    A read(DataInputStream in) throws IOException;
  }

  /**
   * A serde of this class: it can also write its value straight into a larger state record
   * ({@link #writeSized}), with the same bytes as {@link #serialize}.
   */
  private interface InlineSerde<A> extends Serde<A> {
    void writeTo(DataOutputStream out, A value) throws IOException;
  }

  private static <A> Serde<A> of(String what, Writer<A> writer, Reader<A> reader) {
    return new InlineSerde<>() {
      @Override
      public byte[] serialize(A value) {
        StateOutput out = new StateOutput(32);
        writeTo(out, value);
        return out.toByteArray();
      }

      @Override
      public void writeTo(DataOutputStream out, A value) {
        try {
          writer.write(out, value);
        } catch (IOException | RuntimeException e) {
          throw new SerializationException("cannot write a " + what + " accumulator: " + e.getMessage(), null, e);
        }
      }

      @Override
      public A deserialize(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
          return reader.read(in);
        } catch (IOException | RuntimeException e) {
          throw new SerializationException("cannot read a " + what + " accumulator: " + e.getMessage(), bytes, e);
        }
      }
    };
  }

  /**
   * Writes {@code value} as its length (an int) and its serialized bytes: into the record itself
   * when both the stream and the serde allow it, else through {@link Serde#serialize}. The bytes
   * are the same either way.
   *
   * @param out the record being written
   * @param serde the value's serde
   * @param value the value
   * @param <A> the value type
   * @throws IOException from the stream
   * @throws io.nip.errors.SerializationException when the serde cannot write the value
   */
  @SuppressWarnings("unchecked")
  static <A> void writeSized(DataOutputStream out, Serde<A> serde, A value) throws IOException {
    if (out instanceof StateOutput && serde instanceof InlineSerde) {
      StateOutput state = (StateOutput) out;
      int at = state.reserveLength();
      ((InlineSerde<A>) serde).writeTo(out, value);
      state.fillLength(at);
      return;
    }
    byte[] b = serde.serialize(value);
    out.writeInt(b.length);
    out.write(b);
  }

  /** @return the serde of {@code long[]} accumulators (count) */
  public static Serde<long[]> longs() {
    return of("long[]", (out, a) -> {
      out.writeInt(a.length);
      for (long v : a) {
        out.writeLong(v);
      }
    }, in -> {
      long[] a = new long[in.readInt()];
      for (int i = 0; i < a.length; i++) {
        a[i] = in.readLong();
      }
      return a;
    });
  }

  /** @return the serde of {@code double[]} accumulators (sum, avg, min, max) */
  public static Serde<double[]> doubles() {
    return of("double[]", (out, a) -> {
      out.writeInt(a.length);
      for (double v : a) {
        out.writeDouble(v);
      }
    }, in -> {
      double[] a = new double[in.readInt()];
      for (int i = 0; i < a.length; i++) {
        a[i] = in.readDouble();
      }
      return a;
    });
  }

  /** @return the serde of {@link DecimalSum} (sumDecimal) */
  public static Serde<DecimalSum> decimalSum() {
    return of("sumDecimal", (out, a) -> {
      out.writeBoolean(a.isCompact());
      if (a.isCompact()) {
        out.writeLong(a.unscaled());
        out.writeInt(a.scale());
      } else {
        writeValue(out, a.result());
      }
    }, in -> in.readBoolean() ? compact(in.readLong(), in.readInt()) : new DecimalSum(0, 0, (BigDecimal) readValue(in)));
  }

  private static DecimalSum compact(long unscaled, int scale) {
    return scale >= 0 && scale <= DecimalSum.MAX_FAST_SCALE ? new DecimalSum(unscaled, scale, null)
        : new DecimalSum(0, 0, BigDecimal.valueOf(unscaled, scale));
  }

  /** @return the serde of the countDistinct set */
  public static Serde<Set<Object>> distinct() {
    return of("countDistinct", (out, a) -> {
      out.writeInt(a.size());
      for (Object v : a) {
        writeValue(out, v);
      }
    }, in -> {
      Set<Object> a = new SmallSet();
      for (int i = in.readInt(); i > 0; i--) {
        a.add(readValue(in));
      }
      return a;
    });
  }

  /** @return the serde of the topN counts */
  public static Serde<Map<Object, long[]>> counts() {
    return of("topN", (out, a) -> {
      out.writeInt(a.size());
      for (Map.Entry<Object, long[]> e : a.entrySet()) {
        writeValue(out, e.getKey());
        out.writeLong(e.getValue()[0]);
      }
    }, in -> {
      int n = in.readInt();
      Map<Object, long[]> a = new HashMap<>(Math.max(16, n * 2));
      for (int i = 0; i < n; i++) {
        a.put(readValue(in), new long[] {in.readLong()});
      }
      return a;
    });
  }

  /**
   * @param <T> element type
   * @return the serde of the toList accumulator
   */
  @SuppressWarnings("unchecked")
  public static <T> Serde<List<T>> list() {
    return of("toList", (out, a) -> {
      out.writeInt(a.size());
      for (Object v : a) {
        writeValue(out, v);
      }
    }, in -> {
      int n = in.readInt();
      List<T> a = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        a.add((T) readValue(in));
      }
      return a;
    });
  }

  /**
   * @param parts the serde of each part, none null
   * @return the serde of an accumulator made of one accumulator per part (WindowAggregator)
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static Serde<Object[]> composite(Serde<?>[] parts) {
    Serde[] serdes = parts.clone();
    return of("combined", (out, a) -> {
      for (int i = 0; i < serdes.length; i++) {
        writeSized(out, serdes[i], a[i]);
      }
    }, in -> {
      Object[] a = new Object[serdes.length];
      for (int i = 0; i < serdes.length; i++) {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        a[i] = serdes[i].deserialize(b);
      }
      return a;
    });
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void writeValue(DataOutputStream out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof String) {
      out.writeByte(STRING);
      writeBytes(out, ((String) v).getBytes(StandardCharsets.UTF_8));
    } else if (v instanceof Long) {
      out.writeByte(LONG);
      out.writeLong((Long) v);
    } else if (v instanceof Integer) {
      out.writeByte(INT);
      out.writeInt((Integer) v);
    } else if (v instanceof Double) {
      out.writeByte(DOUBLE);
      out.writeDouble((Double) v);
    } else if (v instanceof Float) {
      out.writeByte(FLOAT);
      out.writeFloat((Float) v);
    } else if (v instanceof Boolean) {
      out.writeByte(BOOLEAN);
      out.writeBoolean((Boolean) v);
    } else if (v instanceof BigDecimal) {
      out.writeByte(DECIMAL);
      out.writeInt(((BigDecimal) v).scale());
      writeBytes(out, ((BigDecimal) v).unscaledValue().toByteArray());
    } else if (v instanceof BigInteger) {
      out.writeByte(BIGINT);
      writeBytes(out, ((BigInteger) v).toByteArray());
    } else if (v instanceof Enum) {
      out.writeByte(ENUM);
      out.writeUTF(((Enum) v).getDeclaringClass().getName());
      out.writeUTF(((Enum) v).name());
    } else {
      out.writeByte(JSON);
      out.writeUTF(v.getClass().getName());
      writeBytes(out, Serdes.objectMapper().writeValueAsBytes(v));
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object readValue(DataInputStream in) throws IOException {
    byte tag = in.readByte();
    switch (tag) {
      case NULL: return null;
      case STRING: return new String(readBytes(in), StandardCharsets.UTF_8);
      case LONG: return in.readLong();
      case INT: return in.readInt();
      case DOUBLE: return in.readDouble();
      case FLOAT: return in.readFloat();
      case BOOLEAN: return in.readBoolean();
      case DECIMAL: {
        int scale = in.readInt();
        return new BigDecimal(new BigInteger(readBytes(in)), scale);
      }
      case BIGINT: return new BigInteger(readBytes(in));
      case ENUM: return Enum.valueOf((Class) classNamed(in.readUTF()), in.readUTF());
      case JSON: {
        Class<?> type = classNamed(in.readUTF());
        return Serdes.objectMapper().readValue(readBytes(in), type);
      }
      default: throw new IOException("unknown value tag " + tag);
    }
  }

  private static Class<?> classNamed(String name) throws IOException {
    try {
      ClassLoader cl = Thread.currentThread().getContextClassLoader();
      return Class.forName(name, false, cl != null ? cl : AccumulatorSerdes.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IOException("class " + name + " of a stored value is not on the class path", e);
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return b;
  }
}
