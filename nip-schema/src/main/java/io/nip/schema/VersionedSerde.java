package io.nip.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.ConfigurationException;
import io.nip.errors.SerializationException;
import io.nip.event.Headers;
import io.nip.serde.Serde;
import io.nip.serde.Serdes;
import java.io.IOException;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * JSON events with a version, read as the current version: each record's version comes from a
 * payload field (default {@code schema_version}) or a record header
 * ({@value SchemaHeaders#EVENT_VERSION}); a chain of upcasters turns an old version, step by step,
 * into the current one before it is bound to the event type, so the pipeline sees only current
 * events. A record with a version newer than the current one throws
 * {@link UnknownVersionException} (a dead letter naming both versions under
 * {@code ErrorPolicy.deadLetter}); one older than the first upcaster, or an upcaster that fails,
 * throws {@link SerializationException}. Writing always writes the current version.
 *
 * <pre>{@code
 * Serde<UserEvent> serde = VersionedSerde.json(UserEvent.class, 3)
 *     .upcaster(1, v1 -> v1.put("user_id", v1.remove("user").asText()))      // v1 -> v2
 *     .upcaster(2, v2 -> v2.set("properties", v2.remove("props")))           // v2 -> v3
 *     .build();
 * }</pre>
 *
 * <p>Upcasters work on the JSON object (Jackson {@link ObjectNode}), which they may change in place
 * and return, or replace. Thread-safe once built, when the upcasters are.
 *
 * @param <T> the event type, bound from the current version's JSON by {@link Serdes#objectMapper()}
 */
public final class VersionedSerde<T> implements Serde<T> {
  /** The default version field. */
  public static final String DEFAULT_FIELD = "schema_version";

  private static final ObjectMapper MAPPER = Serdes.objectMapper();
  private final Class<T> type;
  private final int current;
  private final int oldest;
  private final String field;
  private final String header;
  private final Integer defaultVersion;
  private final UnaryOperator<ObjectNode>[] upcasters;
  private final Headers headers;

  @SuppressWarnings("unchecked")
  private VersionedSerde(Builder<T> b) {
    this.type = b.type;
    this.current = b.current;
    this.field = b.field;
    this.header = b.header;
    this.defaultVersion = b.defaultVersion;
    this.oldest = b.upcasters.isEmpty() ? current : b.upcasters.firstKey();
    this.upcasters = new UnaryOperator[current];
    b.upcasters.forEach((v, f) -> upcasters[v] = f);
    Headers h = Headers.EMPTY.with(SchemaHeaders.CONTENT_TYPE, SchemaHeaders.JSON);
    this.headers = header == null ? h : h.with(header, Integer.toString(current));
  }

  /**
   * @param type the current version's type
   * @param currentVersion the current version, at least 1
   * @param <T> the event type
   * @return a builder; the version is read from {@value #DEFAULT_FIELD} unless set otherwise
   */
  public static <T> Builder<T> json(Class<T> type, int currentVersion) {
    return new Builder<>(Objects.requireNonNull(type, "type"), currentVersion);
  }

  /** @return the current version */
  public int currentVersion() {
    return current;
  }

  @Override
  public byte[] serialize(T value) {
    if (value == null) {
      return null;
    }
    try {
      JsonNode node = MAPPER.valueToTree(value);
      if (field != null && node instanceof ObjectNode) {
        ((ObjectNode) node).put(field, current);
      }
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new SerializationException("cannot write " + type.getSimpleName() + " as JSON: " + e.getMessage(),
          null, e);
    }
  }

  @Override
  public T deserialize(byte[] bytes) {
    return deserialize(bytes, Headers.EMPTY);
  }

  /**
   * @throws UnknownVersionException when the record's version is newer than the current one
   * @throws SerializationException when it is not a JSON object, has no readable version, has a
   *     version older than the first upcaster, an upcaster fails, or the result does not bind
   */
  @Override
  public T deserialize(byte[] bytes, Headers recordHeaders) {
    if (bytes == null) {
      return null;
    }
    ObjectNode node = object(bytes);
    int version = version(node, recordHeaders, bytes);
    if (version > current) {
      throw new UnknownVersionException(type.getSimpleName(), version, current, bytes);
    }
    if (version < oldest) {
      throw new SerializationException(type.getSimpleName() + " version " + version + " is older than the oldest "
          + "version with an upcaster (" + oldest + ")", bytes, null);
    }
    for (int v = version; v < current; v++) {
      node = upcast(v, node, bytes);
    }
    if (field != null) {
      node.put(field, current);
    }
    try {
      return MAPPER.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new SerializationException("not a valid " + type.getSimpleName() + " (version " + version
          + (version == current ? "" : ", upcast to " + current) + "): " + e.getMessage(), bytes, e);
    }
  }

  private ObjectNode object(byte[] bytes) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new SerializationException("not JSON: " + e.getMessage(), bytes, e);
    }
    if (!(node instanceof ObjectNode)) {
      throw new SerializationException("not a JSON object but " + (node == null ? "nothing" : node.getNodeType()),
          bytes, null);
    }
    return (ObjectNode) node;
  }

  private int version(ObjectNode node, Headers recordHeaders, byte[] bytes) {
    if (header != null) {
      String h = recordHeaders.lastString(header);
      if (h != null) {
        try {
          return Integer.parseInt(h.trim());
        } catch (NumberFormatException e) {
          throw new SerializationException("header " + header + " is no version number: '" + h + "'", bytes, e);
        }
      }
    } else {
      JsonNode v = node.get(field);
      if (v != null && !v.isNull()) {
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
          throw new SerializationException("field '" + field + "' is no version number: " + v, bytes, null);
        }
        return v.intValue();
      }
    }
    if (defaultVersion != null) {
      return defaultVersion;
    }
    throw new SerializationException(type.getSimpleName() + " record without a version ("
        + (header != null ? "header " + header : "field '" + field + "'") + ")", bytes, null);
  }

  private ObjectNode upcast(int from, ObjectNode node, byte[] bytes) {
    try {
      ObjectNode next = upcasters[from].apply(node);
      if (next == null) {
        throw new IllegalStateException("the upcaster returned null");
      }
      return next;
    } catch (RuntimeException e) {
      throw new SerializationException("upcasting " + type.getSimpleName() + " from version " + from + " to "
          + (from + 1) + " failed: " + e, bytes, e);
    }
  }

  @Override
  public Headers headers(T value) {
    return headers;
  }

  @Override
  public String toString() {
    return "versioned(" + type.getSimpleName() + " v" + current + ", from v" + oldest + ")";
  }

  /**
   * Builds a {@link VersionedSerde}.
   *
   * @param <T> the event type
   */
  public static final class Builder<T> {
    private final Class<T> type;
    private final int current;
    private final TreeMap<Integer, UnaryOperator<ObjectNode>> upcasters = new TreeMap<>();
    private String field = DEFAULT_FIELD;
    private String header;
    private Integer defaultVersion;

    private Builder(Class<T> type, int current) {
      if (current < 1) {
        throw ConfigurationException.invalid("currentVersion", current, "must be at least 1");
      }
      this.type = type;
      this.current = current;
    }

    /**
     * @param name the payload field holding the version (a JSON integer); default
     *     {@value VersionedSerde#DEFAULT_FIELD}
     * @return this
     */
    public Builder<T> versionField(String name) {
      this.field = Objects.requireNonNull(name, "name");
      this.header = null;
      return this;
    }

    /**
     * Reads the version from a record header (decimal text) instead of a payload field, and writes
     * it there; for sources without headers (files) only {@link #defaultVersion} applies.
     *
     * @param name the header, e.g. {@value SchemaHeaders#EVENT_VERSION}
     * @return this
     */
    public Builder<T> versionHeader(String name) {
      this.header = Objects.requireNonNull(name, "name");
      this.field = null;
      return this;
    }

    /**
     * @param version the version of records that carry none (e.g. those written before versioning)
     * @return this
     */
    public Builder<T> defaultVersion(int version) {
      if (version < 1 || version > current) {
        throw ConfigurationException.invalid("defaultVersion", version, "must be from 1 to the current version "
            + current);
      }
      this.defaultVersion = version;
      return this;
    }

    /**
     * @param fromVersion the version this upcaster reads; it returns version {@code fromVersion + 1}
     * @param fn turns a {@code fromVersion} JSON object into a {@code fromVersion + 1} one
     * @return this
     */
    public Builder<T> upcaster(int fromVersion, UnaryOperator<ObjectNode> fn) {
      Objects.requireNonNull(fn, "fn");
      if (fromVersion < 1 || fromVersion >= current) {
        throw ConfigurationException.invalid("upcaster.fromVersion", fromVersion,
            "must be from 1 to " + (current - 1) + " (the current version is " + current + ")");
      }
      if (upcasters.putIfAbsent(fromVersion, fn) != null) {
        throw ConfigurationException.invalid("upcaster.fromVersion", fromVersion, "has an upcaster already");
      }
      return this;
    }

    /**
     * @return the serde
     * @throws ConfigurationException when the upcasters leave a gap between the oldest and the
     *     current version (the message names the missing step)
     */
    public VersionedSerde<T> build() {
      if (!upcasters.isEmpty()) {
        for (int v = upcasters.firstKey(); v < current; v++) {
          if (!upcasters.containsKey(v)) {
            throw new ConfigurationException("upcaster", "no upcaster from version " + v + " to " + (v + 1)
                + ", between the oldest (" + upcasters.firstKey() + ") and the current version " + current);
          }
        }
      }
      return new VersionedSerde<>(this);
    }
  }
}
