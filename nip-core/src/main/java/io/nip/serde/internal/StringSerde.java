package io.nip.serde.internal;

import io.nip.serde.Serde;
import java.nio.charset.StandardCharsets;

/** UTF-8 text. Stateless singleton. */
public final class StringSerde implements Serde<String> {
  /** The one instance. */
  public static final StringSerde INSTANCE = new StringSerde();

  private StringSerde() {}

  @Override
  public byte[] serialize(String value) {
    return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String deserialize(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
