package io.nip.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code nip} commands in-process, collecting standard error, and reads the summary's {@code label  number} rows. */
final class CliRun {
  private final StringWriter err = new StringWriter();

  /**
   * @param args the command line
   * @return the exit code
   */
  int run(String... args) {
    return NipCommand.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
        .execute(args);
  }

  /** @return everything written to standard error so far */
  String err() {
    return err.toString();
  }

  /**
   * @param label a summary row's label
   * @return its number (the first such row)
   */
  long number(String label) {
    Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(label) + " +([0-9,]+)$").matcher(err.toString());
    assertThat(m.find()).as("summary row '%s' in:%n%s", label, err).isTrue();
    return Long.parseLong(m.group(1).replace(",", ""));
  }
}
