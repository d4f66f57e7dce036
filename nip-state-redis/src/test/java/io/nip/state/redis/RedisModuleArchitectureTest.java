package io.nip.state.redis;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The module keeps the house rules: its public package uses no internals but its own, its internals
 * use none of nip-core's, and no Lettuce type appears in a public signature (the client is an
 * implementation detail).
 */
class RedisModuleArchitectureTest {
  /** The module's main classes, imported from where they were compiled (scanning the class path is slow). */
  static final JavaClasses MAIN = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importLocations(Set.of(Location.of(RedisStateBackend.class.getProtectionDomain().getCodeSource().getLocation())));

  @Test
  void the_public_package_uses_no_internals_but_its_own() {
    noClasses().that().resideInAPackage("io.nip.state.redis")
        .should().dependOnClassesThat().resideInAnyPackage("io.nip.state.internal..", "io.nip.runtime.internal..",
            "io.nip.pipeline.internal..", "io.nip.serde.internal..")
        .check(MAIN);
  }

  @Test
  void the_internals_use_no_internals_of_the_core() {
    noClasses().that().resideInAPackage("io.nip.state.redis.internal..")
        .should().dependOnClassesThat().resideInAnyPackage("io.nip.state.internal..", "io.nip.runtime.internal..",
            "io.nip.pipeline.internal..", "io.nip.serde.internal..", "io.nip.operators.internal..")
        .check(MAIN);
  }

  @Test
  void no_lettuce_type_appears_in_a_public_signature() {
    List<String> leaks = new ArrayList<>();
    for (Class<?> c : List.of(RedisStateBackend.class, RedisStateBackend.Builder.class, RedisCheckpointStorage.class,
        RedisCheckpointStorage.Builder.class, RedisStateBackendProvider.class)) {
      for (Method m : c.getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers())) {
          continue;
        }
        List<Class<?>> types = new ArrayList<>(List.of(m.getParameterTypes()));
        types.add(m.getReturnType());
        for (Class<?> t : types) {
          if (t.getName().startsWith("io.lettuce")) {
            leaks.add(c.getSimpleName() + "." + m.getName() + ": " + t.getName());
          }
        }
      }
    }
    assertThat(leaks).isEmpty();
  }
}
