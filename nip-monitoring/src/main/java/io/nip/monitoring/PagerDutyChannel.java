package io.nip.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.JsonPost;
import io.nip.monitoring.internal.Settings;
import java.util.List;
import java.util.Map;

/**
 * Sends alerts to PagerDuty through its Events API v2: a FIRING notification is a {@code trigger}
 * event, a RESOLVED one a {@code resolve} event, both with the alert's {@link
 * AlertNotification#dedupKey()} as {@code dedup_key}, so repeated triggers of a firing alert update
 * one PagerDuty incident and the resolve closes it. The routing (integration) key is a secret: never
 * logged nor shown by {@link #toString()} or in exceptions.
 *
 * <pre>{@code
 * PagerDutyChannel pd = PagerDutyChannel.builder().routingKey(System.getenv("PD_ROUTING_KEY")).build();
 * }</pre>
 */
public final class PagerDutyChannel extends JsonChannel {
  /** The Events API v2 endpoint. */
  public static final String DEFAULT_ENDPOINT = "https://events.pagerduty.com/v2/enqueue";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final String routingKey;
  private final String source;

  private PagerDutyChannel(Builder b) {
    super(b.name, new JsonPost(b.name, Settings.secretUrl("pagerduty.endpoint", b.endpoint), Map.of(),
        List.of(Settings.secret("pagerduty.routingKey", b.routingKey)), b.timeout));
    this.routingKey = b.routingKey;
    this.source = b.source;
  }

  /** @return a builder: name {@code "pagerduty"}, {@link #DEFAULT_ENDPOINT}, timeout 10 s */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param n a notification
   * @return the event, for a trigger: {@code {"routing_key":"...","event_action":"trigger",
   *     "dedup_key":"streaming_alerts/error_rate","payload":{"summary":"...","source":"...",
   *     "severity":"critical","timestamp":"2026-11-30T20:00:00Z","component":"error_rate","custom_details":{"message":"...","detail":"..."}}}};
   *     for a resolve only routing_key, event_action {@code "resolve"} and dedup_key
   */
  @Override
  String json(AlertNotification n) {
    ObjectNode root = JSON.createObjectNode();
    root.put("routing_key", routingKey);
    root.put("event_action", n.status() == AlertStatus.FIRING ? "trigger" : "resolve");
    root.put("dedup_key", n.dedupKey());
    if (n.status() == AlertStatus.FIRING) {
      ObjectNode payload = root.putObject("payload");
      String summary = n.summary();
      payload.put("summary", summary.length() > 1024 ? summary.substring(0, 1024) : summary);
      payload.put("source", source == null ? n.manager() : source);
      payload.put("severity", n.severity().label());
      payload.put("timestamp", n.at().toString());
      payload.put("component", n.alert());
      payload.putObject("custom_details").put("message", n.message()).put("detail", n.detail());
    }
    return root.toString();
  }

  @Override
  public String toString() {
    return "PagerDutyChannel[name=" + name() + ", routingKey=<redacted>]";
  }

  /** Settings of a {@link PagerDutyChannel}. */
  public static final class Builder extends ChannelBuilder<Builder> {
    private String routingKey;
    private String endpoint = DEFAULT_ENDPOINT;
    private String source;

    private Builder() {
      super("pagerduty");
    }

    /**
     * @param key the integration's routing key (Events API v2); required
     * @return this builder
     */
    public Builder routingKey(String key) {
      this.routingKey = key;
      return this;
    }

    /**
     * @param url the events endpoint; default {@link #DEFAULT_ENDPOINT}
     * @return this builder
     */
    public Builder endpoint(String url) {
      this.endpoint = url;
      return this;
    }

    /**
     * @param source the event's {@code payload.source}, e.g. the host; default the manager's name
     * @return this builder
     * @throws ConfigurationException when blank
     */
    public Builder source(String source) {
      this.source = Settings.host("pagerduty.source", source);
      return this;
    }

    /**
     * @return the channel
     * @throws ConfigurationException naming {@code pagerduty.routingKey} when it is missing, or
     *     {@code pagerduty.endpoint} when it is not an http(s) URL
     */
    public PagerDutyChannel build() {
      return new PagerDutyChannel(this);
    }
  }
}
