package io.nip.event;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The headers of a record: an ordered list of name → bytes pairs, where a name may repeat (as in
 * Kafka). Immutable: every value is copied on the way in (except one explicitly handed over with
 * {@link #withHandedOver}, or deferred with {@link #withDeferred}) and on the way out, and
 * {@link #with} / {@link #without} return new instances. Headers cross threads with their record
 * (the key exchange), so a deferred value's supplier must be thread-safe. {@link #EMPTY} is a shared singleton, so a record without
 * headers costs nothing. A value may also be deferred ({@link #withDeferred}): its bytes are built
 * only when someone reads them (a sink writing the record, an equality check), so a header that
 * most records carry but few ever write costs a reference, not an array.
 *
 * <pre>{@code
 * Headers h = Headers.EMPTY.with("trace-id", "abc").with("tenant", "acme");
 * String trace = h.lastString("trace-id");   // "abc"
 * }</pre>
 *
 * <p>Headers travel with a record through a pipeline (fused chains and the key exchange alike);
 * read or replace them in the DSL with {@code Stream.mapWithHeaders} and {@code Stream.withHeaders}.
 */
public final class Headers {
  private static final String[] NO_NAMES = new String[0];
  private static final Object[] NO_VALUES = new Object[0];

  /** No headers. */
  public static final Headers EMPTY = new Headers(NO_NAMES, NO_VALUES);

  /**
   * The names array of the last one-header instance {@link #append} built. Name arrays are never
   * written after construction nor handed out, so one-header instances with the same name share one:
   * a header that every record gains (a trace context) costs one array less per record. Volatile,
   * so that a thread reading it also sees its element.
   */
  private static volatile String[] lastSingleName = {""};

  private final String[] names;
  /** Each entry is a {@code byte[]} (never handed out), a {@code Supplier<byte[]>}, or null. */
  private final Object[] values;

  private Headers(String[] names, Object[] values) {
    this.names = names;
    this.values = values;
  }

  /**
   * @param name the header name, not null
   * @param value its bytes, copied; null is allowed (Kafka allows a header without a value)
   * @return headers holding that one header
   */
  public static Headers of(String name, byte[] value) {
    return EMPTY.with(name, value);
  }

  /** @return a builder for many headers at once (one copy of the arrays in the end) */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param name the header name, not null
   * @param value its bytes, copied; may be null
   * @return these headers followed by the new one (an existing header of that name stays)
   */
  public Headers with(String name, byte[] value) {
    return withHandedOver(name, copy(value));
  }

  /**
   * Like {@link #with(String, byte[])} without the copy, for a path that builds a fresh array per
   * record: the headers keep {@code value} itself, so the caller hands it over and must never change
   * it afterwards (readers still get copies).
   *
   * <pre>{@code
   * Headers h = headers.withHandedOver("traceparent", freshlyFormattedBytes);
   * }</pre>
   *
   * @param name the header name, not null
   * @param value its bytes, kept as they are; may be null
   * @return these headers followed by the new one
   */
  public Headers withHandedOver(String name, byte[] value) {
    return append(name, value);
  }

  /**
   * Adds a header whose bytes are built only when read: every reader ({@link #value},
   * {@link #lastValue}, {@link #lastString}, {@link #values}, {@link #equals}, {@link #toString},
   * a sink writing the record) calls {@code value.get()} and gets the bytes it returns, copied.
   * For a header that every record carries and few records ever write, e.g. a trace context.
   * The supplier must be cheap, thread-safe, side-effect free and return equal bytes on every call
   * (equality and hash codes of headers read them).
   *
   * <pre>{@code
   * Headers h = headers.withDeferred("traceparent", () -> traceparentBytes(traceId, spanId));
   * }</pre>
   *
   * @param name the header name, not null
   * @param value builds the header's bytes (null for a header without a value), not null
   * @return these headers followed by the new one
   * @throws NullPointerException when {@code name} or {@code value} is null
   */
  public Headers withDeferred(String name, Supplier<byte[]> value) {
    return append(name, Objects.requireNonNull(value, "value"));
  }

  /**
   * The supplier given to {@link #withDeferred} for the last header of that name, for code that
   * wrote it and can read it back without building the bytes.
   *
   * @param name a header name
   * @return the supplier, or null when the last header of that name is a plain value or there is none
   */
  public Supplier<byte[]> lastDeferred(String name) {
    int i = lastIndexOf(name);
    return i >= 0 && values[i] instanceof Supplier<?> s ? castSupplier(s) : null;
  }

  @SuppressWarnings("unchecked")
  private static Supplier<byte[]> castSupplier(Supplier<?> s) {
    return (Supplier<byte[]>) s;
  }

  private Headers append(String name, Object value) {
    Objects.requireNonNull(name, "name");
    int n = names.length;
    Object[] vs = Arrays.copyOf(values, n + 1);
    vs[n] = value;
    if (n == 0) {
      String[] single = lastSingleName;
      if (!single[0].equals(name)) {
        single = new String[] {name};
        lastSingleName = single;
      }
      return new Headers(single, vs);
    }
    String[] ns = Arrays.copyOf(names, n + 1);
    ns[n] = name;
    return new Headers(ns, vs);
  }

  /**
   * @param name the header name, not null
   * @param value stored as UTF-8 bytes; may be null
   * @return these headers followed by the new one
   */
  public Headers with(String name, String value) {
    return withHandedOver(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @param name the header name, not null
   * @return these headers without any header of that name ({@code this} when there was none)
   */
  public Headers without(String name) {
    Objects.requireNonNull(name, "name");
    int keep = 0;
    for (String n : names) {
      if (!n.equals(name)) {
        keep++;
      }
    }
    if (keep == names.length) {
      return this;
    }
    if (keep == 0) {
      return EMPTY;
    }
    String[] ns = new String[keep];
    Object[] vs = new Object[keep];
    for (int i = 0, j = 0; i < names.length; i++) {
      if (!names[i].equals(name)) {
        ns[j] = names[i];
        vs[j++] = values[i];
      }
    }
    return new Headers(ns, vs);
  }

  /** @return how many headers there are (repeated names count each time) */
  public int size() {
    return names.length;
  }

  /** @return true when there is no header */
  public boolean isEmpty() {
    return names.length == 0;
  }

  /**
   * @param index from 0 to {@code size() - 1}, in insertion order
   * @return the name of that header
   * @throws IndexOutOfBoundsException when {@code index} is out of range
   */
  public String name(int index) {
    return names[Objects.checkIndex(index, names.length)];
  }

  /**
   * @param index from 0 to {@code size() - 1}, in insertion order
   * @return a copy of that header's bytes, or null when it has no value
   * @throws IndexOutOfBoundsException when {@code index} is out of range
   */
  public byte[] value(int index) {
    return read(values[Objects.checkIndex(index, values.length)]);
  }

  /**
   * @param name a header name
   * @return a copy of the last value of that name (Kafka's {@code lastHeader}), or null when there is
   *     none or it has no value
   */
  public byte[] lastValue(String name) {
    int i = lastIndexOf(name);
    return i < 0 ? null : read(values[i]);
  }

  /**
   * @param name a header name
   * @return the last value of that name decoded as UTF-8, or null when there is none
   */
  public String lastString(String name) {
    int i = lastIndexOf(name);
    return i < 0 ? null : utf8(bytes(values[i]));
  }

  /**
   * @param name a header name
   * @return copies of every value of that name, in order; empty when there is none
   */
  public List<byte[]> values(String name) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        out.add(read(values[i]));
      }
    }
    return out;
  }

  private int lastIndexOf(String name) {
    for (int i = names.length - 1; i >= 0; i--) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] copy(byte[] b) {
    return b == null ? null : b.clone();
  }

  /** @return the stored bytes (a deferred value built), not copied: for reads that keep nothing */
  private static byte[] bytes(Object v) {
    if (v instanceof Supplier<?> s) {
      return (byte[]) s.get();
    }
    return (byte[]) v;
  }

  /** @return a copy for a caller to keep */
  private static byte[] read(Object v) {
    return copy(bytes(v));
  }

  private static String utf8(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private byte[][] materialized() {
    byte[][] out = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      out[i] = bytes(values[i]);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Headers)) {
      return false;
    }
    Headers h = (Headers) o;
    return Arrays.equals(names, h.names) && Arrays.deepEquals(materialized(), h.materialized());
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(names) + Arrays.deepHashCode(materialized());
  }

  /** @return e.g. {@code Headers[trace-id=abc, tenant=acme]}, values shown as UTF-8 */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Headers[");
    for (int i = 0; i < names.length; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(names[i]).append('=').append(utf8(bytes(values[i])));
    }
    return sb.append(']').toString();
  }

  /**
   * Collects headers in order, e.g. when a connector converts a broker record's headers.
   *
   * <pre>{@code
   * Headers.Builder b = Headers.builder();
   * for (Header h : kafkaRecord.headers()) b.add(h.key(), h.value());
   * Headers headers = b.build();
   * }</pre>
   */
  public static final class Builder {
    private final List<String> names = new ArrayList<>(4);
    private final List<Object> values = new ArrayList<>(4);

    private Builder() {}

    /**
     * @param name the header name, not null
     * @param value its bytes, copied; may be null
     * @return this
     */
    public Builder add(String name, byte[] value) {
      names.add(Objects.requireNonNull(name, "name"));
      values.add(copy(value));
      return this;
    }

    /**
     * @param name the header name, not null
     * @param value stored as UTF-8; may be null
     * @return this
     */
    public Builder add(String name, String value) {
      return add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param headers headers to append, in their order
     * @return this
     */
    public Builder addAll(Headers headers) {
      for (int i = 0; i < headers.names.length; i++) {
        names.add(headers.names[i]);
        values.add(headers.values[i]);
      }
      return this;
    }

    /** @return the headers added so far ({@link #EMPTY} when none) */
    public Headers build() {
      if (names.isEmpty()) {
        return EMPTY;
      }
      return new Headers(names.toArray(NO_NAMES), values.toArray(NO_VALUES));
    }
  }
}
