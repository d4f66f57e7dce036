package io.nip.kinesis.internal;

/*
 * Builds the SDK's synchronous Kinesis client the same way for the source and the sink: the region,
 * an optional endpoint override (a local Kinesis-compatible server, a VPC endpoint), and the
 * credentials provider (the SDK's default chain unless one was given; credentials are never logged).
 * The SDK's own retries stay on for transient network errors; throttling is handled by the callers,
 * which count it.
 */

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.KinesisClientBuilder;

/** Creates Kinesis clients from a connector's settings. */
public final class KinesisClients {
  private KinesisClients() {}

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
            .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofSeconds(30)));
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }
}
