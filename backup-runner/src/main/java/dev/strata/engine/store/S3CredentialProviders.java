package dev.strata.engine.store;

import io.minio.credentials.Provider;
import io.minio.credentials.StaticProvider;
import java.time.InstantSource;
import okhttp3.OkHttpClient;

/** The minio-java credentials provider for a store's {@link S3Credentials}. */
final class S3CredentialProviders {

  private S3CredentialProviders() {}

  /**
   * @param http the store's HTTP client, so that an STS behind the store's private CA is trusted as
   *     the store is
   * @return the provider, or null for anonymous access
   */
  static Provider create(S3Credentials credentials, OkHttpClient http, InstantSource clock) {
    if (credentials instanceof S3Credentials.AccessKeys k) {
      return new StaticProvider(k.accessKey(), k.secretKey(), k.sessionToken());
    }
    if (credentials instanceof S3Credentials.WebIdentity w) {
      return new RefreshingCredentials(new StsWebIdentity(w, http), clock);
    }
    return null;
  }
}
