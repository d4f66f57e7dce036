package io.nip.cep;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.nip.ArchitectureRules;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * NIP's architecture rules (defined in nip-core's test sources) on this module: {@code io.nip.cep}
 * is public API (it uses only public packages and its own internals), {@code io.nip.cep.internal}
 * sits in the operators' layer, and there are no package cycles apart from the facade edge.
 */
class CepArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ArchitectureRules.MAIN_CLASSES_ONLY).importPackages("io.nip.cep");

  @Test
  void the_scan_holds_this_modules_classes() {
    assertThat(MAIN.stream().map(JavaClass::getName).collect(Collectors.toSet()))
        .contains(Pattern.class.getName(), "io.nip.cep.internal.Nfa");
  }

  @Test
  void the_rules_hold_for_the_pattern_packages() {
    // public packages use no other area's internals; every package sits in its layer; no cycles
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(MAIN);
    ArchitectureRules.layers(MAIN).check(MAIN);
    ArchitectureRules.noPackageCycles(MAIN).check(MAIN);
  }
}
