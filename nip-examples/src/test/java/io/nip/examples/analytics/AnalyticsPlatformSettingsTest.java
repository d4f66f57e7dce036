package io.nip.examples.analytics;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nip.errors.ConfigurationException;
import io.nip.errors.DeadLetter;
import io.nip.examples.StreamingPlatform;
import io.nip.serde.Serde;
import io.nip.sink.Sink;
import io.nip.sink.Sinks;
import io.nip.source.Source;
import io.nip.source.Sources;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Settings that only Kafka can honour are refused, naming them, when exercise 1 runs on another platform. */
class AnalyticsPlatformSettingsTest {
  /** A platform of empty in-memory streams: only the builder's checks are under test here. */
  private static final StreamingPlatform OTHER = new StreamingPlatform() {
    @Override
    public String name() {
      return "other";
    }

    @Override
    public <T> Source<T> source(String stream, Serde<T> parser, boolean bounded) {
      return Sources.collection(stream, List.of());
    }

    @Override
    public <R> Sink<R> sink(String stream, Serde<R> serde, Function<? super R, String> key) {
      return Sinks.collecting(stream);
    }

    @Override
    public Sink<DeadLetter> deadLetters(String stream) {
      return Sinks.collecting(stream);
    }
  };

  @Test
  void kafka_only_settings_on_another_platform_are_refused_naming_the_setting_and_the_platform() {
    // Given/When/Then: each Kafka-only setting fails build() instead of being ignored
    List<UnaryOperator<AnalyticsPipeline.Builder>> settings = List.of(
        b -> b.groupId("g"),
        b -> b.consumerProperty("fetch.min.bytes", 1),
        b -> b.producerProperty("linger.ms", 5),
        b -> b.instanceId("i-1"));
    List<String> names = List.of("groupId", "consumerProperty", "producerProperty", "instanceId");
    for (int i = 0; i < settings.size(); i++) {
      AnalyticsPipeline.Builder b = settings.get(i).apply(AnalyticsPipeline.builder(OTHER).bounded());
      assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(names.get(i)).hasMessageContaining("other");
    }
  }
}
