package io.nip;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.core.domain.Dependency;
import org.junit.jupiter.api.Test;

/**
 * Public packages ({@code io.nip.<area>}) never depend on the {@code .internal} package of another
 * area; an area may use its own internals (public factories over package-private implementations).
 */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.nip");

  /** The segment after {@code io.nip}, e.g. "pipeline" for io.nip.pipeline.internal. */
  static String areaOf(String packageName) {
    String rest = packageName.startsWith("io.nip.") ? packageName.substring("io.nip.".length()) : "";
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  private static final ArchCondition<JavaClass> NOT_USE_OTHER_AREAS_INTERNALS =
      new ArchCondition<>("not depend on the .internal package of another area") {
        @Override
        public void check(JavaClass item, ConditionEvents events) {
          String area = areaOf(item.getPackageName());
          for (Dependency d : item.getDirectDependenciesFromSelf()) {
            String target = d.getTargetClass().getPackageName();
            if (target.startsWith("io.nip.") && target.contains(".internal")
                && !areaOf(target).equals(area)) {
              events.add(SimpleConditionEvent.violated(d, d.getDescription()));
            }
          }
        }
      };

  @Test
  void public_packages_do_not_depend_on_the_internals_of_another_area() {
    ArchRule rule = com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
        .that(DescribedPredicate.describe("are in a public io.nip package",
            (JavaClass c) -> c.getPackageName().startsWith("io.nip.") && !c.getPackageName().contains(".internal")))
        .should(NOT_USE_OTHER_AREAS_INTERNALS);
    rule.check(MAIN);
  }

  @Test
  void the_rule_catches_a_public_class_using_another_areas_internals() {
    // a self-check: the condition flags a known cross-area dependency
    JavaClasses sample = new ClassFileImporter().importClasses(CrossAreaSample.class,
        io.nip.state.StateBackend.class);
    ArchRule rule = com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
        .that(DescribedPredicate.describe("the sample", (JavaClass c) -> c.isEquivalentTo(CrossAreaSample.class)))
        .should(NOT_USE_OTHER_AREAS_INTERNALS);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rule.check(sample)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("InMemoryStateBackend");
    org.assertj.core.api.Assertions.assertThat(areaOf("io.nip.state.internal")).isEqualTo("state");
    org.assertj.core.api.Assertions.assertThat(areaOf("io.nip")).isEmpty();
  }

  /** Lives in package io.nip (area ""), and touches io.nip.state.internal. */
  static final class CrossAreaSample {
    Object backend() {
      return io.nip.state.internal.InMemoryStateBackend.INSTANCE;
    }
  }
}
