package io.nip;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * The architecture rules of NIP, defined once and checked twice: on nip-core's classes by
 * nip-core's {@code ArchitectureTest} (quick feedback while working on the core), and on the main
 * classes of every module by nip-cli's {@code AllModulesArchitectureTest} (nip-cli is the one module
 * whose test classpath holds all the others: it depends on nip-examples and nip-bench).
 *
 * <h2>Words</h2>
 * <ul>
 *   <li><b>area</b>: the first package segment after {@code io.nip} ({@code pipeline} for
 *       {@code io.nip.pipeline.internal}, {@code kafka} for {@code io.nip.kafka.embedded}).
 *   <li><b>public package</b>: an {@code io.nip.<area>} package or sub-package with no
 *       {@code internal} segment; <b>internal package</b>: one with an {@code internal} segment.
 *   <li><b>facade edge</b>: a public package {@code P} depending on its own {@code P.internal}
 *       (or below): the public factory that constructs its implementation, e.g.
 *       {@code StateBackend.inMemory()} returning {@code InMemoryStateBackend},
 *       {@code Sinks.jsonLines(..)}, or {@code Pipeline.start()} handing the graph to the plan
 *       compiler.
 * </ul>
 *
 * <h2>Rule 1: public packages never use another area's internals</h2>
 * An area may use its own internals; see {@link #PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS}.
 *
 * <h2>Rule 2: the runtime never imports a concrete operator</h2>
 * {@code io.nip.runtime.internal} depends on no other internal package except
 * {@code io.nip.state.internal}: operators ({@code operators}, {@code window}, and the coming
 * {@code cep}, {@code join}, ...) and the plan compiler ({@code pipeline.internal}) stay above it and
 * reach the runtime only through its lifecycle interface. Today it uses no internal package at all;
 * see {@link #RUNTIME_USES_NO_OTHER_INTERNALS}.
 *
 * <h2>Rule 3: layers, and no package cycles</h2>
 * <b>Granularity.</b> Checking cycles between whole areas ({@code io.nip.x} together with
 * {@code io.nip.x.internal}) finds two cycles today, and both close only through a facade edge:
 * <ul>
 *   <li>{@code pipeline → runtime/operators/window → pipeline}: {@code Pipeline}, {@code KeyedStream}
 *       and {@code WindowedStream} hand their nodes to {@code pipeline.internal} (facade edge), which
 *       builds operators ({@code operators.internal}, {@code window.internal}) and runtime tasks; the
 *       runtime reads {@code PipelineConfig} and returns a {@code PipelineHandle}, the operators
 *       implement {@code KeyedContext} and call {@code KeyedProcessor} and read
 *       {@code PipelineConfig}: implementations using the public types they implement.
 *   <li>{@code errors → sink → errors} (and {@code errors → sink → serde → errors}):
 *       {@code ErrorPolicy.deadLetter(Sink)} holds a public {@code Sink}; {@code Sinks.jsonLines(..)}
 *       constructs {@code sink.internal.JsonLinesSink} (facade edge), which throws
 *       {@code ConnectorException}; {@code Serdes.json(..)} constructs
 *       {@code serde.internal.JsonSerde} (facade edge), which throws
 *       {@code SerializationException}.
 * </ul>
 * Breaking them would mean moving public types users import ({@code ErrorPolicy},
 * {@code PipelineConfig}, {@code KeyedContext}) or the runtime's classes, for no gain: these are
 * not tangles but the facade pattern itself. So the rule works on <em>packages</em>, with the facade
 * edges left out, in two parts:
 * <ol>
 *   <li>{@link #layers}: every {@code io.nip} package sits in one explicitly listed layer, and a
 *       layer uses only the layers it lists, never one above it. The public API is the bottom
 *       layer, the vocabulary every implementation builds on; implementations sit above the
 *       public types they implement; a public package may reach up only along its facade edge.
 *       A new package fails the rule until it is given a layer.
 *   <li>{@link #noPackageCycles}: no cycle between packages, facade edges left out. This catches
 *       the cycles a layering cannot see, e.g. between two public packages of the bottom layer, or
 *       between {@code io.nip.bench} and {@code io.nip.bench.e2e}. A public package and its own
 *       internal package may refer to each other (the facade edge one way, the implementation
 *       using its public types the other way).
 * </ol>
 * The layers, top to bottom, and what each may use besides itself:
 * <pre>
 * Applications  io.nip.cli.., io.nip.bench.., io.nip.examples..  → Test kit, Connectors, Public API
 * Test kit      io.nip.testing..                                 → Plan, Runtime, Public API
 * Connectors    io.nip.kafka.. (also kafka.embedded),
 *               io.nip.state.{rocksdb,redis}.. (state backends),
 *               io.nip.jdbc.., io.nip.monitoring..,
 *               io.nip.schema.. (serdes with schemas)            → Public API
 *               io.nip.kinesis.., io.nip.pubsub..                → Public API
 * Plan          io.nip.pipeline.internal..                       → Operators, Runtime, Public API
 * Operators     io.nip.{operators,window,cep,join,backpressure}.internal.. → Runtime, Public API
 * Runtime       io.nip.runtime.internal..                        → Built-ins (rule 2: state only), Public API
 * Built-ins     io.nip.{state,source,sink,serde}.internal..      → Public API
 * Public API    io.nip.{pipeline,streaming,window,cep,join,backpressure,state,source,sink,serde,time,errors,event}
 *                                                                → nothing (facade edges aside)
 * </pre>
 */
public final class ArchitectureRules {
  private ArchitectureRules() {}

  /**
   * Leaves out test classes: ArchUnit's {@code DO_NOT_INCLUDE_TESTS} knows test-class directories
   * but not test jars such as nip-core's, which other modules put on their test classpath.
   */
  public static final ImportOption MAIN_CLASSES_ONLY = location ->
      ImportOption.Predefined.DO_NOT_INCLUDE_TESTS.includes(location) && !location.contains("-tests.jar");

  /** @return every main {@code io.nip} class on the classpath */
  public static JavaClasses importMainClasses() {
    return new ClassFileImporter().withImportOption(MAIN_CLASSES_ONLY).importPackages("io.nip");
  }

  /** The layers of {@link #layers}, top to bottom. */
  static final String APPLICATIONS = "Applications";
  static final String TEST_KIT = "Test kit";
  static final String CONNECTORS = "Connectors";
  static final String PLAN = "Plan";
  static final String OPERATORS = "Operators";
  static final String RUNTIME = "Runtime";
  static final String BUILT_INS = "Built-ins";
  static final String PUBLIC_API = "Public API";

  /**
   * @param packageName a package name
   * @return the segment after {@code io.nip}, e.g. "pipeline" for io.nip.pipeline.internal; empty
   *     outside {@code io.nip.*}
   */
  public static String areaOf(String packageName) {
    String rest = packageName.startsWith("io.nip.") ? packageName.substring("io.nip.".length()) : "";
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  /**
   * @param packageName a package name
   * @return whether one of its segments is {@code internal}
   */
  public static boolean isInternal(String packageName) {
    return Arrays.asList(packageName.split("\\.")).contains("internal");
  }

  /**
   * @param packageName a package name
   * @return whether it is an {@code io.nip.<area>} package without an {@code internal} segment
   */
  public static boolean isPublic(String packageName) {
    return packageName.startsWith("io.nip.") && !isInternal(packageName);
  }

  /**
   * @param origin the depending package
   * @param target the package depended on
   * @return whether {@code origin} is a public package and {@code target} is its own
   *     {@code .internal} package or below
   */
  public static boolean isFacadeEdge(String origin, String target) {
    String own = origin + ".internal";
    return isPublic(origin) && (target.equals(own) || target.startsWith(own + "."));
  }

  private static final ArchCondition<JavaClass> NOT_USE_OTHER_AREAS_INTERNALS =
      new ArchCondition<>("not depend on the internal packages of another area") {
        @Override
        public void check(JavaClass item, ConditionEvents events) {
          String area = areaOf(item.getPackageName());
          for (Dependency d : item.getDirectDependenciesFromSelf()) {
            String target = d.getTargetClass().getPackageName();
            if (target.startsWith("io.nip.") && isInternal(target) && !areaOf(target).equals(area)) {
              events.add(SimpleConditionEvent.violated(d, d.getDescription()));
            }
          }
        }
      };

  /** Rule 1: a public package never depends on the internal packages of another area. */
  public static final ArchRule PUBLIC_PACKAGES_USE_NO_OTHER_AREAS_INTERNALS = classes()
      .that(DescribedPredicate.describe("are in a public io.nip package", (JavaClass c) -> isPublic(c.getPackageName())))
      .should(NOT_USE_OTHER_AREAS_INTERNALS);

  /** Rule 2: the runtime depends on no internal package but its own and the state's. */
  public static final ArchRule RUNTIME_USES_NO_OTHER_INTERNALS = noClasses()
      .that().resideInAPackage("io.nip.runtime.internal..")
      .should().dependOnClassesThat(DescribedPredicate.describe(
          "are in an io.nip internal package other than io.nip.runtime.internal and io.nip.state.internal",
          (JavaClass c) -> c.getPackageName().startsWith("io.nip.") && isInternal(c.getPackageName())
              && !resideInAPackage("io.nip.runtime.internal..").test(c)
              && !resideInAPackage("io.nip.state.internal..").test(c)));

  /**
   * Rule 3, first part: the layers listed in the class comment.
   *
   * @param classes the classes to check (their facade edges are the only dependencies left out)
   * @return the rule
   */
  public static ArchRule layers(JavaClasses classes) {
    LayeredArchitecture rule = layeredArchitecture()
        .consideringOnlyDependenciesInAnyPackage("io.nip..")
        .withOptionalLayers(true)
        .layer(APPLICATIONS).definedBy("io.nip.cli..", "io.nip.bench..", "io.nip.examples..")
        .layer(TEST_KIT).definedBy("io.nip.testing..")
        .layer(CONNECTORS).definedBy("io.nip.kafka..", "io.nip.state.rocksdb..", "io.nip.state.redis..",
            "io.nip.jdbc..", "io.nip.monitoring..", "io.nip.schema..", "io.nip.kinesis..", "io.nip.pubsub..")
        .layer(PLAN).definedBy("io.nip.pipeline.internal..")
        .layer(OPERATORS).definedBy("io.nip.operators.internal..", "io.nip.window.internal..",
            "io.nip.cep.internal..", "io.nip.join.internal..", "io.nip.backpressure.internal..")
        .layer(RUNTIME).definedBy("io.nip.runtime.internal..")
        .layer(BUILT_INS).definedBy("io.nip.state.internal..", "io.nip.source.internal..",
            "io.nip.sink.internal..", "io.nip.serde.internal..")
        .layer(PUBLIC_API).definedBy("io.nip.pipeline", "io.nip.streaming", "io.nip.window", "io.nip.cep",
            "io.nip.join", "io.nip.backpressure", "io.nip.state", "io.nip.source", "io.nip.sink", "io.nip.serde", "io.nip.time",
            "io.nip.errors", "io.nip.event")
        .whereLayer(APPLICATIONS).mayNotBeAccessedByAnyLayer()
        .whereLayer(APPLICATIONS).mayOnlyAccessLayers(TEST_KIT, CONNECTORS, PUBLIC_API)
        .whereLayer(TEST_KIT).mayOnlyAccessLayers(PLAN, RUNTIME, PUBLIC_API)
        .whereLayer(CONNECTORS).mayOnlyAccessLayers(PUBLIC_API)
        .whereLayer(PLAN).mayOnlyAccessLayers(OPERATORS, RUNTIME, PUBLIC_API)
        .whereLayer(OPERATORS).mayOnlyAccessLayers(RUNTIME, PUBLIC_API)
        .whereLayer(RUNTIME).mayOnlyAccessLayers(BUILT_INS, PUBLIC_API)
        .whereLayer(BUILT_INS).mayOnlyAccessLayers(PUBLIC_API)
        .whereLayer(PUBLIC_API).mayNotAccessAnyLayer()
        .ensureAllClassesAreContainedInArchitecture();
    for (String facade : facadePackages(classes)) {
      rule = rule.ignoreDependency(resideInAPackage(facade), resideInAPackage(facade + ".internal.."));
    }
    return rule.as("io.nip packages sit in the listed layers and use no layer above their own"
        + " (facade edges aside)");
  }

  /**
   * Rule 3, second part: no cycle between {@code io.nip} packages, facade edges left out.
   *
   * @param classes the classes to check (their facade edges are the only dependencies left out)
   * @return the rule
   */
  public static ArchRule noPackageCycles(JavaClasses classes) {
    SliceRule rule = SlicesRuleDefinition.slices().assignedFrom(PACKAGES).should().beFreeOfCycles();
    for (String facade : facadePackages(classes)) {
      rule = rule.ignoreDependency(resideInAPackage(facade), resideInAPackage(facade + ".internal.."));
    }
    return rule.as("io.nip packages are free of cycles (facade edges aside)");
  }

  /** One slice per io.nip package. */
  private static final SliceAssignment PACKAGES = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String pkg = javaClass.getPackageName();
      return pkg.startsWith("io.nip.") ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "io.nip packages";
    }
  };

  /** The public packages among {@code classes} that have a facade edge to their own internals. */
  static Set<String> facadePackages(JavaClasses classes) {
    Set<String> facades = new TreeSet<>();
    for (JavaClass c : classes) {
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        if (isFacadeEdge(c.getPackageName(), d.getTargetClass().getPackageName())) {
          facades.add(c.getPackageName());
        }
      }
    }
    return facades;
  }
}
