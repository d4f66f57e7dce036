package io.nip.cli;

import io.nip.examples.analytics.UserWindowSummary;
import io.nip.sink.Sink;
import io.nip.sink.SinkContext;
import io.nip.sink.SinkWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * Keeps the first few results of a run for the summary: "first" by window start, then user, so
 * that the same input shows the same lines whatever order the tasks wrote them in. Holds at most
 * {@code limit} results; writers of every task add under one lock (a result is a window, far
 * rarer than an event).
 */
final class FirstResults implements Sink<UserWindowSummary> {
  private static final Comparator<UserWindowSummary> ORDER =
      Comparator.comparing(UserWindowSummary::windowStart).thenComparing(UserWindowSummary::userId);

  private final int limit;
  private final TreeSet<UserWindowSummary> first = new TreeSet<>(ORDER);

  /** @param limit how many results to keep */
  FirstResults(int limit) {
    this.limit = limit;
  }

  @Override
  public String name() {
    return "first-results";
  }

  /** @param s a result; kept when it is among the first {@code limit} */
  synchronized void add(UserWindowSummary s) {
    first.add(s);
    if (first.size() > limit) {
      first.pollLast();
    }
  }

  /** @return the kept results as JSON lines, in order */
  synchronized List<String> lines() {
    List<String> out = new ArrayList<>();
    for (UserWindowSummary s : first) {
      out.add(new String(UserWindowSummary.SERDE.serialize(s), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public SinkWriter<UserWindowSummary> createWriter(SinkContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(UserWindowSummary value) {
        add(value);
      }

      @Override
      public void close() {
        // nothing held per writer
      }
    };
  }
}
