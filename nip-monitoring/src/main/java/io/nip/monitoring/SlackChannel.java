package io.nip.monitoring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nip.errors.ConfigurationException;
import io.nip.monitoring.internal.JsonPost;
import io.nip.monitoring.internal.Settings;
import java.util.List;
import java.util.Map;

/**
 * Sends alerts to a Slack incoming webhook: a POST of {@code {"text": "..."}} (Slack's mrkdwn), one
 * message per notification. The webhook URL is a secret: it is never logged nor shown by {@link
 * #toString()} or in exceptions.
 *
 * <pre>{@code
 * SlackChannel slack = SlackChannel.builder().webhookUrl(System.getenv("SLACK_WEBHOOK_URL")).build();
 * }</pre>
 */
public final class SlackChannel extends JsonChannel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SlackChannel(Builder b) {
    super(b.name, new JsonPost(b.name, Settings.secretUrl("slack.webhookUrl", b.webhookUrl), Map.of(), List.of(),
        b.timeout));
  }

  /** @return a builder: name {@code "slack"}, timeout 10 s, no URL yet */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * @param n a notification
   * @return the JSON body, e.g. {@code {"text":":rotating_light: *[CRITICAL] error_rate* is firing:
   *     Error rate exceeded threshold\n>error rate 2 %\n_streaming_alerts, 2026-11-30T20:00:00Z_"}}
   */
  public static String payload(AlertNotification n) {
    boolean firing = n.status() == AlertStatus.FIRING;
    StringBuilder text = new StringBuilder()
        .append(firing ? ":rotating_light: " : ":white_check_mark: ")
        .append("*[").append(n.severity()).append("] ").append(n.alert()).append("* ")
        .append(firing ? "is firing: " : "resolved: ").append(n.message());
    if (!n.detail().isEmpty()) {
      text.append("\n>").append(n.detail());
    }
    text.append("\n_").append(n.manager()).append(", ").append(n.at()).append('_');
    return JSON.createObjectNode().put("text", text.toString()).toString();
  }

  @Override
  String json(AlertNotification notification) {
    return payload(notification);
  }

  @Override
  public String toString() {
    return "SlackChannel[name=" + name() + ", webhookUrl=<redacted>]";
  }

  /** Settings of a {@link SlackChannel}. */
  public static final class Builder extends ChannelBuilder<Builder> {
    private String webhookUrl;

    private Builder() {
      super("slack");
    }

    /**
     * @param url the incoming webhook's URL ({@code https://hooks.slack.com/services/...}); required
     * @return this builder
     */
    public Builder webhookUrl(String url) {
      this.webhookUrl = url;
      return this;
    }

    /**
     * @return the channel
     * @throws ConfigurationException naming {@code slack.webhookUrl} when it is missing or not an
     *     http(s) URL (the message does not show it)
     */
    public SlackChannel build() {
      return new SlackChannel(this);
    }
  }
}
