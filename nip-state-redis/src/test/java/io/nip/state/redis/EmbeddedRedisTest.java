package io.nip.state.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The test support's answer to a machine without libssl.so.3. */
class EmbeddedRedisTest {

  @Test
  void when_the_bundled_server_lacks_libssl_then_the_static_build_is_tried_or_the_package_is_named(@TempDir Path dir)
      throws Exception {
    // Given: a "server" that fails the way the bundled one does without libssl3
    Path fake = dir.resolve("redis-server");
    Files.writeString(fake, "#!/bin/sh\necho 'redis-server: error while loading shared libraries: libssl.so.3: "
        + "cannot open shared object file: No such file or directory' >&2\nexit 127\n");
    assertThat(fake.toFile().setExecutable(true)).isTrue();
    // When
    EmbeddedRedis redis;
    try {
      redis = EmbeddedRedis.start(() -> new File(fake.toString()));
    } catch (IllegalStateException e) {
      // Then (a kernel without 32-bit support, like some VMs): the message names the Debian package
      assertThat(e.getMessage()).contains("libssl3", "libssl3t64", "static fallback");
      return;
    }
    // Then (32-bit programs run here): the static build serves
    try {
      assertThat(redis.redis().ping()).isEqualTo("PONG");
    } finally {
      redis.close();
    }
  }
}
