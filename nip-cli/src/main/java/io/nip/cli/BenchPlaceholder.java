package io.nip.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code nip bench} when the benchmarks are not on the class path. They live in nip-bench's own
 * jar, {@code nip-bench/target/nip-benchmarks.jar}, with Kafka Streams and JMH, which nip.jar does
 * not carry; {@code ./nip bench ...} at the repository root builds and runs that jar. Run with both
 * jars on the class path, {@code nip} offers the real command instead of this one.
 */
@Command(name = "bench", description = {
    "Side-by-side runs of NIP, Kafka Streams and a plain consumer: run './nip bench ...' from the",
    "repository root (the benchmarks live in nip-bench/target/nip-benchmarks.jar, not in nip.jar)."})
final class BenchPlaceholder implements Callable<Integer> {
  /** The benchmarks' command, in nip-bench. */
  static final String BENCH_COMMAND = "io.nip.bench.e2e.BenchCommand";

  @Unmatched
  List<String> args;

  /** @return the benchmarks' command when it is on the class path, else this placeholder */
  static Object benchCommand() {
    try {
      return Class.forName(BENCH_COMMAND).getConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      return new BenchPlaceholder();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + BENCH_COMMAND + ": " + e, e);
    }
  }

  /** Fails with exit code 2 and says where the benchmarks are. */
  @Override
  public Integer call() {
    String rest = args == null || args.isEmpty() ? "..." : String.join(" ", args);
    throw new NipCommand.UsageException("'nip bench' is not part of nip.jar: run './nip bench " + rest
        + "' from the repository root, which builds and runs nip-bench/target/nip-benchmarks.jar");
  }
}
