package io.nip.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.JsonPost;
import io.nip.monitoring.internal.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sends alerts to any HTTP endpoint as a JSON POST of {@link #payload(AlertNotification)}. The URL
 * and the header values (e.g. an {@code Authorization} token) are secrets: never logged nor shown by
 * {@link #toString()} or in exceptions.
 *
 * <pre>{@code
 * WebhookChannel hook = WebhookChannel.builder().url("https://ops.example.com/alerts")
 *     .header("Authorization", "Bearer " + token).build();
 * }</pre>
 */
public final class WebhookChannel extends JsonChannel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private WebhookChannel(Builder b) {
    super(b.name, new JsonPost(b.name, Settings.secretUrl("webhook.url", b.url), b.headers, List.of(), b.timeout));
  }

  /** @return a builder: name {@code "webhook"}, timeout 10 s, no headers, no URL yet */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param n a notification
   * @return the JSON body: {@code {"manager":"streaming_alerts","alert":"error_rate","status":"FIRING",
   *     "severity":"critical","message":"...","detail":"...","at":"2026-11-30T20:00:00Z",
   *     "dedupKey":"streaming_alerts/error_rate"}}
   */
  public static String payload(AlertNotification n) {
    ObjectNode root = JSON.createObjectNode();
    root.put("manager", n.manager()).put("alert", n.alert()).put("status", n.status().name())
        .put("severity", n.severity().label()).put("message", n.message()).put("detail", n.detail())
        .put("at", n.at().toString()).put("dedupKey", n.dedupKey());
    return root.toString();
  }

  @Override
  String json(AlertNotification notification) {
    return payload(notification);
  }

  @Override
  public String toString() {
    return "WebhookChannel[name=" + name() + ", url=<redacted>, headers=<redacted>]";
  }

  /** Settings of a {@link WebhookChannel}. */
  public static final class Builder extends ChannelBuilder<Builder> {
    private String url;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private Builder() {
      super("webhook");
    }

    /**
     * @param url where to POST, http or https; required
     * @return this builder
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /**
     * @param header a request header's name, e.g. {@code "Authorization"}
     * @param value its value, treated as a secret
     * @return this builder
     * @throws ConfigurationException when the name is blank or the value is missing
     */
    public Builder header(String header, String value) {
      Settings.host("webhook.header", header);
      headers.put(header, Settings.secret("webhook.header." + header, value));
      return this;
    }

    /**
     * @return the channel
     * @throws ConfigurationException naming {@code webhook.url} when it is missing or not an http(s)
     *     URL (the message does not show it)
     */
    public WebhookChannel build() {
      return new WebhookChannel(this);
    }
  }
}
