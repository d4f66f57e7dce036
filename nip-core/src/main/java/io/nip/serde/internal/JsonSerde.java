package io.nip.serde.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.ser.std.BooleanSerializer;
import com.fasterxml.jackson.databind.ser.std.NumberSerializers;
import com.fasterxml.jackson.databind.ser.std.StringSerializer;
import io.nip.errors.SerializationException;
import io.nip.serde.Serde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON through Jackson. Reader and writer are resolved once for the target type, so each call is
 * only the parse or the write. Thread-safe (Jackson readers and writers are immutable).
 *
 * <p>A string of printable ASCII without {@code "} or {@code \} (the usual key: a user id) is
 * written here as itself in quotes, without a generator: a keyed job writes one such key per state
 * change; likewise a {@code Long}, an {@code Integer} (decimal digits) and a {@code Boolean}
 * ({@code true}, {@code false}), the usual values of small state. Each fast path is taken only when
 * the mapper writes that type with Jackson's own serializer and the writer was seen, at
 * construction, to write exactly those bytes for probes of its kind, so the output does not differ
 * from Jackson's. The mapper must not be reconfigured after the serde is built (as for any
 * Jackson reader or writer taken from it).
 */
public final class JsonSerde<T> implements Serde<T> {
  /** Every printable ASCII character but the two JSON escapes: what the fast path must match. */
  private static final String PROBE = " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"
      + "abcdefghijklmnopqrstuvwxyz{|}~";

  private final ObjectReader reader;
  private final ObjectWriter writer;
  private final JavaType type;
  /** Whether {@link #plainQuoted} strings are written as Jackson writes them (checked once). */
  private final boolean plainStrings;
  /** Whether a {@code Long} is written as its decimal digits (checked once). */
  private final boolean plainLongs;
  /** Whether an {@code Integer} is written as its decimal digits (checked once). */
  private final boolean plainInts;
  /** Whether booleans are written as {@code true} and {@code false} (checked once). */
  private final boolean plainBooleans;

  /**
   * @param mapper configured mapper
   * @param type target type
   */
  public JsonSerde(ObjectMapper mapper, JavaType type) {
    this.type = type;
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writerFor(type);
    Class<?> raw = type.getRawClass();
    this.plainStrings = raw.isAssignableFrom(String.class) && stock(mapper, String.class, StringSerializer.class)
        && writesPlainly(writer, PROBE, plainQuoted(PROBE));
    this.plainLongs = raw.isAssignableFrom(Long.class)
        && stock(mapper, Long.class, NumberSerializers.LongSerializer.class)
        && writesPlainly(writer, Long.MIN_VALUE, ascii(Long.toString(Long.MIN_VALUE)))
        && writesPlainly(writer, Long.MAX_VALUE, ascii(Long.toString(Long.MAX_VALUE)));
    this.plainInts = raw.isAssignableFrom(Integer.class)
        && stock(mapper, Integer.class, NumberSerializers.IntegerSerializer.class)
        && writesPlainly(writer, Integer.MIN_VALUE, ascii(Integer.toString(Integer.MIN_VALUE)))
        && writesPlainly(writer, Integer.MAX_VALUE, ascii(Integer.toString(Integer.MAX_VALUE)));
    this.plainBooleans = raw.isAssignableFrom(Boolean.class) && stock(mapper, Boolean.class, BooleanSerializer.class)
        && writesPlainly(writer, true, ascii("true")) && writesPlainly(writer, false, ascii("false"));
  }

  /**
   * @return whether the mapper writes {@code type} with Jackson's own serializer of exactly that
   *     class (a custom one may write some values differently from the probes)
   */
  private static boolean stock(ObjectMapper mapper, Class<?> type, Class<?> serializer) {
    try {
      return mapper.getSerializerProviderInstance().findTypedValueSerializer(type, true, null).getClass()
          == serializer;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** @return whether the writer writes exactly {@code expected} for {@code probe} */
  private static boolean writesPlainly(ObjectWriter writer, Object probe, byte[] expected) {
    try {
      return Arrays.equals(writer.writeValueAsBytes(probe), expected);
    } catch (IOException | RuntimeException e) {
      return false; // a writer that cannot write the probe keeps the general path
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * @return the string in quotes as ASCII bytes, or null when it holds a character outside
   *     printable ASCII, a quote or a backslash (which JSON may escape)
   */
  static byte[] plainQuoted(String s) {
    int n = s.length();
    byte[] b = new byte[n + 2];
    b[0] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return null;
      }
      b[i + 1] = (byte) c;
    }
    b[n + 1] = '"';
    return b;
  }

  @Override
  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    if (plainStrings && value instanceof String) {
      byte[] plain = plainQuoted((String) value);
      if (plain != null) {
        return plain;
      }
    } else if (plainLongs && value instanceof Long || plainInts && value instanceof Integer) {
      return ascii(value.toString());
    } else if (plainBooleans && value instanceof Boolean) {
      return ascii(value.toString());
    }
    try {
      return writer.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new SerializationException(
          "cannot write " + value.getClass().getName() + " as JSON: " + e.getMessage(), null, e);
    }
  }

  @Override
  public T deserialize(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    try {
      T value = reader.readValue(bytes);
      if (value == null) {
        throw new SerializationException("JSON 'null' where " + type.toCanonical() + " was expected", bytes, null);
      }
      return value;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new SerializationException(
          "not a valid " + type.getRawClass().getSimpleName() + " JSON value: " + e.getOriginalMessage(), bytes, e);
    } catch (IOException e) {
      throw new SerializationException("cannot read JSON: " + e.getMessage(), bytes, e);
    }
  }

  @Override
  public String toString() {
    return "json(" + type.toCanonical() + ")";
  }
}
