package io.nip.kinesis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.nip.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * nip-kinesis against the project's architecture rules (nip-core's {@link ArchitectureRules}, from its
 * test-jar): as a connector it builds on the public API only, its public package reaches no
 * internals but its own, and its packages form no cycle. (The layer rule itself lists the connector
 * packages by name; nip-kinesis is checked here with the same meaning.)
 */
class KinesisArchitectureTest {
  private static final JavaClasses KINESIS = new ClassFileImporter()
      .withImportOption(ArchitectureRules.MAIN_CLASSES_ONLY).importPackages("io.nip.kinesis");

  @Test
  void the_scan_holds_the_module_main_classes_and_no_test_class() {
    assertThat(KINESIS.contain(KinesisSource.class)).isTrue();
    assertThat(KINESIS.stream().map(JavaClass::getName)).doesNotContain(KinesisArchitectureTest.class.getName(),
        KinesisSourceSinkTest.class.getName());
  }

  @Test
  void public_packages_do_not_depend_on_the_internals_of_another_area() {
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(KINESIS);
  }

  @Test
  void like_every_connector_it_uses_only_the_public_api_and_its_own_packages() {
    noClasses().that().resideInAPackage("io.nip.kinesis..")
        .should().dependOnClassesThat(DescribedPredicate.describe(
            "are in an io.nip package other than the public API and io.nip.kinesis..",
            (JavaClass c) -> {
              String p = c.getPackageName();
              return p.startsWith("io.nip.") && !p.startsWith("io.nip.kinesis")
                  && (ArchitectureRules.isInternal(p) || p.startsWith("io.nip.testing") || p.startsWith("io.nip.kafka")
                      || p.startsWith("io.nip.cli") || p.startsWith("io.nip.bench") || p.startsWith("io.nip.examples"));
            }))
        .check(KINESIS);
  }

  @Test
  void packages_are_free_of_cycles_apart_from_facade_edges() {
    ArchitectureRules.noPackageCycles(KINESIS).check(KINESIS);
  }
}
