package io.nip.jdbc;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.state.CheckpointStorage;
import io.nip.streaming.IdempotentProcessor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /** The tutorial's event, for the snippets below. */
  record UserEvent(String eventId, String userId, String eventType) {}

  static void idempotentWrites(DataSource dataSource, Source<UserEvent> source, CheckpointStorage storage) {
    // tag::idempotent[]
    IdempotentProcessor<UserEvent> processor = IdempotentProcessor.<UserEvent>named("idempotent_processor")
        .idKey(UserEvent::eventId)
        .seenTtl(Duration.ofHours(6))
        .idempotentOperation(IdempotentWrites.upsertJson(dataSource, "events", UserEvent::eventId));
    processor.start(source, PipelineConfig.builder().checkpointStorage(storage).build());
    // end::idempotent[]
  }

  static Map<String, Object> eventStore(String secret) {
    // tag::event-store[]
    try (EventStore store = EventStore.builder("user_session")
        .jdbcUrl("jdbc:postgresql://db:5432/app").user("nip").password(secret).build()) {
      long version = store.append("user_0", 0, List.of(EventData.of("login", Map.of("ip", "10.0.0.7"))));
      try {
        version = store.append("user_0", version, List.of(EventData.of("page_view", Map.of("page", "/cart"))));
      } catch (ConcurrencyConflictException e) {
        // another writer appended first: replay, decide again, append with e.actualVersion()
      }
      Replayed<Map<String, Object>> session = store.replay("user_0", new HashMap<>(), (state, event) -> {
        state.merge(event.eventType(), 1, (a, b) -> (int) a + (int) b);
        return state;
      });
      return session.state();
    }
    // end::event-store[]
  }
}
