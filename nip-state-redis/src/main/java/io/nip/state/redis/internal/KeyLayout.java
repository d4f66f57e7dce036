package io.nip.state.redis.internal;

import io.nip.state.StateBackend;
import java.nio.charset.StandardCharsets;

/**
 * Where things live in Redis. Names are UTF-8; serialized keys are appended as raw bytes (Redis
 * keys are binary-safe).
 *
 * <pre>
 * &lt;prefix&gt;:&lt;pipeline&gt;:&lt;taskId&gt;:&lt;operator&gt;/&lt;store&gt;            set: the serialized keys of the store (its index)
 * &lt;prefix&gt;:&lt;pipeline&gt;:&lt;taskId&gt;:&lt;operator&gt;/&lt;store&gt;:&lt;key&gt;      string: the serialized value (PX = the store's TTL)
 * &lt;prefix&gt;:&lt;pipeline&gt;:&lt;taskId&gt;:&lt;operator&gt;/&lt;store&gt;~staged      set: the store's staging hashes
 * &lt;prefix&gt;:&lt;pipeline&gt;:&lt;taskId&gt;:&lt;operator&gt;/&lt;store&gt;~staged:&lt;run&gt;:&lt;n&gt;  hash: writes not committed yet
 * &lt;prefix&gt;:&lt;pipeline&gt;:#checkpoint:latest | :completed | :written | :&lt;id&gt;
 * </pre>
 *
 * <p>The characters after the store's base ({@code ':'} for entries, {@code '~'} for staging) keep
 * the families apart; checkpoint keys carry {@code '#'} where a task id stands.
 */
final class KeyLayout {
  private KeyLayout() {}

  /**
   * @param prefix the key prefix
   * @param scope the store's pipeline, task and operator
   * @param store the store's name
   * @return the store's base (and index key)
   */
  static String base(String prefix, StateBackend.StoreScope scope, String store) {
    return prefix + ":" + scope.pipeline() + ":" + scope.taskId() + ":" + scope.operator() + "/" + store;
  }

  /**
   * @param prefix the key prefix
   * @param pipeline the pipeline name
   * @return the checkpoint keys' common start for the pipeline
   */
  static String checkpoints(String prefix, String pipeline) {
    return prefix + ":" + pipeline + ":#checkpoint";
  }

  /**
   * @param s a name
   * @return its UTF-8 bytes
   */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * @param base a store's base, UTF-8
   * @param key a serialized key
   * @return the entry's live key
   */
  static byte[] entry(byte[] base, byte[] key) {
    byte[] k = new byte[base.length + 1 + key.length];
    System.arraycopy(base, 0, k, 0, base.length);
    k[base.length] = ':';
    System.arraycopy(key, 0, k, base.length + 1, key.length);
    return k;
  }
}
