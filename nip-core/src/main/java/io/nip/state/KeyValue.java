package io.nip.state;

/**
 * One entry of a key-value store, as returned by its range and prefix scans.
 *
 * @param key the key
 * @param value the live value
 * @param <K> key type
 * @param <V> value type
 */
public record KeyValue<K, V>(K key, V value) {}
