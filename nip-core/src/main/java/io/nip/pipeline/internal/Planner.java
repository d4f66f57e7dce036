package io.nip.pipeline.internal;

import io.nip.errors.ConfigurationException;
import io.nip.errors.ErrorPolicy;
import io.nip.pipeline.PipelineConfig;
import io.nip.runtime.internal.ChainEnds;
import io.nip.runtime.internal.CheckpointMetrics;
import io.nip.runtime.internal.Checkpoints;
import io.nip.runtime.internal.FanOut;
import io.nip.runtime.internal.Guard;
import io.nip.runtime.internal.Inbox;
import io.nip.runtime.internal.KeyedTask;
import io.nip.runtime.internal.MultiOutput;
import io.nip.runtime.internal.Operator;
import io.nip.runtime.internal.Plan;
import io.nip.runtime.internal.Probe;
import io.nip.runtime.internal.SourceTask;
import io.nip.runtime.internal.TaskRuntime;
import io.nip.sink.Sink;
import io.nip.state.CheckpointStorage;
import io.nip.state.ChangelogProvider;
import io.nip.state.StateBackend;
import io.nip.state.StateChangelog;
import io.nip.source.Source;
import io.nip.source.SourceContext;
import io.nip.source.SourcePosition;
import io.nip.source.SourceReader;
import io.nip.time.WatermarkStrategy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Compiles the logical graph into tasks.
 *
 * <p>Regions: starting from a source (or from the exchanges of a keyed stage), every node reachable
 * without crossing an exchange belongs to the same fused chain, instantiated once per task of that
 * origin. Exchanges whose downstream regions meet (e.g. two keyed streams merged) form one keyed
 * stage, so that a key always lands in the same task whichever exchange it came through. Each
 * keyed stage has {@code parallelism} tasks; every upstream task is one input channel of each
 * keyed stage it reaches.
 */
public final class Planner {
  private final Graph graph;
  private final String pipelineName;
  private final PipelineConfig config;
  private final Function<Source<?>, Source<?>> sourceResolver;
  private final UnaryOperator<Sink<?>> sinkBinding;
  private final int parallelism;

  private final List<List<Node>> stages = new ArrayList<>();
  private final Map<Node, Integer> stageOfExchange = new IdentityHashMap<>();
  private final List<Inbox[]> stageInboxes = new ArrayList<>();
  /** Where a group of channels of a keyed stage comes from: a source node or another keyed stage. */
  private sealed interface Origin permits FromSource, FromStage {}

  /** @param node the source node's id */
  private record FromSource(int node) implements Origin {}

  /** @param stage the upstream keyed stage */
  private record FromStage(int stage) implements Origin {}

  /**
   * The channels of keyed stage {@code stage} fed by the tasks of {@code origin}.
   *
   * @param origin the upstream tasks
   * @param stage the keyed stage
   */
  private record ChannelGroup(Origin origin, int stage) {}

  /** Per channel group, the index of its first channel in the stage. */
  private final Map<ChannelGroup, Integer> channelBase = new HashMap<>();
  private final List<Integer> channelCount = new ArrayList<>();
  private final List<int[]> channelTask = new ArrayList<>();
  private final List<String[]> channelSource = new ArrayList<>();
  private final List<int[]> channelPartition = new ArrayList<>();
  /** Per keyed stage and channel, the operator names of the channel's upstream chain (one set per origin). */
  private final List<List<Set<String>>> channelOperators = new ArrayList<>();

  /**
   * @param graph the logical graph
   * @param pipelineName the pipeline name
   * @param config the configuration
   * @param sourceResolver replaces sources (the test driver's inputs), identity otherwise
   * @param sinkBinding replaces sinks when writers are created (test driver), identity otherwise
   * @param parallelism tasks per keyed stage
   */
  public Planner(Graph graph, String pipelineName, PipelineConfig config,
      Function<Source<?>, Source<?>> sourceResolver, UnaryOperator<Sink<?>> sinkBinding, int parallelism) {
    this.graph = graph;
    this.pipelineName = pipelineName;
    this.config = config;
    this.sourceResolver = sourceResolver;
    this.sinkBinding = sinkBinding;
    this.parallelism = parallelism;
  }

