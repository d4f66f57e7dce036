package io.nip.kinesis.internal;

/*
 * Builds the SDK's synchronous Kinesis client the same way for the source and the sink: the region,
 * an optional endpoint override (a local Kinesis-compatible server, a VPC endpoint), and the
 * credentials provider (the SDK's default chain unless one was given; credentials are never logged).
 * The SDK's own retries stay on for transient errors (network failures, 5xx answers) but not for
 * throttling: the SDK's default strategy would retry ProvisionedThroughputExceededException and
 * LimitExceededException itself, so the callers would neither see nor count most refusals and their
 * own backoff would come on top of the SDK's. Throttling is handled by the callers, which count it
 * (KinesisTaskReader's nip.kinesis.throttled, PutRecordsWriter's retries).
 */

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.DefaultRetryStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

/** Creates Kinesis clients from a connector's settings. */
public final class KinesisClients {
  /** Attempts of one call the SDK makes on transient errors (the first included). */
  static final int SDK_ATTEMPTS = 3;

  private KinesisClients() {}

  /**
   * @return the SDK's standard retry strategy without its client defaults: it retries network
   *     failures and 5xx answers that are not throttling, up to {@link #SDK_ATTEMPTS} attempts
   */
  static RetryStrategy transientErrorsOnly() {
    return DefaultRetryStrategy.standardStrategyBuilder().useClientDefaults(false).maxAttempts(SDK_ATTEMPTS)
        .retryOnException(KinesisClients::isTransient).build();
  }

  static boolean isTransient(Throwable t) {
    if (t instanceof SdkServiceException) {
      SdkServiceException e = (SdkServiceException) t;
      return !e.isThrottlingException() && e.statusCode() >= 500;
    }
    if (!(t instanceof SdkClientException)) {
      return false;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException || c instanceof UncheckedIOException) {
        return true;
      }
    }
    return ((SdkClientException) t).retryable();
  }

  /**
   * @param region the AWS region, e.g. "us-east-1"
   * @param endpoint an endpoint override, or null for the region's endpoint
   * @param credentials the credentials provider, or null for the SDK's default chain
   * @return a new client; the caller closes it
   */
  public static KinesisClient create(String region, URI endpoint, AwsCredentialsProvider credentials) {
    KinesisClientBuilder b = KinesisClient.builder()
        .region(Region.of(region))
        .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64)
            .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(30)))
        .overrideConfiguration(c -> c.retryStrategy(transientErrorsOnly()));
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }
}
