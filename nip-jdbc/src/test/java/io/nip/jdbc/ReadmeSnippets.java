package io.nip.jdbc;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.state.CheckpointStorage;
import java.time.Duration;
import javax.sql.DataSource;

/*
 * The code of this module's README, between tag markers: compiled with the tests so that the
 * README cannot drift from the API (ReadmeSnippetsTest in nip-examples checks that each README
 * block equals its tagged region). Not run: it names a database server on another host.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  static void checkpointsInPostgres(String secret, Source<String> source, Sink<String> sink) {
    // tag::storage[]
    try (PostgresCheckpointStorage storage = PostgresCheckpointStorage.builder("billing")
        .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret)
        .build()) {
      Pipeline p = Pipeline.named("billing", PipelineConfig.builder()
          .checkpointStorage(storage).commitInterval(Duration.ofSeconds(5)).build());
      p.from(source).to(sink);
      p.start().awaitTermination();
    }
    // end::storage[]
  }

  static CheckpointStorage onTheApplicationsDataSource(DataSource appDataSource) {
    // tag::data-source[]
    CheckpointStorage storage = PostgresCheckpointStorage.builder("billing").dataSource(appDataSource)
        .schema("nip").retainedCheckpoints(3).build();
    // end::data-source[]
    return storage;
  }
}
