package io.nip;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link ArchitectureRules} (defined, explained and self-checked in nip-core's test sources)
 * on the main classes of every module but nip-jdbc and nip-bench. It lives in nip-cli because
 * nip-cli's test classpath holds more modules than any other: nip-cli depends on nip-examples (and
 * through it nip-kafka, nip-kafka-embedded and nip-schema), the state backends (nip-state-rocksdb,
 * nip-state-redis) and, for this test, nip-test, nip-kinesis and nip-pubsub. nip-bench, which
 * nip.jar does not carry, checks itself with its dependencies ({@code BenchArchitectureTest}),
 * nip-jdbc likewise.
 */
class AllModulesArchitectureTest {
  private static final JavaClasses MAIN = ArchitectureRules.importMainClasses();

  @Test
  void the_scan_holds_the_main_classes_of_every_module_and_no_test_class() {
    assertThat(MAIN.stream().map(JavaClass::getName).collect(Collectors.toSet())).contains(
        "io.nip.pipeline.Pipeline",                       // nip-core
        "io.nip.testing.PipelineTestDriver",              // nip-test
        "io.nip.kafka.embedded.EmbeddedKafka",            // nip-kafka-embedded
        "io.nip.kafka.KafkaSource",                       // nip-kafka
        "io.nip.schema.SchemaSerdes",                     // nip-schema
        "io.nip.kinesis.KinesisSource",                   // nip-kinesis (test scope)
        "io.nip.pubsub.PubSubSource",                     // nip-pubsub (test scope)
        "io.nip.state.rocksdb.RocksDbStateBackend",       // nip-state-rocksdb
        "io.nip.state.redis.RedisStateBackend",           // nip-state-redis
        "io.nip.examples.SplitAndRoute",                  // nip-examples
        "io.nip.cli.NipCommand")                          // nip-cli
        .doesNotContain(ArchitectureRules.class.getName(), AllModulesArchitectureTest.class.getName(),
            "io.nip.state.redis.EmbeddedRedis");          // nip-state-redis's test jar
  }

  @Test
  void public_packages_do_not_depend_on_the_internals_of_another_area() {
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(MAIN);
  }

  @Test
  void the_runtime_depends_on_no_internal_package_but_the_states() {
    ArchitectureRules.RUNTIME_USES_NO_OTHER_INTERNALS.check(MAIN);
  }

  @Test
  void every_package_sits_in_a_layer_and_uses_no_layer_above_it() {
    ArchitectureRules.layers(MAIN).check(MAIN);
  }

  @Test
  void packages_are_free_of_cycles_apart_from_facade_edges() {
    ArchitectureRules.noPackageCycles(MAIN).check(MAIN);
  }
}
