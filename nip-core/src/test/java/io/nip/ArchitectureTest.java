package io.nip;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.nip.archsample.PublicClassUsingStateInternalsSample;
import io.nip.archsample.alpha.AlphaSample;
import io.nip.archsample.beta.BetaSample;
import io.nip.archsample.delta.DeltaSample;
import io.nip.archsample.gamma.GammaSample;
import io.nip.archsample.gamma.internal.GammaImplSample;
import io.nip.runtime.internal.RuntimeImportingAnOperatorSample;
import io.nip.state.StateBackend;
import io.nip.state.internal.InMemoryStateBackend;
import io.nip.state.internal.StateImplementationUsingTheRuntimeSample;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link ArchitectureRules} on nip-core's main classes (nip-cli checks them on every
 * module), and proves on sample classes that each rule catches what it is meant to catch.
 */
class ArchitectureTest {
  private static final JavaClasses CORE = ArchitectureRules.importMainClasses();

  @Test
  void the_scan_holds_the_core_main_classes_and_no_test_class() {
    assertThat(CORE.stream().map(JavaClass::getName).collect(Collectors.toSet()))
        .contains("io.nip.pipeline.Pipeline", "io.nip.runtime.internal.Operator")
        .doesNotContain(ArchitectureTest.class.getName(), AlphaSample.class.getName());
  }

  @Test
  void public_packages_do_not_depend_on_the_internals_of_another_area() {
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(CORE);
  }

  @Test
  void the_runtime_depends_on_no_internal_package_but_the_states() {
    ArchitectureRules.RUNTIME_USES_NO_OTHER_INTERNALS.check(CORE);
  }

  @Test
  void every_package_sits_in_a_layer_and_uses_no_layer_above_it() {
    ArchitectureRules.layers(CORE).check(CORE);
  }

  @Test
  void packages_are_free_of_cycles_apart_from_facade_edges() {
    ArchitectureRules.noPackageCycles(CORE).check(CORE);
  }

  @Test
  void areas_and_facade_edges_are_read_from_package_names() {
    assertThat(ArchitectureRules.areaOf("io.nip.state.internal")).isEqualTo("state");
    assertThat(ArchitectureRules.areaOf("io.nip.kafka.embedded")).isEqualTo("kafka");
    assertThat(ArchitectureRules.areaOf("io.nip")).isEmpty();
    assertThat(ArchitectureRules.isInternal("io.nip.internals")).isFalse();
    assertThat(ArchitectureRules.isFacadeEdge("io.nip.state", "io.nip.state.internal")).isTrue();
    assertThat(ArchitectureRules.isFacadeEdge("io.nip.kafka", "io.nip.kafka.embedded.internal")).isFalse();
    assertThat(ArchitectureRules.isFacadeEdge("io.nip.state.internal", "io.nip.state.internal.x")).isFalse();
  }

  @Test
  void rule_1_catches_a_public_class_using_another_areas_internals_and_lets_a_facade_use_its_own() {
    List<String> violations = violations(c -> ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS,
        PublicClassUsingStateInternalsSample.class, StateBackend.class, InMemoryStateBackend.class);

    assertThat(violations).isNotEmpty().allSatisfy(v -> assertThat(v)
        .startsWith("Method <" + PublicClassUsingStateInternalsSample.class.getName())
        .contains(InMemoryStateBackend.class.getName()));
  }

  @Test
  void rule_2_catches_the_runtime_using_an_operator_and_lets_it_use_the_state_internals() {
    List<String> violations = violations(c -> ArchitectureRules.RUNTIME_USES_NO_OTHER_INTERNALS,
        RuntimeImportingAnOperatorSample.class);

    assertThat(violations).isNotEmpty().allSatisfy(v -> assertThat(v)
        .contains("io.nip.operators.internal.MergeOp")
        .doesNotContain(InMemoryStateBackend.class.getSimpleName()));
  }

  @Test
  void the_layering_catches_a_dependency_on_a_layer_above_and_lets_a_facade_reach_its_own_internals() {
    Class<?>[] sample = {StateImplementationUsingTheRuntimeSample.class, StateBackend.class,
        InMemoryStateBackend.class};
    List<String> violations = violations(ArchitectureRules::layers, sample);

    assertThat(ArchitectureRules.facadePackages(new ClassFileImporter().importClasses(sample)))
        .containsExactly("io.nip.state");
    assertThat(violations).isNotEmpty().allSatisfy(v -> assertThat(v)
        .contains("<" + StateImplementationUsingTheRuntimeSample.class.getName())
        .contains("io.nip.runtime.internal.Operator"));
  }

  @Test
  void the_layering_catches_a_package_that_sits_in_no_layer() {
    List<String> violations = violations(ArchitectureRules::layers, AlphaSample.class);

    assertThat(violations).containsExactly("Class <" + AlphaSample.class.getName() + "> is not contained in architecture");
  }

  @Test
  void the_cycle_rule_catches_a_package_cycle_and_lets_cycles_close_through_facade_edges() {
    List<String> violations = violations(ArchitectureRules::noPackageCycles,
        AlphaSample.class, BetaSample.class, GammaSample.class, GammaImplSample.class, DeltaSample.class);

    assertThat(violations).singleElement().satisfies(v -> assertThat(v)
        .startsWith("Cycle detected")
        .contains("io.nip.archsample.alpha", "io.nip.archsample.beta")
        .doesNotContain("gamma", "delta"));
  }

  private static List<String> violations(Function<JavaClasses, ArchRule> rule, Class<?>... classes) {
    JavaClasses imported = new ClassFileImporter().importClasses(classes);
    return rule.apply(imported).evaluate(imported).getFailureReport().getDetails();
  }
}
