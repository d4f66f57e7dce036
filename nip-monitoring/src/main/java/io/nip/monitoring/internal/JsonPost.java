package io.nip.monitoring.internal;

import io.nip.monitoring.AlertDeliveryException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * POSTs JSON bodies to one configured URL with the JDK's {@link HttpClient}, for the HTTP alert
 * channels. The URL and the header values are secrets: they never appear in the messages of the
 * {@link AlertDeliveryException}s thrown here, which name only the channel and what failed.
 *
 * <p>2xx is success; an I/O error, a timeout, 408, 429 and 5xx are retryable; any other status is
 * not (the receiver rejected the request and would again). Thread-safe; one call blocks the calling
 * thread for at most about twice the timeout (connect, then the answer).
 */
public final class JsonPost {
  private final String channel;
  private final URI uri;
  private final Map<String, String> headers;
  private final Duration timeout;
  private final HttpClient client;
  private final Redaction redaction;

  /**
   * @param channel names the channel in error messages, e.g. {@code "slack"}
   * @param uri where to POST
   * @param headers extra request headers (values are treated as secrets)
   * @param secrets other values to keep out of error messages (e.g. a key sent in the body)
   * @param timeout connect timeout, and the timeout for the answer
   */
  public JsonPost(String channel, URI uri, Map<String, String> headers, List<String> secrets, Duration timeout) {
    this.channel = channel;
    this.uri = uri;
    this.headers = Map.copyOf(headers);
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    List<String> hidden = new ArrayList<>(secrets);
    hidden.add(uri.toString());
    hidden.add(uri.getRawSchemeSpecificPart());
    if (uri.getRawPath() != null) {
      hidden.add(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      hidden.add(uri.getRawQuery());
    }
    hidden.addAll(this.headers.values());
    this.redaction = new Redaction(hidden);
  }

  /**
   * @param json the body, UTF-8
   * @throws AlertDeliveryException when the receiver did not answer 2xx
   */
  public void post(String json) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json; charset=utf-8")
        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    headers.forEach(request::header);
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AlertDeliveryException(channel + ": the request failed: " + redaction.describe(e), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AlertDeliveryException(channel + ": interrupted while sending", true);
    }
    int status = response.statusCode();
    if (status / 100 != 2) {
      boolean retryable = status == 408 || status == 429 || status >= 500;
      String body = response.body() == null ? "" : response.body().strip();
      if (body.length() > 200) {
        body = body.substring(0, 200) + "...";
      }
      throw new AlertDeliveryException(channel + ": the receiver answered HTTP " + status
          + (body.isEmpty() ? "" : " (" + redaction.apply(body) + ")"), retryable);
    }
  }
}