  /** The changelog of this plan's state, or null (see {@link StateChangelog}). */
  private StateChangelog changelog;
  private io.nip.runtime.internal.ChangelogRestores restores;
  /**
   * Restores run after every task was built, several at once (one changelog view per thread), or
   * null when each task restores inline as it is built (no changelog, a changelog without views, a
   * source that needs its restored position to create its reader, or one thread).
   */
  private List<java.util.function.Consumer<StateChangelog>> deferredRestores;
  private Map<String, StateChangelog.TaskRef> taskRefs = Map.of();
  private long committedCheckpoint;
  private final Map<String, Map<String, Long>> localCheckpoints = new java.util.HashMap<>();
  private final Map<String, byte[]> changelogMeta = new java.util.HashMap<>();
  private boolean changelogRegistered;
  /** Under exactly-once: what the tasks' sinks write through; else null. */
  private TaskRuntime.TransactionalSinks transactionalSinks;

  /**
   * @param withCheckpoints whether tasks take part in periodic commits
   * @return the tasks, source tasks first
   */
  public Plan plan(boolean withCheckpoints) {
    return plan(withCheckpoints, withCheckpoints ? config.checkpointStorage().orElse(null) : null);
  }

  /**
   * Plans the tasks; with a checkpoint storage that holds a completed checkpoint, every task is
   * restored from it and every source reader starts at the position it recorded. Without a storage,
   * a keyed pipeline that reads exactly one source offering a {@link StateChangelog} keeps its state there
   * (restored before any record is processed, from a durable backend's local checkpoint plus the
   * changelog's tail, or from the whole changelog).
   *
   * @param withCheckpoints whether tasks take part in periodic checkpoints
   * @param storage where snapshots are written and restored from, or null for none
   * @return the tasks, source tasks first
   * @throws ConfigurationException when the stored checkpoint was taken by a pipeline with other tasks
   */
  public Plan plan(boolean withCheckpoints, CheckpointStorage storage) {
    List<Node> sources = new ArrayList<>();
    for (Node n : graph.nodes()) {
      if (n.spec instanceof NodeSpec.SourceSpec) {
        sources.add(n);
      }
    }
    if (sources.isEmpty()) {
      throw new ConfigurationException("pipeline", "'" + pipelineName + "' has no source; add one with from(..)");
    }
    groupStages();
    // channel bases: origins in a fixed order (sources, then stages)
    int[] counts = new int[stages.size()];
    Map<Node, Source<?>> resolved = new IdentityHashMap<>();
    for (Node s : sources) {
      Source<?> src = sourceResolver.apply(((NodeSpec.SourceSpec) s.spec).source());
      // partitions are discovered here, when the pipeline starts, never while it is built; every
      // source is asked before any reader is opened, so a failing discovery leaves nothing open
      int partitions = src.partitions();
      if (partitions < 1) {
        throw ConfigurationException.invalid("source " + src.name() + " partitions", partitions, "must be at least 1");
      }
      resolved.put(s, src);
      for (int st : reachedStages(List.of(s))) {
        channelBase.put(new ChannelGroup(new FromSource(s.id), st), counts[st]);
        counts[st] += src.partitions();
      }
    }
    for (int g = 0; g < stages.size(); g++) {
      for (int st : reachedStages(stages.get(g))) {
        channelBase.put(new ChannelGroup(new FromStage(g), st), counts[st]);
        counts[st] += parallelism;
      }
    }
    int globalSource = 0;
    for (int g = 0; g < stages.size(); g++) {
      channelTask.add(new int[counts[g]]);
      channelSource.add(new String[counts[g]]);
      channelPartition.add(new int[counts[g]]);
      channelOperators.add(new ArrayList<>(java.util.Collections.nCopies(counts[g], Set.<String>of())));
    }
    for (Node s : sources) {
      Source<?> src = resolved.get(s);
      Set<String> names = operatorNames(List.of(s));
      for (int st : reachedStages(List.of(s))) {
        int base = channelBase.get(new ChannelGroup(new FromSource(s.id), st));
        for (int p = 0; p < src.partitions(); p++) {
          channelOperators.get(st).set(base + p, names);
          channelTask.get(st)[base + p] = globalSource + p;
          channelSource.get(st)[base + p] = src.name();
          channelPartition.get(st)[base + p] = p;
        }
      }
      globalSource += src.partitions();
    }
    for (int g = 0; g < stages.size(); g++) {
      Set<String> names = operatorNames(stages.get(g));
      for (int st : reachedStages(stages.get(g))) {
        int base = channelBase.get(new ChannelGroup(new FromStage(g), st));
        for (int i = 0; i < parallelism; i++) {
          channelOperators.get(st).set(base + i, names);
          channelTask.get(st)[base + i] = -1;
          channelSource.get(st)[base + i] = "keyed-" + g;
          channelPartition.get(st)[base + i] = i;
        }
      }
    }
    for (int g = 0; g < stages.size(); g++) {
      channelCount.add(counts[g]);
      Inbox[] inboxes = new Inbox[parallelism];
      for (int i = 0; i < parallelism; i++) {
        inboxes[i] = new Inbox(config.exchangeCapacity());
      }
      stageInboxes.add(inboxes);
    }
    List<String> taskIds = new ArrayList<>();
    for (Node s : sources) {
      for (int p = 0; p < resolved.get(s).partitions(); p++) {
        taskIds.add(sourceTaskId(s, p));
      }
    }
    for (int g = 0; g < stages.size(); g++) {
      for (int i = 0; i < parallelism; i++) {
        taskIds.add(keyedTaskId(g, i));
      }
    }
    Restore restore = Restore.load(storage, pipelineName, taskIds);
    boolean keyedState = false;
    for (Node n : graph.nodes()) {
      keyedState |= n.spec instanceof NodeSpec.ExchangeSpec; // state lives only behind a keyBy
    }
    boolean exactlyOnce = withCheckpoints && config.guarantee() == io.nip.pipeline.Guarantee.EXACTLY_ONCE;
    changelog = withCheckpoints && storage == null && sources.size() == 1 && (keyedState || exactlyOnce)
        && resolved.get(sources.get(0)) instanceof ChangelogProvider
        ? ((ChangelogProvider) resolved.get(sources.get(0))).stateChangelog(pipelineName) : null;
    if (exactlyOnce && (changelog == null || !changelog.writesOutput())) {
      if (changelog != null) {
        changelog.close();
      }
      List<String> names = new ArrayList<>();
      for (Node s : sources) {
        names.add(resolved.get(s).name());
      }
      throw new ConfigurationException("guarantee", "pipeline '" + pipelineName + "': EXACTLY_ONCE needs exactly one "
          + "source that commits its positions together with the sinks' records (a KafkaSource) and no "
          + "checkpointStorage; this pipeline reads " + names + (storage != null ? " and has a checkpoint storage" : "")
          + ": use AT_LEAST_ONCE, or read one Kafka source without a checkpoint storage");
    }
    long committed = changelog == null ? restore.checkpointId() : changelog.open(pipelineName);
    Checkpoints checkpoints = withCheckpoints ? new Checkpoints(taskIds.toArray(new String[0]),
        Restore.topology(pipelineName, taskIds), new Checkpoints.Triggers(config.commitInterval().toMillis(),
            config.checkpointEveryEvents(), millisOf(config.checkpointTimeout())), config.clock().millis(),
        storage, committed, pipelineName,
        new CheckpointMetrics(pipelineName, config.meterRegistry(), config.clock())) : null;
    Plan plan = new Plan(checkpoints);
    try {
      return build(plan, checkpoints, sources, resolved, taskIds, restore, committed, exactlyOnce);
    } catch (RuntimeException | Error e) {
      if (changelog != null && !changelogRegistered) {
        plan.closeAtEnd(changelog);
      }
      plan.abandon();
      throw e;
    }
  }

