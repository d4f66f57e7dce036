package io.nip.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Waits for Ctrl-C (SIGINT) or SIGTERM while servers run on other threads: {@code nip dashboard},
 * and {@code nip demo analytics --monitor --linger} after the demo. A signal here is the usual end
 * of the command, not an interruption: it exits with 0. An interrupt of the waiting thread ends the
 * wait too (tests run commands on a thread of their own).
 */
final class UntilStopped {
  private UntilStopped() {}

  /**
   * @param what what is being served, for the message of a second signal
   */
  static void await(String what) {
    CountDownLatch stopped = new CountDownLatch(1);
    try (ShutdownHandler stops = ShutdownHandler.install()) {
      stops.stage(what, stopped::countDown, () -> "");
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
