package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.WebIdentityCredentials;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How a runner gets its store's credentials, and nothing more. Access keys: environment variables
 * from the store's Secret (the session token too, when the Secret has one), so they never appear in
 * the Job. A web identity: the store's ServiceAccount, a token of it projected for the store's
 * audience (the pod keeps {@code automountServiceAccountToken: false}, so this is the only token it
 * holds, and no API server accepts it), and the variables an IRSA pod has (AWS_ROLE_ARN,
 * AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL_STS), with the pod's name as the role session's
 * name so audit logs say which run acted.
 */
public final class RunnerCredentials {

  /**
   * The projected token's volume name, mount directory and file; the kubelet renews the file before
   * it expires.
   */
  public static final String TOKEN_VOLUME = "strata-web-identity";

  public static final String TOKEN_DIR = "/var/run/secrets/strata.dev/web-identity";
  public static final String TOKEN_FILE = "token";

  /**
   * The token's lifetime; the kubelet rewrites it at 80% of that, and the runner reads it at every
   * refresh.
   */
  public static final long TOKEN_SECONDS = 3600;

  private RunnerCredentials() {}

  /** The runner container's credential variables. */
  public static List<EnvVar> env(SnapshotStoreSpec store) {
    WebIdentityCredentials identity = store.webIdentityOrNull();
    if (identity != null) {
      List<EnvVar> env = new ArrayList<>();
      env.add(new EnvVarBuilder().withName("AWS_ROLE_ARN").withValue(identity.roleArn()).build());
      env.add(
          new EnvVarBuilder()
              .withName("AWS_WEB_IDENTITY_TOKEN_FILE")
              .withValue(TOKEN_DIR + "/" + TOKEN_FILE)
              .build());
      if (identity.stsEndpoint() != null && !identity.stsEndpoint().isBlank()) {
        env.add(
            new EnvVarBuilder()
                .withName("AWS_ENDPOINT_URL_STS")
                .withValue(identity.stsEndpoint())
                .build());
      }
      env.add(
          new EnvVarBuilder()
              .withName("AWS_ROLE_SESSION_NAME")
              .withNewValueFrom()
              .withNewFieldRef()
              .withFieldPath("metadata.name")
              .endFieldRef()
              .endValueFrom()
              .build());
      return env;
    }
    CredentialsSecretRef ref = store.secretRefOrNull();
    return List.of(
        fromSecret("AWS_ACCESS_KEY_ID", ref.name(), ref.accessKeyIdKeyOrDefault(), false),
        fromSecret("AWS_SECRET_ACCESS_KEY", ref.name(), ref.secretAccessKeyKeyOrDefault(), false),
        // Optional unless named: a Secret without a session token holds long-lived keys.
        fromSecret(
            "AWS_SESSION_TOKEN",
            ref.name(),
            ref.sessionTokenKeyOrDefault(),
            !ref.sessionTokenRequired()));
  }

  /** The projected token of a web identity store, or empty. */
  public static Optional<Volume> tokenVolume(SnapshotStoreSpec store) {
    WebIdentityCredentials identity = store.webIdentityOrNull();
    if (identity == null) {
      return Optional.empty();
    }
    return Optional.of(
        new VolumeBuilder()
            .withName(TOKEN_VOLUME)
            .withNewProjected()
            .addNewSource()
            .withNewServiceAccountToken()
            .withAudience(identity.audienceOrDefault())
            .withExpirationSeconds(TOKEN_SECONDS)
            .withPath(TOKEN_FILE)
            .endServiceAccountToken()
            .endSource()
            .endProjected()
            .build());
  }

  public static VolumeMount tokenMount() {
    return new VolumeMountBuilder()
        .withName(TOKEN_VOLUME)
        .withMountPath(TOKEN_DIR)
        .withReadOnly(true)
        .build();
  }

  /**
   * A runner Job's pod with what a web identity store needs: the store's ServiceAccount, and its
   * token mounted in every container. A pod of an access-key store is returned as it is.
   */
  public static PodTemplateSpec apply(PodTemplateSpec template, SnapshotStoreSpec store) {
    Optional<Volume> token = tokenVolume(store);
    if (token.isEmpty()) {
      return template;
    }
    template.getSpec().setServiceAccountName(store.webIdentityOrNull().serviceAccountName());
    template.getSpec().getVolumes().add(token.get());
    for (Container c : template.getSpec().getContainers()) {
      c.getVolumeMounts().add(tokenMount());
    }
    return template;
  }

  private static EnvVar fromSecret(String name, String secret, String key, boolean optional) {
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef(key, secret, optional ? Boolean.TRUE : Boolean.FALSE)
        .endValueFrom()
        .build();
  }
}
