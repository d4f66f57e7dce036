package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code nip} script, copied into a scratch root and run by bash with stand-ins
 * for {@code mvn} and {@code java} first on the PATH: the stand-in Maven prints what a real build
 * prints (colour resets included, as some Maven builds emit them even with
 * {@code -Dstyle.color=never}) and creates the jar; the stand-in java records its arguments.
 */
class LauncherScriptTest {
  private static final String MAVEN_OUTPUT = String.join("\n",
      "\u001b[0m\u001b[0m[INFO] Scanning for projects...",
      "[INFO] -----------------------< io.nip:nip-core >-----------------------",
      "[INFO] Building NIP core 0.1.0-SNAPSHOT                                  [1/3]",
      "[INFO] Downloading from central: https://repo.maven.apache.org/maven2/x.pom",
      "[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/x.pom",
      "[INFO] Building NIP Kafka connector 0.1.0-SNAPSHOT                       [2/3]",
      "[INFO] Building NIP command line 0.1.0-SNAPSHOT                          [3/3]",
      "[INFO] BUILD SUCCESS");

  @TempDir
  Path root;
  private Path bin;

  @BeforeEach
  void given_the_script_and_stand_ins_for_maven_and_java() throws IOException {
    Files.copy(Path.of("..", "nip"), root.resolve("nip"), StandardCopyOption.COPY_ATTRIBUTES);
    bin = Files.createDirectories(root.resolve("stub-bin"));
    Files.writeString(root.resolve("maven-output.txt"), MAVEN_OUTPUT + "\n");
    script("mvn", """
        echo "$*" > "$PWD/mvn-args.txt"
        cat "$PWD/maven-output.txt"
        if [ -n "${STUB_MVN_FAIL:-}" ]; then
          echo "[ERROR] Failed to execute goal on project nip-core: compilation failure"; exit 1
        fi
        case "$*" in
          *nip-bench*) mkdir -p nip-bench/target && echo jar > nip-bench/target/nip-benchmarks.jar ;;
          *) mkdir -p nip-cli/target && echo jar > nip-cli/target/nip.jar ;;
        esac
        """);
    script("java", "echo \"$*\" > \"" + root.resolve("java-args.txt") + "\"\n");
  }

  @Test
  void when_the_jar_is_missing_then_maven_runs_without_q_or_colours_and_each_module_gets_one_line() throws Exception {
    // When
    Result r = run(List.of(), "demo", "analytics", "--events", "5");

    // Then
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(root.resolve("mvn-args.txt")).trim())
        .isEqualTo("-B -Dstyle.color=never -DskipTests package -pl nip-cli -am");
    List<String> lines = r.err().lines().toList();
    assertThat(lines.subList(0, lines.size() - 1)).containsExactly(
        "nip: building nip-cli/target/nip.jar (first run or sources changed), one line per module:",
        "nip:   [1/3] NIP core",
        "nip:   downloading dependencies (first build only) ...",
        "nip:   [2/3] NIP Kafka connector",
        "nip:   [3/3] NIP command line");
    assertThat(lines.get(lines.size() - 1)).matches("nip: built nip-cli/target/nip.jar in [0-9]+ s");
    assertThat(r.err()).doesNotContain("\u001b");
    assertThat(Files.readString(root.resolve("java-args.txt")).trim())
        .isEqualTo("-jar " + root.resolve("nip-cli/target/nip.jar") + " demo analytics --events 5");
  }

  @Test
  void when_the_jar_is_newer_than_every_source_then_nothing_is_built() throws Exception {
    // Given
    Files.createDirectories(root.resolve("nip-cli/target"));
    Files.writeString(root.resolve("nip-cli/target/nip.jar"), "jar");

    // When
    Result r = run(List.of(), "--version");

    // Then
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(root.resolve("mvn-args.txt")).doesNotExist();
    assertThat(Files.readString(root.resolve("java-args.txt"))).contains("-jar ", "--version");
  }

  @Test
  void when_bench_is_asked_for_then_the_benchmarks_jar_is_built_and_its_command_runs() throws Exception {
    // When
    Result r = run(List.of(), "bench", "analytics", "--events", "500000");

    // Then
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readString(root.resolve("mvn-args.txt")).trim())
        .isEqualTo("-B -Dstyle.color=never -DskipTests package -pl nip-bench -am");
    assertThat(r.err()).contains("nip:   [3/3] NIP command line", "nip: built nip-bench/target/nip-benchmarks.jar");
    assertThat(Files.readString(root.resolve("java-args.txt")).trim()).isEqualTo("-cp "
        + root.resolve("nip-bench/target/nip-benchmarks.jar") + " io.nip.bench.e2e.BenchCommand analytics --events 500000");
  }

  @Test
  void when_the_build_fails_then_its_errors_are_shown_and_the_exit_code_is_1() throws Exception {
    // When
    Result r = run(List.of("STUB_MVN_FAIL=1"), "demo", "analytics");

    // Then
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("nip:   [1/3] NIP core",
        "nip: build failed (Maven exit code 1); its errors:",
        "[ERROR] Failed to execute goal on project nip-core: compilation failure",
        "nip: the whole build log: ");
    assertThat(root.resolve("java-args.txt")).doesNotExist();
  }

  private void script(String name, String body) throws IOException {
    Path p = bin.resolve(name);
    Files.writeString(p, "#!/usr/bin/env bash\n" + body);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Result run(List<String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("nip").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
        .redirectOutput(root.resolve("out.txt").toFile()).redirectError(root.resolve("err.txt").toFile());
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    pb.environment().put("TMPDIR", root.toString());
    for (String e : env) {
      pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
    }
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), Files.readString(root.resolve("err.txt")));
  }

  private record Result(int code, String err) {}
}
