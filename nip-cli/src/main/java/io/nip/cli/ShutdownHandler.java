package io.nip.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Stops a demo cleanly on Ctrl-C (SIGINT) or SIGTERM.
 *
 * <p>Design: the handler takes both signals over while a demo runs ({@code sun.misc.Signal}, from
 * the {@code jdk.unsupported} module, which exists for this), so the JVM does not begin its
 * shutdown: a shutdown hook could not choose the exit code without {@code Runtime.halt}, which
 * skips the JVM's own clean-up (files to delete on exit, such as extracted native libraries). On a
 * signal the handler only asks the current stage to stop (the pipeline's {@code stop()}; stages
 * without a stop action end by themselves and are followed by {@link #checkStop()}). The demo's
 * thread then leaves through its usual {@code finally} blocks: the pipeline drains and closes, the
 * embedded broker stops and deletes its directory. {@link #checkStop()} throws {@link Stopped},
 * whose message says where and how far the run got; {@link NipCommand} prints it as one line and
 * exits with {@link #EXIT_INTERRUPTED}, the code a shell gives a command ended by Ctrl-C (for
 * SIGTERM as well). A second signal, or clean-up that takes longer than {@link #CLEANUP_TIMEOUT},
 * ends the JVM at once with the same code.
 *
 * <p>Threading: {@link #stage} and {@link #checkStop()} run on the demo's thread, the signal
 * handler on the JVM's signal thread; they share only volatile fields.
 */
final class ShutdownHandler implements AutoCloseable {
  /** The exit code of a run stopped by a signal. */
  static final int EXIT_INTERRUPTED = 130;
  /** How long clean-up may take after the first signal before the JVM ends anyway. */
  static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> SIGNALS = List.of("INT", "TERM");

  private final List<Runnable> restore = new ArrayList<>();
  private volatile boolean stopRequested;
  private volatile String stageName = "starting";
  private volatile Runnable stopAction = () -> { };
  private volatile Supplier<String> progress = () -> "";

  private ShutdownHandler() {}

  /**
   * Takes SIGINT and SIGTERM over until {@link #close()}; where the JVM does not allow that (e.g.
   * {@code -Xrs}), they keep their usual effect.
   *
   * <pre>{@code
   * try (ShutdownHandler stops = ShutdownHandler.install()) {
   *   stops.stage("processing", handle::stop, () -> counts());
   *   handle.awaitTermination();
   *   stops.checkStop();
   * }
   * }</pre>
   *
   * @return the handler
   */
  static ShutdownHandler install() {
    ShutdownHandler h = new ShutdownHandler();
    for (String name : SIGNALS) {
      try {
        Signal signal = new Signal(name);
        SignalHandler previous = Signal.handle(signal, h::onSignal);
        h.restore.add(() -> Signal.handle(signal, previous));
      } catch (IllegalArgumentException e) {
        // not available on this platform or taken by the JVM
      }
    }
    return h;
  }

  /**
   * Names what runs now. When a signal came already, the stop action runs at once.
   *
   * @param name what runs, e.g. "loading the input", for the message
   * @param stop asks it to stop, from the signal thread; returns at once
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

  /** Gives the signals back their previous handlers. */
  @Override
  public void close() {
    restore.forEach(Runnable::run);
  }

  private void onSignal(Signal signal) {
    if (stopRequested) {
      exitNow("a second SIG" + signal.getName());
      return;
    }
    stopRequested = true;
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(CLEANUP_TIMEOUT.toMillis());
        exitNow("cleaning up took longer than " + CLEANUP_TIMEOUT.toSeconds() + " s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "nip-stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    stopAction.run();
  }

  private void exitNow(String why) {
    System.err.println("nip: " + describe() + "; " + why + ", stopping at once");
    System.err.flush();
    Runtime.getRuntime().halt(EXIT_INTERRUPTED);
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

  /** The run was stopped by a signal; the message says where and how far it got. */
  static final class Stopped extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Stopped(String message) {
      super(message);
    }
  }
}