  /** Builds the plan's tasks (and restores them); {@link #plan} releases what it holds when this fails. */
  private Plan build(Plan plan, Checkpoints checkpoints, List<Node> sources, Map<Node, Source<?>> resolved,
      List<String> taskIds, Restore restore, long committed, boolean exactlyOnce) {
    if (changelog != null) {
      List<StateChangelog.TaskRef> refs = new ArrayList<>();
      for (Node s : sources) {
        for (int p = 0; p < resolved.get(s).partitions(); p++) {
          refs.add(new StateChangelog.TaskRef(sourceTaskId(s, p), p, resolved.get(s).partitions(), p));
        }
      }
      for (int g = 0; g < stages.size(); g++) {
        for (int i = 0; i < parallelism; i++) {
          refs.add(new StateChangelog.TaskRef(keyedTaskId(g, i), i, parallelism, -1));
        }
      }
      taskRefs = new java.util.HashMap<>();
      for (StateChangelog.TaskRef r : refs) {
        taskRefs.put(r.taskId(), r);
      }
      for (int g = 0; g < stages.size(); g++) {
        // a keyed task beyond this plan's parallelism that committed state: its keys now belong to
        // tasks that restore only their own changelog partitions, so that state would be lost
        String beyond = keyedTaskId(g, parallelism);
        if (changelog.restore(new StateChangelog.TaskRef(beyond, parallelism, parallelism + 1, -1), Map.of(),
            c -> { }) != null) {
          throw new ConfigurationException("parallelism", "pipeline '" + pipelineName + "': the changelog "
              + changelog.name() + " holds state of task " + beyond + ", but this plan has parallelism " + parallelism
              + "; keyed state is partitioned by the parallelism it was committed with: restart with that "
              + "parallelism, or use a new application id");
        }
      }
      restores = new io.nip.runtime.internal.ChangelogRestores(pipelineName, config.meterRegistry());
      checkpoints.useChangelog(changelog, refs.toArray(new StateChangelog.TaskRef[0]), config.stateBackend(),
          restores);
      if (exactlyOnce) {
        transactionalSinks = checkpoints.transactionalSinks();
      }
      if (changelog.sourceResumesAtCommittedPositions() && config.threads() > 1) {
        deferredRestores = new ArrayList<>();
      }
      plan.closeAtEnd(changelog);
      changelogRegistered = true;
      committedCheckpoint = committed;
    }
    int global = 0;
    for (Node s : sources) {
      Source<?> src = resolved.get(s);
      for (int p = 0; p < src.partitions(); p++) {
        byte[] snap = changelog != null ? null : restore.snapshot(taskIds.get(global));
        plan.add(sourceTask(s, src, p, global++, checkpoints, snap));
      }
    }
    for (int g = 0; g < stages.size(); g++) {
      for (int i = 0; i < parallelism; i++) {
        String id = taskIds.get(global);
        byte[] snap = changelog != null ? null : restore.snapshot(id);
        KeyedTask task = keyedTask(g, i, global++, checkpoints);
        if (changelog != null && deferredRestores == null) {
          snap = changelogMeta.remove(id); // restored while the task was built
        }
        if (snap != null) {
          task.restore(snap);
        }
        plan.add(task);
      }
    }
    if (deferredRestores != null) {
      runDeferredRestores();
    }
    return plan;
  }

