package io.nip.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import io.nip.ArchitectureRules;
import io.nip.bench.e2e.BenchCommand;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * NIP's architecture rules (defined in nip-core's test sources) on the benchmarks and every module
 * they depend on. nip-cli's {@code AllModulesArchitectureTest} covers the modules of nip.jar, which
 * does not carry the benchmarks; this is the one test of this module, and runs no benchmark.
 */
class BenchArchitectureTest {
  private static final JavaClasses MAIN = ArchitectureRules.importMainClasses();

  @Test
  void the_scan_holds_the_benchmarks_and_the_modules_they_use() {
    assertThat(MAIN.stream().map(JavaClass::getName).collect(Collectors.toSet())).contains(
        "io.nip.pipeline.Pipeline",                       // nip-core
        "io.nip.kafka.KafkaSource",                       // nip-kafka
        "io.nip.examples.analytics.AnalyticsPipeline",    // nip-examples
        WindowAggregateBenchmark.class.getName(),          // nip-bench
        BenchCommand.class.getName())
        .doesNotContain(ArchitectureRules.class.getName(), BenchArchitectureTest.class.getName());
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
