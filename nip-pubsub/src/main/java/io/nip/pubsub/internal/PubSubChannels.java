package io.nip.pubsub.internal;

/*
 * How the Pub/Sub connectors reach the service: Google's endpoint with the caller's credentials (or
 * the client library's defaults: Application Default Credentials), or an emulator at host:port over
 * a plaintext gRPC channel without credentials. Each client built from it creates and owns its
 * channel (InstantiatingGrpcChannelProvider) and shuts it down with itself.
 */

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.cloud.pubsub.v1.stub.GrpcSubscriberStub;
import com.google.cloud.pubsub.v1.stub.SubscriberStubSettings;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;

/** Where a Pub/Sub client connects and with which credentials. */
public final class PubSubChannels {
  private final TransportChannelProvider channelProvider;
  private final CredentialsProvider credentials;

  private PubSubChannels(TransportChannelProvider channelProvider, CredentialsProvider credentials) {
    this.channelProvider = channelProvider;
    this.credentials = credentials;
  }

  /**
   * @param emulatorHost "host:port" of an emulator, or null for the service
   * @param credentials credentials for the service, or null for the library's defaults
   * @return the connection settings
   */
  public static PubSubChannels create(String emulatorHost, CredentialsProvider credentials) {
    if (emulatorHost == null) {
      return new PubSubChannels(null, credentials);
    }
    return new PubSubChannels(InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(emulatorHost)
        .setChannelConfigurator(ManagedChannelBuilder::usePlaintext).build(), NoCredentialsProvider.create());
  }

  /** @return the channel provider to set on a client builder, or null to keep the builder's */
  public TransportChannelProvider channelProvider() {
    return channelProvider;
  }

  /** @return the credentials provider to set on a client builder, or null to keep the builder's */
  public CredentialsProvider credentials() {
    return credentials;
  }

  /**
   * @return a new subscriber stub with its own channel; the caller closes it
   * @throws IOException when the stub cannot be created
   */
  public GrpcSubscriberStub subscriberStub() throws IOException {
    SubscriberStubSettings.Builder b = SubscriberStubSettings.newBuilder();
    if (channelProvider != null) {
      b.setTransportChannelProvider(channelProvider);
    }
    if (credentials != null) {
      b.setCredentialsProvider(credentials);
    }
    return GrpcSubscriberStub.create(b.build());
  }
}
