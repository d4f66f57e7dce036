package io.nip.state.redis;

import io.nip.pipeline.Pipeline;
import io.nip.pipeline.PipelineConfig;
import io.nip.serde.Serdes;
import io.nip.sink.Sink;
import io.nip.source.Source;
import io.nip.state.ValueState;
import java.time.Duration;

/*
 * The code of this module's README, between tag markers: compiled with the tests so that the
 * README cannot drift from the API (ReadmeSnippetsTest in nip-examples checks that each README
 * block equals its tagged region). Not run here: it names a Redis server at a fixed address; the
 * same calls run against a real server in RedisPipelineRestartTest.
 */
final class ReadmeSnippets {
  private ReadmeSnippets() {}

  /** A click of the README's example. */
  record Click(String user, String page) {}

  static void stateInRedis(Source<Click> source, Sink<Object> sink) {
    // tag::backend[]
    RedisStateBackend redis = RedisStateBackend.builder()
        .uri("redis://localhost:6379")          // required; rediss:// for TLS, redis://:password@host:6379/2
        .build();                               // connects now: a wrong URI fails here
    Pipeline p = Pipeline.named("clicks", PipelineConfig.builder()
        .stateBackend(redis)
        .checkpointStorage(redis.checkpointStorage("clicks"))   // same Redis: store writes commit with checkpoints
        .build());
    p.from(source).keyBy(Click::user).process((user, click, ctx) -> {
      ValueState<Long> n = ctx.valueState("count", Serdes.json(Long.class), Duration.ofHours(1)); // state_ttl=3600
      n.update(n.valueOr(0L) + 1);
    }).to(sink);
    p.start().awaitTermination();
    redis.close();                              // after the pipelines using it stopped
    // end::backend[]
  }
}
