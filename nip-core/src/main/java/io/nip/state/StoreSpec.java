package io.nip.state;

import io.nip.errors.ConfigurationException;
import io.nip.serde.Serde;
import java.time.Duration;
import java.util.Objects;

/**
 * Describes a store: name, serdes (for snapshots, changelogs and durable backends) and an optional
 * time-to-live. The same description serves key-value, window and session stores; the backend
 * method that receives it decides the kind.
 *
 * <pre>{@code
 * StoreSpec<String, Long> spec = StoreSpec.keyValue("counts", Serdes.string(), Serdes.json(Long.class))
 *     .withTtl(Duration.ofHours(1));
 * }</pre>
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class StoreSpec<K, V> {
  private final String name;
  private final Serde<K> keySerde;
  private final Serde<V> valueSerde;
  private final Duration ttl;

  private StoreSpec(String name, Serde<K> keySerde, Serde<V> valueSerde, Duration ttl) {
    this.name = name;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.ttl = ttl;
  }

  /**
   * @param name store name, unique within its operator; letters, digits, '-', '_' and '.'
   * @param keySerde key serde
   * @param valueSerde value serde
   * @param <K> key type
   * @param <V> value type
   * @return the spec, without TTL
   */
  public static <K, V> StoreSpec<K, V> keyValue(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    Objects.requireNonNull(name, "name");
    if (!name.matches("[A-Za-z0-9_.\\-]+")) {
      throw ConfigurationException.invalid("store.name", "'" + name + "'", "must use letters, digits, '-', '_' or '.'");
    }
    return new StoreSpec<>(name, Objects.requireNonNull(keySerde, "keySerde"),
        Objects.requireNonNull(valueSerde, "valueSerde"), null);
  }

  /**
   * The same as {@link #keyValue}, named for specs of window and session stores.
   *
   * <pre>{@code
   * WindowStore<String, Long> w = backend.createWindowStore(StoreSpec.of("counts", Serdes.string(), Serdes.json(Long.class)), scope, clock);
   * }</pre>
   *
   * @param name store name, unique within its operator; letters, digits, '-', '_' and '.'
   * @param keySerde key serde
   * @param valueSerde value serde
   * @param <K> key type
   * @param <V> value type
   * @return the spec, without TTL
   */
  public static <K, V> StoreSpec<K, V> of(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    return keyValue(name, keySerde, valueSerde);
  }

  /**
   * @param ttl how long an entry lives after its last write; positive
   * @return a copy with that TTL
   */
  public StoreSpec<K, V> withTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isZero() || ttl.isNegative()) {
      throw ConfigurationException.invalid("store." + name + ".ttl", ttl, "must be positive");
    }
    return new StoreSpec<>(name, keySerde, valueSerde, ttl);
  }

  /** @return the store name */
  public String name() {
    return name;
  }

  /** @return the key serde */
  public Serde<K> keySerde() {
    return keySerde;
  }

  /** @return the value serde */
  public Serde<V> valueSerde() {
    return valueSerde;
  }

  /** @return the TTL, or null for none */
  public Duration ttl() {
    return ttl;
  }
}
