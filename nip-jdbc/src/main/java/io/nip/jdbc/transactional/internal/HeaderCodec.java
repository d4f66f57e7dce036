package io.nip.jdbc.transactional.internal;

import io.nip.event.Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Encodes record headers into one {@code bytea} of the outbox and back into Kafka headers.
 *
 * <p>Design: a count, then per header the UTF-8 name and the value, each prefixed by its length (a
 * value of length -1 is null). Order and repeated names are kept, as Kafka keeps them. No headers
 * encode to null, so the common case stores nothing.
 *
 * <p>Stateless and thread-safe.
 */
public final class HeaderCodec {
  private HeaderCodec() {}

  /**
   * @param headers the headers
   * @return their encoding, or null when there are none
   */
  public static byte[] encode(Headers headers) {
    if (headers.isEmpty()) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(headers.size());
      for (int i = 0; i < headers.size(); i++) {
        byte[] name = headers.name(i).getBytes(StandardCharsets.UTF_8);
        out.writeInt(name.length);
        out.write(name);
        byte[] value = headers.value(i);
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
          out.write(value);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * @param encoded an encoding made by {@link #encode}, or null
   * @return the Kafka headers, in order (empty for null)
   */
  public static List<Header> decode(byte[] encoded) {
    List<Header> headers = new ArrayList<>();
    if (encoded == null) {
      return headers;
    }
    try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        byte[] name = in.readNBytes(in.readInt());
        int length = in.readInt();
        headers.add(new RecordHeader(new String(name, StandardCharsets.UTF_8), length < 0 ? null : in.readNBytes(length)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt outbox headers", e);
    }
    return headers;
  }
}
