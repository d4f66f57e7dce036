package io.nip.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the READMEs' Java code true. Every {@code ```java} block of the top README and of each
 * module README must sit right under one of two markers:
 *
 * <ul>
 *   <li>{@code <!-- snippet: path/File.java#tag -->}: the block equals the region of that source
 *       file between {@code // tag::tag[]} and {@code // end::tag[]} (several regions of one tag
 *       are joined), compared line by line with indentation and runs of blanks ignored. The file
 *       is compiled (and, for tests, run) by its own module's build.
 *   <li>{@code <!-- fragment of fully.qualified.Class -->}: a sketch, kept rare; the class must
 *       exist and every line of the block other than {@code ...} must occur in it.
 * </ul>
 */
class ReadmeSnippetsTest {

  private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: (\\S+)#([\\w-]+) -->");
  private static final Pattern FRAGMENT = Pattern.compile("<!-- fragment of ([\\w.]+) -->");
  private static final Pattern TAG_LINE = Pattern.compile("\\s*// (tag|end)::[\\w-]+\\[\\]\\s*");

  private static final Path ROOT = findRoot();

  @Test
  void every_java_block_of_every_readme_equals_its_source_or_is_a_named_fragment() throws IOException {
    List<String> problems = new ArrayList<>();
    int blocks = 0;
    for (Path readme : readmes()) {
      List<String> lines = Files.readAllLines(readme);
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).trim().equals("```java")) {
          continue;
        }
        blocks++;
        int end = i + 1;
        while (end < lines.size() && !lines.get(end).trim().equals("```")) {
          end++;
        }
        List<String> block = lines.subList(i + 1, end);
        String where = ROOT.relativize(readme) + ":" + (i + 1);
        String marker = i > 0 ? lines.get(i - 1).trim() : "";
        problems.addAll(check(where, marker, block));
        i = end;
      }
    }
    assertThat(blocks).as("java blocks found").isGreaterThanOrEqualTo(13);
    assertThat(problems).isEmpty();
  }

  @Test
  void a_block_that_differs_from_its_tagged_source_or_has_no_marker_is_reported() throws IOException {
    String marker = "<!-- snippet: nip-examples/src/main/java/io/nip/examples/QuickStart.java#quick-start -->";
    List<String> tagged = taggedRegion(
        Files.readAllLines(ROOT.resolve("nip-examples/src/main/java/io/nip/examples/QuickStart.java")), "quick-start");
    List<String> changed = new ArrayList<>(tagged);
    changed.set(changed.size() - 3, "    pipeline().start();");

    assertThat(check("README.md:1", marker, tagged)).isEmpty();
    assertThat(check("README.md:1", marker, changed)).singleElement().asString()
        .contains("differs from").contains("pipeline().start();");
    assertThat(check("README.md:1", "", tagged)).singleElement().asString().contains("without a");
  }

  @Test
  void the_top_readme_states_the_quick_starts_output_as_its_main_test_checks_it() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));

    assertThat(readme).contains("prints " + QuickStartMainTest.EXPECTED_LINES + " lines")
        .contains("user_0 reached 400 events");
  }

  @Test
  void every_example_class_the_readmes_say_has_a_main_has_one() throws Exception {
    List<String> classes = new ArrayList<>();
    Matcher row = Pattern.compile("(?m)^\\| `([\\w.]+)` \\|").matcher(
        Files.readString(ROOT.resolve("nip-examples/README.md")));
    while (row.find()) {
      if (!row.group(1).equals("UserEvent")) { // the event record, the only class without a main
        classes.add("io.nip.examples." + row.group(1));
      }
    }
    classes.add(QuickStart.class.getName());

    assertThat(classes).hasSizeGreaterThanOrEqualTo(7);
    for (String name : classes) {
      Method main = Class.forName(name).getMethod("main", String[].class);
      assertThat(Modifier.isStatic(main.getModifiers())).as(name + ".main is static").isTrue();
    }
  }

  private static List<String> check(String where, String marker, List<String> block) throws IOException {
    Matcher snippet = SNIPPET.matcher(marker);
    Matcher fragment = FRAGMENT.matcher(marker);
    if (snippet.matches()) {
      Path source = ROOT.resolve(snippet.group(1));
      if (!Files.isRegularFile(source)) {
        return List.of(where + ": no source file " + snippet.group(1));
      }
      List<String> tagged = normalize(taggedRegion(Files.readAllLines(source), snippet.group(2)));
      if (tagged.isEmpty()) {
        return List.of(where + ": no region tagged '" + snippet.group(2) + "' in " + snippet.group(1));
      }
      List<String> shown = normalize(block);
      return shown.equals(tagged) ? List.of()
          : List.of(where + ": differs from " + snippet.group(1) + "#" + snippet.group(2) + "\n--- README\n"
              + String.join("\n", shown) + "\n--- source\n" + String.join("\n", tagged));
    }
    if (fragment.matches()) {
      Path source = sourceOf(fragment.group(1));
      if (source == null) {
        return List.of(where + ": fragment names " + fragment.group(1) + ", which has no source file");
      }
      List<String> classLines = normalize(Files.readAllLines(source));
      List<String> missing = normalize(block).stream()
          .filter(l -> !l.equals("...") && classLines.stream().noneMatch(c -> c.contains(l))).toList();
      return missing.isEmpty() ? List.of()
          : List.of(where + ": lines not in " + fragment.group(1) + ": " + missing);
    }
    return List.of(where + ": java block without a '<!-- snippet: ... -->' or '<!-- fragment of ... -->' line above");
  }

  static List<String> taggedRegion(List<String> lines, String tag) {
    List<String> region = new ArrayList<>();
    boolean inside = false;
    for (String line : lines) {
      if (line.trim().equals("// tag::" + tag + "[]")) {
        inside = true;
      } else if (line.trim().equals("// end::" + tag + "[]")) {
        inside = false;
      } else if (inside && !TAG_LINE.matcher(line).matches()) {
        region.add(line);
      }
    }
    return region;
  }

  /** Trims every line, collapses runs of blanks, drops empty lines. */
  static List<String> normalize(List<String> lines) {
    return lines.stream().map(l -> l.trim().replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
  }

  private static Path sourceOf(String className) throws IOException {
    String file = className.replace('.', '/') + ".java";
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.filter(p -> p.getFileName().toString().startsWith("nip-")).toList()) {
        for (String set : List.of("src/main/java/", "src/test/java/")) {
          Path candidate = module.resolve(set + file);
          if (Files.isRegularFile(candidate)) {
            return candidate;
          }
        }
      }
    }
    return null;
  }

  private static List<Path> readmes() throws IOException {
    List<Path> readmes = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> modules = Files.list(ROOT)) {
      modules.filter(p -> p.getFileName().toString().startsWith("nip-")).sorted()
          .map(p -> p.resolve("README.md")).filter(Files::isRegularFile).forEach(readmes::add);
    }
    return readmes;
  }

  private static Path findRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("nip-core")))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
