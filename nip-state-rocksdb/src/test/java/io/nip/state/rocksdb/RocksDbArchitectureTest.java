package io.nip.state.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.nip.ArchitectureRules;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * NIP's architecture rules (defined in nip-core's test sources) on the state packages, this
 * module's included: the backend's public package uses only the public API and its own internals,
 * and its internals use only the public API. nip-core checks the rules on all of its packages.
 */
class RocksDbArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ArchitectureRules.MAIN_CLASSES_ONLY).importPackages("io.nip.state");

  @Test
  void the_scan_holds_this_modules_classes() {
    assertThat(MAIN.stream().map(JavaClass::getName).collect(Collectors.toSet()))
        .contains(RocksDbStateBackend.class.getName(), "io.nip.state.rocksdb.internal.RocksKeyValueStore");
  }

  @Test
  void public_packages_do_not_depend_on_the_internals_of_another_area() {
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(MAIN);
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