  /**
   * Runs the deferred restores on up to {@code threads} threads, each with its own view of the
   * changelog, and returns once all are done (their effects are then visible to the worker threads,
   * which start later). Without views, they run here one after another.
   */
  private void runDeferredRestores() {
    List<java.util.function.Consumer<StateChangelog>> jobs = deferredRestores;
    int n = Math.min(config.threads(), jobs.size());
    StateChangelog probe = n > 1 ? changelog.restoreView() : null;
    if (probe == null) {
      jobs.forEach(j -> j.accept(changelog));
      return;
    }
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<java.util.concurrent.CompletableFuture<Void>> running = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      StateChangelog view = t == 0 ? probe : changelog.restoreView();
      java.util.concurrent.CompletableFuture<Void> f = new java.util.concurrent.CompletableFuture<>();
      Thread thread = new Thread(() -> {
        try (view) {
          for (int i; (i = next.getAndIncrement()) < jobs.size(); ) {
            jobs.get(i).accept(view);
          }
          f.complete(null);
        } catch (Throwable e) {
          next.set(jobs.size()); // the others stop after their current task
          f.completeExceptionally(e);
        }
      }, "nip-" + pipelineName + "-restore-" + t);
      thread.start();
      running.add(f);
    }
    RuntimeException failure = null;
    for (java.util.concurrent.CompletableFuture<Void> f : running) {
      try {
        f.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r
              : new io.nip.errors.StateException("restoring pipeline '" + pipelineName + "' failed", e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static String sourceTaskId(Node s, int partition) {
    return s.name + "-" + partition;
  }

  private static long millisOf(java.time.Duration d) {
    return d.compareTo(java.time.Duration.ofMillis(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : d.toMillis();
  }

  private static String keyedTaskId(int stage, int index) {
    return "keyed-" + stage + "-" + index;
  }

  @SuppressWarnings("unchecked")
  private SourceTask sourceTask(Node s, Source<?> src, int partition, int global, Checkpoints cps, byte[] snap) {
    TaskRuntime rt = newRuntime(sourceTaskId(s, partition));
    rt.origin(src.name(), partition);
    Chain chain = new Chain(rt, new FromSource(s.id), partition);
    Operator head = chain.wireChildren(s, new ChainEnds.Entry());
    chain.open();
    if (changelog != null && deferredRestores == null) {
      snap = restoreFromChangelog(rt, changelog);
    }
    SourceReader<Object> reader = (SourceReader<Object>) src.createReader(partition,
        new SourceContext(pipelineName, config.clock(), config.meterRegistry()),
        // with a changelog the source resumes at the positions it committed with the state (Kafka: the
        // group's offsets, which follow a partition to whichever member gets it)
        snap == null || changelog != null && changelog.sourceResumesAtCommittedPositions() ? SourcePosition.NONE
            : SourceTask.positionOf(rt.taskId(), snap));
    Guard guard = new Guard(src.name(), policyOf(s), rt);
    WatermarkStrategy<Object> strategy = (WatermarkStrategy<Object>) ((NodeSpec.SourceSpec) s.spec).strategy();
    SourceTask task = new SourceTask(rt, global, reader, head, guard, strategy, cps);
    if (deferredRestores != null) {
      deferredRestores.add(view -> {
        byte[] meta = restoreFromChangelog(rt, view);
        if (meta != null) {
          task.restore(meta, false); // the reader resumes at the position committed with the state
        }
      });
    }
    if (snap != null) {
      // a source that resumes at its own committed positions decides by itself where a bounded run ends
      task.restore(snap, changelog == null || !changelog.sourceResumesAtCommittedPositions());
    }
    return task;
  }

  private KeyedTask keyedTask(int stage, int index, int global, Checkpoints cps) {
    TaskRuntime rt = newRuntime(keyedTaskId(stage, index));
    rt.origin("keyed-" + stage, index);
    Chain chain = new Chain(rt, new FromStage(stage), index);
    List<Node> exchanges = stages.get(stage);
    Operator[] entries = new Operator[exchanges.size()];
    for (int i = 0; i < exchanges.size(); i++) {
      entries[i] = chain.wireChildren(exchanges.get(i), new ChainEnds.Entry());
    }
    chain.open();
    if (changelog != null && deferredRestores == null) {
      byte[] meta = restoreFromChangelog(rt, changelog);
      if (meta != null) {
        changelogMeta.put(rt.taskId(), meta);
      }
    }
    KeyedTask task = new KeyedTask(rt, global, stageInboxes.get(stage)[index], entries, channelCount.get(stage), cps,
        channelTask.get(stage), channelSource.get(stage), channelPartition.get(stage), channelOperators.get(stage));
    if (deferredRestores != null) {
      deferredRestores.add(view -> {
        byte[] meta = restoreFromChangelog(rt, view);
        if (meta != null) {
          task.restore(meta);
        }
      });
    }
    return task;
  }

  private TaskRuntime newRuntime(String taskId) {
    TaskRuntime rt = new TaskRuntime(pipelineName, taskId, config, sinkBinding);
    if (transactionalSinks != null) {
      rt.enableTransactionalOutput(transactionalSinks);
    }
    if (changelog != null) {
      rt.state().enableChangelog();
      // before any store of the task exists: a durable backend puts back its newest usable local checkpoint
      localCheckpoints.put(taskId, config.stateBackend()
          .openLocalCheckpoint(new StateBackend.TaskScope(pipelineName, taskId), committedCheckpoint)
          .map(StateBackend.LocalCheckpoint::changelogPositions).orElse(Map.of()));
    }
    return rt;
  }

  /**
   * Restores a task's stores from the changelog (after its local checkpoint, if one was opened),
   * after its operators opened.
   *
   * @param from the changelog, or one of its restore views
   * @return the task's committed metadata, or null
   */
  private byte[] restoreFromChangelog(TaskRuntime rt, StateChangelog from) {
    Map<String, Long> positions = localCheckpoints.getOrDefault(rt.taskId(), Map.of());
    rt.state().openedAt(positions);
    return restores.restore(from, taskRefs.get(rt.taskId()), positions, rt.state(), "at start");
  }

  private ErrorPolicy policyOf(Node n) {
    return n.errorPolicy != null ? n.errorPolicy : config.errorPolicy();
  }

  // ---- stage grouping ----

  private void groupStages() {
    List<Node> exchanges = new ArrayList<>();
    Map<Node, Set<Node>> regions = new IdentityHashMap<>();
    for (Node n : graph.nodes()) {
      if (isExchange(n)) {
        exchanges.add(n);
        regions.put(n, region(List.of(n)));
      }
    }
    int[] parent = new int[exchanges.size()];
    for (int i = 0; i < parent.length; i++) {
      parent[i] = i;
    }
    for (int i = 0; i < exchanges.size(); i++) {
      for (int j = i + 1; j < exchanges.size(); j++) {
        Set<Node> a = regions.get(exchanges.get(i));
        for (Node n : regions.get(exchanges.get(j))) {
          if (a.contains(n)) {
            parent[find(parent, j)] = find(parent, i);
            break;
          }
        }
      }
    }
    Map<Integer, List<Node>> groups = new LinkedHashMap<>();
    for (int i = 0; i < exchanges.size(); i++) {
      groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(exchanges.get(i));
    }
    for (List<Node> g : groups.values()) {
      for (Node x : g) {
        stageOfExchange.put(x, stages.size());
      }
      stages.add(g);
    }
  }

  /**
   * @param n a node
   * @return true for a key exchange between tasks; false for every other node, including the
   *     keying of an already partitioned stream ({@code keyByPartitioned}), which stays in its task
   */
  private static boolean isExchange(Node n) {
    return n.spec instanceof NodeSpec.ExchangeSpec && !((NodeSpec.ExchangeSpec) n.spec).local();
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      i = parent[i] = parent[parent[i]];
    }
    return i;
  }

  /** Nodes reachable from the children of {@code starts}, not crossing an exchange (exchanges included). */
  private static Set<Node> region(List<Node> starts) {
    Set<Node> seen = new HashSet<>();
    List<Node> todo = new ArrayList<>();
    for (Node s : starts) {
      todo.addAll(s.outputs);
    }
    while (!todo.isEmpty()) {
      Node n = todo.remove(todo.size() - 1);
      if (seen.add(n) && !isExchange(n)) {
        todo.addAll(n.outputs);
      }
    }
    return seen;
  }

  /** @return the names of {@code starts} and of the nodes of their region (exchanges included) */
  private static Set<String> operatorNames(List<Node> starts) {
    Set<String> names = new HashSet<>();
    for (Node n : starts) {
      names.add(n.name());
    }
    for (Node n : region(starts)) {
      names.add(n.name());
    }
    return Set.copyOf(names);
  }

  private Set<Integer> reachedStages(List<Node> starts) {
    Set<Integer> out = new java.util.TreeSet<>();
    for (Node n : region(starts)) {
      if (isExchange(n)) {
        out.add(stageOfExchange.get(n));
      }
    }
    return out;
  }

  /** Instantiates one region for one task. */
  private final class Chain {
    private final TaskRuntime rt;
    private final Origin origin;
    private final int originTask;
    private final Map<Node, Operator> built = new IdentityHashMap<>();
    private final Map<Node, List<Node>> mergeInputs = new IdentityHashMap<>();
    private final Set<Node> regionNodes;
    private final List<Operator> created = new ArrayList<>();
    /** Per-operator metrics of this task's nodes, when the configuration asks for them. */
    private final Map<Node, Probe.Meters> meters = new IdentityHashMap<>();
    private final Set<Node> receiving = new HashSet<>();
    private final Set<Node> emitting = new HashSet<>();

    Chain(TaskRuntime rt, Origin origin, int originTask) {
      this.rt = rt;
      this.origin = origin;
      this.originTask = originTask;
      List<Node> starts = origin instanceof FromSource
          ? List.of(graph.nodes().get(((FromSource) origin).node()))
          : stages.get(((FromStage) origin).stage());
      this.regionNodes = region(starts);
      this.regionNodes.addAll(starts);
    }

    Operator wireChildren(Node n, Operator op) {
      created.add(op);
      wire(n, op);
      return op;
    }

    void open() {
      for (Map.Entry<Node, Probe.Meters> e : meters.entrySet()) {
        Node n = e.getKey();
        // sources and sinks have meters of their own (nip.source.records, nip.sink.records)
        e.getValue().register(rt.meterRegistry(), pipelineName, n.name, rt.taskId(), receiving.contains(n),
            receiving.contains(n) && !(n.spec instanceof NodeSpec.SinkSpec),
            emitting.contains(n) && !(n.spec instanceof NodeSpec.SourceSpec));
      }
      for (Operator op : created) {
        rt.register(op);
      }
    }

    private Operator build(Node n) {
      Operator existing = built.get(n);
      if (existing != null) {
        return existing;
      }
      Guard guard = new Guard(n.name, policyOf(n), rt);
      Operator op;
      NodeSpec spec = n.spec;
      if (spec instanceof NodeSpec.OperatorSpec) {
        op = ((NodeSpec.OperatorSpec) spec).instantiate(new NodeSpec.Instantiation(guard, null, -1, -1, 0, 0));
      } else if (spec instanceof NodeSpec.ExchangeSpec) {
        NodeSpec.ExchangeSpec x = (NodeSpec.ExchangeSpec) spec;
        if (x.local()) {
          op = x.instantiate(new NodeSpec.Instantiation(guard, null, -1, -1, 0, 0));
        } else {
          int stage = stageOfExchange.get(n);
          int channel = channelBase.get(new ChannelGroup(origin, stage)) + originTask;
          op = x.instantiate(new NodeSpec.Instantiation(guard, stageInboxes.get(stage), channel,
              stages.get(stage).indexOf(n), config.batchSize(), 0));
        }
      } else if (spec instanceof NodeSpec.MergeSpec) {
        List<Node> ins = new ArrayList<>();
        for (Node in : n.inputs) {
          if (regionNodes.contains(in) && !ins.contains(in)) {
            ins.add(in);
          }
        }
        mergeInputs.put(n, ins);
        op = ((NodeSpec.MergeSpec) spec).instantiate(new NodeSpec.Instantiation(guard, null, -1, -1, 0, ins.size()));
      } else if (spec instanceof NodeSpec.RouteSpec) {
        op = ((NodeSpec.RouteSpec) spec).instantiate(new NodeSpec.Instantiation(guard, null, -1, -1, 0, 0));
      } else if (spec instanceof NodeSpec.SinkSpec) {
        op = ((NodeSpec.SinkSpec) spec).instantiate(new NodeSpec.Instantiation(guard, null, -1, -1, 0, 0));
      } else {
        throw new IllegalStateException("a " + spec.kind() + " node is read by its task, not instantiated: " + n);
      }
      built.put(n, op);
      rt.state().declareOperator(n.name);
      created.add(op);
      if (!isExchange(n) && !(n.spec instanceof NodeSpec.SinkSpec)) {
        wire(n, op);
      }
      return op;
    }

    private int portOf(Node parent, Node child) {
      if (!(child.spec instanceof NodeSpec.MergeSpec)) {
        return 0;
      }
      build(child);
      return mergeInputs.get(child).indexOf(parent);
    }

    private void wire(Node n, Operator op) {
      if (op instanceof MultiOutput) {
        MultiOutput multi = (MultiOutput) op;
        for (int port = 0; port < multi.outputCount(); port++) {
          Operator target = targetFor(n, port);
          multi.connectOutput(port, target, target instanceof FanOut ? 0 : portFor(n, port));
        }
        return;
      }
      Operator target = targetFor(n, -1);
      op.connect(target, target instanceof FanOut ? 0 : portFor(n, -1));
    }

    private int portFor(Node n, int port) {
      for (int i = 0; i < n.outputs.size(); i++) {
        if (port < 0 || n.outputPorts.get(i)[0] == port) {
          return portOf(n, n.outputs.get(i));
        }
      }
      return 0;
    }

    private Operator targetFor(Node n, int port) {
      List<Node> children = new ArrayList<>();
      for (int i = 0; i < n.outputs.size(); i++) {
        if (port < 0 || n.outputPorts.get(i)[0] == port) {
          children.add(n.outputs.get(i));
        }
      }
      if (children.isEmpty()) {
        ChainEnds.Discard d = new ChainEnds.Discard();
        created.add(d);
        return d;
      }
      if (children.size() == 1) {
        return probed(n, children.get(0), build(children.get(0)));
      }
      FanOut fan = new FanOut();
      created.add(fan);
      for (Node c : children) {
        fan.add(probed(n, c, build(c)), portOf(n, c));
      }
      return fan;
    }

    /** {@code target}, behind a probe counting the edge from {@code from} to {@code to} when asked for. */
    private Operator probed(Node from, Node to, Operator target) {
      if (!config.operatorMetrics()) {
        return target;
      }
      emitting.add(from);
      receiving.add(to);
      return new Probe(meters.computeIfAbsent(from, k -> new Probe.Meters()),
          meters.computeIfAbsent(to, k -> new Probe.Meters()), target);
    }
  }
}
