package io.nip.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.nip.ArchitectureRules;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * NIP's architecture rules (defined in nip-core's test sources) on this module: it sits in the
 * connectors' layer, so it uses only nip-core's public API, and its packages have no cycles.
 */
class MonitoringArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ArchitectureRules.MAIN_CLASSES_ONLY).importPackages("io.nip.monitoring");

  @Test
  void the_scan_holds_this_modules_classes() {
    assertThat(MAIN.stream().map(JavaClass::getName).collect(Collectors.toSet()))
        .contains(MetricsCollector.class.getName(), "io.nip.monitoring.internal.HttpEndpoint");
  }

  @Test
  void the_rules_hold_for_the_monitoring_packages() {
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(MAIN);
    ArchitectureRules.layers(MAIN).check(MAIN);
    ArchitectureRules.noPackageCycles(MAIN).check(MAIN);
  }
}
