package io.nip.monitoring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory channel that records what it is given: the manager's logic without any I/O. */
final class RecordingChannel implements AlertChannel {
  private final String name;
  private final List<AlertNotification> received = new CopyOnWriteArrayList<>();

  RecordingChannel(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void send(AlertNotification notification) {
    received.add(notification);
  }

  List<AlertNotification> received() {
    return List.copyOf(received);
  }

  List<String> statuses() {
    return received.stream().map(n -> n.alert() + " " + n.status()).toList();
  }
}
