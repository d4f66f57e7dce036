package io.nip.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy between the SDK's Kinesis client and a real Kinesis-compatible server that injects
 * the faults the server cannot be told to produce: throttled {@code GetRecords} calls and
 * {@code PutRecords} calls that fail some of their records. Everything else is forwarded unchanged
 * and the real server's answers come back unchanged.
 *
 * <p>The operation is taken from the {@code X-Amz-Target} header ({@code Kinesis_20131202.GetRecords}).
 * Rewriting {@code PutRecords} reads the JSON protocol, so clients behind the proxy must use JSON
 * instead of CBOR ({@code aws.cborEnabled=false}). Faults have the shape of the service's: a refused
 * call is HTTP 400 with {@code x-amzn-ErrorType} and a {@code __type} body; a record failed within
 * {@code PutRecords} keeps its position in the answer with {@code ErrorCode} and {@code ErrorMessage},
 * and {@code FailedRecordCount} counts them.
 *
 * <p>Threading: requests are handled on a small pool; counters are atomic.
 */
final class FaultProxy implements AutoCloseable {
  /** The error code of throughput refusals, for calls and for single records. */
  static final String THROTTLED = "ProvisionedThroughputExceededException";
  private static final String TARGET_PREFIX = "Kinesis_20131202.";
  private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
      "upgrade", "transfer-encoding");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Decides whether one record of a PutRecords call fails this time. */
  interface RecordFault {
    /**
     * @param data the record's data as UTF-8 text
     * @param attempt how many times the proxy saw this data in PutRecords calls, 1 for the first
     * @return true to fail it with {@link #THROTTLED}
     */
    boolean fails(String data, int attempt);
  }

  static {
    // Idle forwarding connections close after a second (the JDK's default is 20 minutes, and Java 17's
    // HttpClient cannot be closed): the server's graceful shutdown waits for open connections.
    // Read once, when the JDK's HttpClient is first used in this JVM.
    if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) {
      System.setProperty("jdk.httpclient.keepalive.timeout", "1");
    }
  }

  private final URI target;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> recordAttempts = new ConcurrentHashMap<>();
  private final AtomicInteger throttledCalls = new AtomicInteger();
  private final AtomicInteger failedRecords = new AtomicInteger();
  private volatile String throttledOperation;
  private volatile int throttleEvery;
  private volatile RecordFault recordFault = (data, attempt) -> false;

  private FaultProxy(URI target) throws IOException {
    this.target = target;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  /**
   * @param target the real server's endpoint
   * @return a running proxy on 127.0.0.1 and a free port
   */
  static FaultProxy start(URI target) throws IOException {
    return new FaultProxy(target);
  }

  /** @return the endpoint clients use instead of the real server's */
  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Answers every {@code n}th call of {@code operation} (counted from now) with a throughput refusal. */
  FaultProxy throttleEvery(String operation, int n) {
    calls.remove(operation);
    this.throttleEvery = n;
    this.throttledOperation = operation;
    return this;
  }

  /** Fails the records of PutRecords calls that {@code fault} picks; the others reach the server. */
  FaultProxy failRecords(RecordFault fault) {
    this.recordFault = fault;
    return this;
  }

  /** @return how many calls the proxy refused for throughput */
  int throttledCalls() {
    return throttledCalls.get();
  }

  /** @return how many records of PutRecords calls the proxy failed */
  int failedRecords() {
    return failedRecords.get();
  }

  /** @return how many calls of {@code operation} reached the proxy since it was last configured for it */
  int calls(String operation) {
    AtomicInteger n = calls.get(operation);
    return n == null ? 0 : n.get();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      String targetHeader = ex.getRequestHeaders().getFirst("X-Amz-Target");
      String op = targetHeader != null && targetHeader.startsWith(TARGET_PREFIX)
          ? targetHeader.substring(TARGET_PREFIX.length()) : "";
      int n = calls.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
      if (op.equals(throttledOperation) && throttleEvery > 0 && n % throttleEvery == 0) {
        throttledCalls.incrementAndGet();
        ObjectNode err = JSON.createObjectNode().put("__type", THROTTLED).put("message", "Rate exceeded for shard");
        reply(ex, 400, Map.of("x-amzn-ErrorType", THROTTLED), JSON.writeValueAsBytes(err));
        return;
      }
      if (op.equals("PutRecords")) {
        putRecords(ex, body);
        return;
      }
      HttpResponse<byte[]> r = forward(ex, body);
      reply(ex, r.statusCode(), firstValues(r), r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.sendResponseHeaders(502, -1);
    }
  }

  /** Removes the records the fault picks, forwards the rest, and merges the real results with the failures. */
  private void putRecords(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
    ObjectNode request = (ObjectNode) JSON.readTree(body);
    ArrayNode records = (ArrayNode) request.get("Records");
    List<Boolean> failed = new ArrayList<>();
    ArrayNode kept = JSON.createArrayNode();
    for (JsonNode rec : records) {
      String data = new String(Base64.getDecoder().decode(rec.get("Data").asText()), StandardCharsets.UTF_8);
      int attempt = recordAttempts.computeIfAbsent(data, k -> new AtomicInteger()).incrementAndGet();
      boolean fail = recordFault.fails(data, attempt);
      failed.add(fail);
      if (!fail) {
        kept.add(rec);
      }
    }
    int failures = records.size() - kept.size();
    if (failures == 0) {
      HttpResponse<byte[]> r = forward(ex, body);
      reply(ex, r.statusCode(), firstValues(r), r.body());
      return;
    }
    failedRecords.addAndGet(failures);
    JsonNode real = null;
    if (!kept.isEmpty()) {
      request.set("Records", kept);
      HttpResponse<byte[]> r = forward(ex, JSON.writeValueAsBytes(request));
      if (r.statusCode() != 200) { // the whole call failed: pass that on as it is
        reply(ex, r.statusCode(), firstValues(r), r.body());
        return;
      }
      real = JSON.readTree(r.body());
    }
    ArrayNode results = JSON.createArrayNode();
    int next = 0;
    int failedCount = failures;
    for (boolean f : failed) {
      if (f) {
        results.addObject().put("ErrorCode", THROTTLED).put("ErrorMessage", "Rate exceeded");
      } else {
        JsonNode result = real.get("Records").get(next++);
        failedCount += result.has("ErrorCode") ? 1 : 0;
        results.add(result);
      }
    }
    ObjectNode answer = JSON.createObjectNode().put("FailedRecordCount", failedCount);
    answer.set("Records", results);
    if (real != null && real.has("EncryptionType")) {
      answer.set("EncryptionType", real.get("EncryptionType"));
    }
    reply(ex, 200, Map.of("Content-Type", ex.getRequestHeaders().getFirst("Content-Type")),
        JSON.writeValueAsBytes(answer));
  }

  private HttpResponse<byte[]> forward(HttpExchange ex, byte[] body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(ex.getRequestURI().toString()))
        .timeout(Duration.ofSeconds(30))
        .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    ex.getRequestHeaders().forEach((name, values) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase())) {
        values.forEach(v -> b.header(name, v));
      }
    });
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Map<String, String> firstValues(HttpResponse<?> r) {
    Map<String, String> headers = new java.util.HashMap<>();
    r.headers().map().forEach((name, values) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase()) && !name.startsWith(":") && !values.isEmpty()) {
        headers.put(name, values.get(0));
      }
    });
    return headers;
  }

  private static void reply(HttpExchange ex, int status, Map<String, String> headers, byte[] body)
      throws IOException {
    headers.forEach((name, value) -> ex.getResponseHeaders().set(name, value));
    if (!headers.containsKey("Content-Type") && !headers.containsKey("content-type")) {
      ex.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
