package io.nip.cli;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Stops a demo cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 * <p>Design: both signals start the JVM's shutdown, and a shutdown hook is the portable place to
 * hear them. The hook only asks the current stage to stop (the pipeline's {@code stop()}; stages
 * without a stop action end by themselves and are followed by {@link #checkStop()}). The demo's
 * thread then leaves through its usual {@code finally} blocks: the pipeline drains and closes, the
 * embedded broker stops and deletes its directory. {@link #checkStop()} throws {@link Stopped} to
 * leave; whatever else a stage throws once the shutdown has begun (a library that registers a
 * shutdown hook of its own fails then) is treated alike, and {@link NipCommand} prints nothing for
 * either. {@link NipCommand#main} returns instead of calling {@code System.exit}, which blocks for
 * good once the shutdown has begun. The hook waits for the demo's thread to end (at most
 * {@link #CLEANUP_TIMEOUT}), prints the one line that says where and how far the run got, and halts
 * the JVM with {@link #EXIT_INTERRUPTED}, the code a shell gives a command ended by Ctrl-C, for
 * SIGTERM as well.
 *
 * <p>Threading: {@link #stage} and {@link #checkStop()} run on the demo's thread, the hook on the
 * JVM's shutdown thread; they share only volatile fields.
 */
final class ShutdownHandler implements AutoCloseable {
  /** The exit code of a run stopped by a signal. */
  static final int EXIT_INTERRUPTED = 130;
  /** How long the hook waits for the demo's thread to clean up before halting anyway. */
  static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);

  private final Thread worker;
  private final Thread hook;
  private volatile boolean stopRequested;
  private volatile String stageName = "starting";
  private volatile Runnable stopAction = () -> { };
  private volatile Supplier<String> progress = () -> "";

  private ShutdownHandler(Thread worker) {
    this.worker = worker;
    this.hook = new Thread(this::onShutdown, "nip-shutdown");
  }

  /**
   * Registers the handler for the calling thread, which runs the demo; close it when the demo ends.
   *
   * <pre>{@code
   * try (ShutdownHandler stops = ShutdownHandler.install()) {
   *   stops.stage("processing the events", handle::stop, () -> counts());
   *   handle.awaitTermination();
   *   stops.checkStop();
   * }
   * }</pre>
   *
   * @return the handler, its shutdown hook registered
   */
  static ShutdownHandler install() {
    ShutdownHandler h = new ShutdownHandler(Thread.currentThread());
    Runtime.getRuntime().addShutdownHook(h.hook);
    return h;
  }

  /**
   * Names what runs now. When a signal came already, the stop action runs at once.
   *
   * @param name what runs, e.g. "loading the input", for the message
   * @param stop asks it to stop, from the shutdown thread; returns at once
   * @param howFar how far it got, e.g. "1,200 events written", or empty
   */
  void stage(String name, Runnable stop, Supplier<String> howFar) {
    this.stageName = name;
    this.progress = howFar;
    this.stopAction = stop;
    if (stopRequested) {
      stop.run();
    }
  }

  /**
   * @throws Stopped when a signal asked the run to stop; its message names the stage and how far
   *     it got
   */
  void checkStop() {
    if (stopRequested) {
      throw new Stopped(describe());
    }
  }

  /** @return e.g. "interrupted while loading the input: 1,200 events written to user-events" */
  private String describe() {
    String far;
    try {
      far = progress.get();
    } catch (RuntimeException e) {
      far = "";
    }
    return "interrupted while " + stageName + (far.isEmpty() ? "" : ": " + far);
  }

  /** Unregisters the hook; during a shutdown (the hook is running) does nothing. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the shutdown has begun: the hook waits for this thread and halts
    }
  }

  /**
   * @return true once the JVM's shutdown has begun, e.g. after a signal; {@code System.exit} would
   *     then block for good
   */
  static boolean shutdownInProgress() {
    Thread probe = new Thread(() -> { });
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }

  private void onShutdown() {
    stopRequested = true;
    try {
      stopAction.run();
      worker.join(CLEANUP_TIMEOUT.toMillis());
    } catch (InterruptedException | RuntimeException e) {
      // halt below all the same
    }
    System.err.println("nip: " + describe() + (worker.isAlive() ? "; cleaning up took longer than "
        + CLEANUP_TIMEOUT.toSeconds() + " s, stopping anyway" : ""));
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_INTERRUPTED);
  }

  /** The run was stopped by a signal; the message says where and how far it got. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped(String message) {
      super(message);
    }
  }
}
