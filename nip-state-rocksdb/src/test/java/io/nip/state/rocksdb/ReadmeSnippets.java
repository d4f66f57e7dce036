package io.nip.state.rocksdb;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.state.StateBackend;
import io.nip.state.StateBackendProvider;
import java.nio.file.Path;
import java.util.Map;

/*
 * The code of this module's README, between tag markers: compiled with the tests so that the
 * README cannot drift from the API (ReadmeSnippetsTest in nip-examples checks that each README
 * block equals its tagged region). Not run here: it names a system directory; the same calls run
 * on temporary directories in RocksDbStateBackendTest and RocksDbPipelineTest.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static Pipeline builder() {
    // tag::builder[]
    RocksDbStateBackend rocks = RocksDbStateBackend.builder(Path.of("/var/lib/app/state"))
        .blockCacheSize(256L << 20)       // optional: the defaults are below
        .build();
    Pipeline p = Pipeline.named("clicks", PipelineConfig.builder().stateBackend(rocks).build());
    // ... run the pipeline; when the application stops:
    rocks.close();
    // end::builder[]
    return p;
  }

  static StateBackend byName() {
    // tag::provider[]
    StateBackend rocks = StateBackendProvider.create("rocksdb", Map.of(
        "state.dir", "/var/lib/app/state", "block.cache.bytes", "256m", "write.buffer.bytes", "64m"));
    // end::provider[]
    return rocks;
  }
}
