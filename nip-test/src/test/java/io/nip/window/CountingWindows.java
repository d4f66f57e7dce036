package io.nip.window;

import static io.nip.window.WindowTestSupport.events;

import io.nip.pipeline.Op;
import io.nip.pipeline.Pipeline;
import io.nip.pipeline.WindowedStream.WindowOutput;
import io.nip.sink.CollectingSink;
import io.nip.sink.Sinks;
import io.nip.testing.PipelineTestDriver;
import io.nip.window.WindowTestSupport.Ev;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** A pipeline counting events per key and window, its results as {@code key[start,end)=count:FIRING}, and its late events. */
final class CountingWindows {
  final CollectingSink<WindowResult<String, Long>> out = Sinks.collecting("out");
  final CollectingSink<Ev> late = Sinks.collecting("late");

  Pipeline counting(WindowAssigner assigner, Duration lateness, Duration disorder) {
    Pipeline p = Pipeline.named("counting");
    WindowOutput<String, Long, Ev> results = events(p, disorder).keyBy(Ev::key).window(assigner)
        .allowedLateness(lateness).aggregate(Aggregates.count(), Op.named("w"));
    results.to(out);
    results.lateEvents().to(late);
    return p;
  }

  List<String> results(PipelineTestDriver d) {
    return d.output(out).stream().map(r -> r.key() + "[" + r.start().toEpochMilli() + "," + r.end().toEpochMilli()
        + ")=" + r.value() + ":" + r.firing()).collect(Collectors.toList());
  }
}
