package io.nip.schema;

import com.google.protobuf.Message;
import io.nip.errors.ConfigurationException;
import io.nip.schema.internal.ProtobufSerde;
import io.nip.serde.Serde;
import java.lang.reflect.InvocationTargetException;
import java.util.Objects;

/**
 * Protobuf serdes for generated message classes (protobuf-java). Fields the reader's message does
 * not know (written by a newer version) are kept as unknown fields and written out again, so a
 * record that passes through an older pipeline loses nothing. Values carry
 * {@code content-type: application/x-protobuf} and {@code nip.schema.id: <full message name>}.
 *
 * <pre>{@code
 * Serde<AnalyticsEventProto> serde = ProtobufSerdes.of(AnalyticsEventProto.class);
 * }</pre>
 */
public final class ProtobufSerdes {
  private ProtobufSerdes() {}

  /**
   * @param type a generated message class
   * @param <M> the message type
   * @return its serde: the message's wire format, no prefix
   * @throws ConfigurationException when {@code type} is no generated message class
   */
  public static <M extends Message> Serde<M> of(Class<M> type) {
    Objects.requireNonNull(type, "type");
    try {
      M prototype = type.cast(type.getMethod("getDefaultInstance").invoke(null));
      return new ProtobufSerde<>(prototype);
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | ClassCastException e) {
      throw ConfigurationException.invalid("protobuf message class", type.getName(),
          "has no static getDefaultInstance(): not a generated message class");
    }
  }
}
