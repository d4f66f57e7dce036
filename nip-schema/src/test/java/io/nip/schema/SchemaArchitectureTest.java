package io.nip.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.nip.schema.avro.AvroUserEvent;
import io.nip.ArchitectureRules;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * NIP's architecture rules (defined in nip-core's test sources) on this module: {@code io.nip.schema}
 * is public API that uses only public packages and its own internals, {@code io.nip.schema} sits in
 * the connectors' layer, and there are no package cycles apart from the facade edge.
 */
class SchemaArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ArchitectureRules.MAIN_CLASSES_ONLY).importPackages("io.nip.schema");

  @Test
  void the_scan_holds_this_modules_classes_and_no_test_class() {
    assertThat(MAIN.stream().map(JavaClass::getName).collect(Collectors.toSet()))
        .contains(SchemaSerdes.class.getName(), "io.nip.schema.internal.AvroCodec")
        .doesNotContain(AvroUserEvent.class.getName(), "io.nip.schema.proto.AnalyticsEventProto");
  }

  @Test
  void the_rules_hold_for_the_schema_packages() {
    ArchitectureRules.PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS.check(MAIN);
    ArchitectureRules.layers(MAIN).check(MAIN);
    ArchitectureRules.noPackageCycles(MAIN).check(MAIN);
  }
}
