package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OidcIssuer;
import dev.strata.e2e.support.RunnerLaunch;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3Credentials;
import dev.strata.engine.store.S3StoreConfig;
import dev.strata.engine.store.StoreException;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.credentials.AssumeRoleProvider;
import io.minio.credentials.Credentials;
import io.minio.credentials.Jwt;
import io.minio.credentials.StaticProvider;
import io.minio.credentials.WebIdentityProvider;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary credentials against MinIO's own STS (issue 17): session keys from AssumeRole used as
 * AWS_SESSION_TOKEN, and web identity tokens of an OIDC issuer served here on loopback, exchanged
 * with AssumeRoleWithWebIdentity and refreshed as they expire. MinIO's STS issues credentials that
 * expire with the web identity token when no DurationSeconds is asked for (what Strata sends), so
 * tokens of 20 seconds prove refreshing in under a minute.
 */
@ExtendWith(MinioExtension.class)
class StsCredentialsMinioTest {

  static final String AUDIENCE = "strata-sts-test";
  static final Metadata MD = Metadata.of("test", "sts");

  static OidcIssuer issuer;
  static MinioServer oidcMinio;

  @TempDir Path tmp;

  @BeforeAll
  static void startMinioTrustingTheIssuer() {
    issuer = OidcIssuer.withOwnKey();
    oidcMinio = MinioServer.startTrusting(issuer, AUDIENCE);
  }

  @AfterAll
  static void stop() {
    if (oidcMinio != null) {
      oidcMinio.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  static String roleArn() {
    return MinioServer.openIdRoleArn(AUDIENCE);
  }

  Path token(String name, String token) throws Exception {
    Path file = tmp.resolve(name);
    Files.writeString(file, token);
    return file;
  }

  List<String> cli(String... args) {
    return RunnerLaunch.detect().command(List.of(args));
  }

  @Test
  void temporaryKeysWithTheirSessionTokenBackUpAndRestoreThroughTheCli(MinioServer minio)
      throws Exception {
    String user = "sts-user-" + System.nanoTime();
    String password = "sts-password-" + System.nanoTime();
    minio.addReadWriteUser(user, password);
    Credentials session =
        new AssumeRoleProvider(
                minio.endpoint(),
                user,
                password,
                null,
                null,
                minio.region(),
                null,
                null,
                null,
                null)
            .fetch();
    assertThat(session.sessionToken()).isNotBlank();
    String bucket = minio.freshBucket("session");
    Path source = Files.createDirectories(tmp.resolve("source"));
    DirectoryTree.seed(source, 17, 2);
    String store = "s3://" + bucket + "/session";
    Map<String, String> env =
        Map.of(
            "AWS_ACCESS_KEY_ID",
            session.accessKey(),
            "AWS_SECRET_ACCESS_KEY",
            session.secretKey(),
            "AWS_SESSION_TOKEN",
            session.sessionToken());

    CommandResult backup =
        CommandResult.run(
                cli(
                    "backup",
                    "--store",
                    store,
                    "--endpoint",
                    minio.endpoint(),
                    "--path-style",
                    "--region",
                    minio.region(),
                    "--source",
                    source.toString(),
                    "--source-id",
                    "sts/session",
                    "--json"),
                env,
                Duration.ofMinutes(2))
            .assertSuccess();
    CommandResult restore =
        CommandResult.run(
                cli(
                    "restore",
                    "--store",
                    store,
                    "--endpoint",
                    minio.endpoint(),
                    "--path-style",
                    "--region",
                    minio.region(),
                    "--latest",
                    "--source-id",
                    "sts/session",
                    "--target",
                    tmp.resolve("out").toString()),
                env,
                Duration.ofMinutes(2))
            .assertSuccess();
    assertThat(DirectoryTree.describe(tmp.resolve("out")))
        .isEqualTo(DirectoryTree.describe(source));

    // The same keys without their session token are refused, and the message says where to look.
    Map<String, String> noToken = new HashMap<>(env);
    noToken.remove("AWS_SESSION_TOKEN");
    CommandResult refused =
        CommandResult.run(
            cli(
                "snapshots",
                "--store",
                store,
                "--endpoint",
                minio.endpoint(),
                "--path-style",
                "--region",
                minio.region()),
            noToken,
            Duration.ofMinutes(1));
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr()).contains("check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    for (CommandResult r : List.of(backup, restore, refused)) {
      assertThat(r.stdout() + r.stderr())
          .doesNotContain(session.secretKey())
          .doesNotContain(session.sessionToken());
    }
  }

  @Test
  void aWebIdentityTokenBacksUpAndRestoresThroughTheCliWithTheVariablesOfAnIrsaPod()
      throws Exception {
    Path tokenFile =
        token(
            "token",
            issuer.issue(
                "system:serviceaccount:team-a:strata-runner", Duration.ofMinutes(10), AUDIENCE));
    Path source = Files.createDirectories(tmp.resolve("source"));
    DirectoryTree.seed(source, 23, 2);
    String store = "s3://" + MinioServer.DEFAULT_BUCKET + "/web-identity";
    Map<String, String> env =
        Map.of(
            "AWS_ROLE_ARN",
            roleArn(),
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            tokenFile.toString(),
            "AWS_ENDPOINT_URL_STS",
            oidcMinio.endpoint(),
            "AWS_ROLE_SESSION_NAME",
            "strata-e2e",
            "STRATA_LOG_LEVEL",
            "TRACE");
    CommandResult backup =
        CommandResult.run(
                cli(
                    "backup",
                    "--store",
                    store,
                    "--endpoint",
                    oidcMinio.endpoint(),
                    "--path-style",
                    "--region",
                    MinioServer.REGION,
                    "--source",
                    source.toString(),
                    "--source-id",
                    "sts/web",
                    "--json"),
                env,
                Duration.ofMinutes(2))
            .assertSuccess();
    CommandResult restore =
        CommandResult.run(
                cli(
                    "restore",
                    "--store",
                    store,
                    "--endpoint",
                    oidcMinio.endpoint(),
                    "--path-style",
                    "--region",
                    MinioServer.REGION,
                    "--latest",
                    "--source-id",
                    "sts/web",
                    "--target",
                    tmp.resolve("out").toString()),
                env,
                Duration.ofMinutes(2))
            .assertSuccess();
    assertThat(DirectoryTree.describe(tmp.resolve("out")))
        .isEqualTo(DirectoryTree.describe(source));
    // Logged at the finest level, neither the token nor MinIO's session tokens (JWTs too) show.
    for (CommandResult r : List.of(backup, restore)) {
      assertThat(r.stderr()).contains("temporary credentials fetched");
      assertThat(r.stdout() + r.stderr()).doesNotContain("eyJ");
    }
  }

  @Test
  void temporaryCredentialsAreRefreshedBeforeTheyExpireWhileTheTokenFileIsRotated()
      throws Exception {
    Duration lifetime = Duration.ofSeconds(20);
    String subject = "system:serviceaccount:team-a:strata-runner";
    Path tokenFile = token("rotating", issuer.issue(subject, lifetime, AUDIENCE));

    // MinIO enforces the lifetime: keys from a 20-second token are refused once it has passed.
    Credentials first =
        new WebIdentityProvider(
                () -> new Jwt(issuer.issue(subject, lifetime, AUDIENCE), 0),
                oidcMinio.endpoint(),
                null,
                null,
                roleArn(),
                "expiry-probe",
                null)
            .fetch();
    MinioClient withFirst =
        MinioClient.builder()
            .endpoint(oidcMinio.endpoint())
            .region(MinioServer.REGION)
            .credentialsProvider(
                new StaticProvider(first.accessKey(), first.secretKey(), first.sessionToken()))
            .build();
    list(withFirst);

    // As a kubelet does, a new token replaces the file well before the old one expires.
    ScheduledExecutorService kubelet = Executors.newSingleThreadScheduledExecutor();
    kubelet.scheduleAtFixedRate(
        () -> {
          try {
            Path next = tmp.resolve("rotating.next");
            Files.writeString(next, issuer.issue(subject, lifetime, AUDIENCE));
            Files.move(
                next,
                tokenFile,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        4,
        4,
        TimeUnit.SECONDS);
    S3StoreConfig config =
        new S3StoreConfig(
            oidcMinio.endpoint(),
            MinioServer.DEFAULT_BUCKET,
            "refresh",
            MinioServer.REGION,
            true,
            new S3Credentials.WebIdentity(
                roleArn(), tokenFile, oidcMinio.endpoint(), "strata-refresh"),
            null);
    List<String> failures = new ArrayList<>();
    int operations = 0;
    long end = System.nanoTime() + Duration.ofSeconds(50).toNanos();
    try (BlobStoreManager store =
        new RetryingBlobStoreManager(
            new S3BlobStoreManager(config), RetryPolicy.defaults().withMaxAttempts(1))) {
      while (System.nanoTime() < end) {
        byte[] data = ("blob " + operations).getBytes(StandardCharsets.UTF_8);
        try {
          store.put("blobs/" + operations, data, data.length, null, MD);
          assertThat(store.get("blobs/" + operations, MD)).isEqualTo(data);
        } catch (StoreException e) {
          failures.add(operations + ": " + e.getMessage());
        }
        operations++;
        Thread.sleep(250);
      }
    } finally {
      kubelet.shutdownNow();
    }
    assertThat(failures)
        .as("operations over 50 s, two and a half lifetimes of the credentials")
        .isEmpty();
    assertThat(operations).isGreaterThan(100);
    assertThatThrownBy(() -> list(withFirst))
        .as("the first session's keys expired meanwhile")
        .isInstanceOfSatisfying(
            ErrorResponseException.class,
            e ->
                assertThat(e.errorResponse().code())
                    .isIn("ExpiredToken", "InvalidAccessKeyId", "InvalidTokenId"));
  }

  @Test
  void refusalsOfMinioSayWhatToFix() throws Exception {
    Path wrongAudience =
        token(
            "wrong-aud",
            issuer.issue(
                "system:serviceaccount:team-a:strata-runner",
                Duration.ofMinutes(5),
                "sts.amazonaws.com"));
    StoreException audience =
        checkWith(
            new S3Credentials.WebIdentity(roleArn(), wrongAudience, oidcMinio.endpoint(), null));
    assertThat(audience.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS);
    assertThat(audience.getMessage())
        .contains("aud sts.amazonaws.com")
        .contains("must match configured OpenID Client ID");

    Path good =
        token(
            "good",
            issuer.issue(
                "system:serviceaccount:team-a:strata-runner", Duration.ofMinutes(5), AUDIENCE));
    StoreException role =
        checkWith(
            new S3Credentials.WebIdentity(
                "arn:minio:iam:us-east-1::role/nobody", good, oidcMinio.endpoint(), null));
    assertThat(role.kind()).isEqualTo(StoreException.Kind.PERMANENT);
    assertThat(role.getMessage())
        .contains("role arn:minio:iam:us-east-1::role/nobody")
        .contains("RoleArn");

    Path expired =
        token(
            "expired",
            issuer.issue(
                "system:serviceaccount:team-a:strata-runner", Duration.ofSeconds(-30), AUDIENCE));
    StoreException old =
        checkWith(new S3Credentials.WebIdentity(roleArn(), expired, oidcMinio.endpoint(), null));
    assertThat(old.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS);

    for (StoreException e : List.of(audience, role, old)) {
      assertThat(e.getMessage()).doesNotContain(Files.readString(good).substring(0, 40));
    }
  }

  StoreException checkWith(S3Credentials credentials) {
    S3StoreConfig config =
        new S3StoreConfig(
            oidcMinio.endpoint(),
            MinioServer.DEFAULT_BUCKET,
            "refused",
            MinioServer.REGION,
            true,
            credentials,
            null);
    try (BlobStoreManager store =
        new RetryingBlobStoreManager(
            new S3BlobStoreManager(config), RetryPolicy.defaults().withMaxAttempts(1))) {
      store.checkAccess();
    } catch (StoreException e) {
      return e;
    }
    throw new AssertionError("the check passed with " + credentials);
  }

  static void list(MinioClient client) throws Exception {
    for (Result<Item> item :
        client.listObjects(
            ListObjectsArgs.builder().bucket(MinioServer.DEFAULT_BUCKET).maxKeys(1).build())) {
      item.get();
    }
  }
}
