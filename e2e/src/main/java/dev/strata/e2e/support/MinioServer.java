package dev.strata.e2e.support;

import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MinIO server on loopback, with its data in a temporary directory and random root
 * credentials. It serves as the examples' Service {@code minio.strata-system:9000} (a cluster IP of
 * its own, see {@link ClusterDns}) with the examples' credentials as a read-write user, so {@code
 * examples/} apply unchanged. {@link #stop()} and {@link #start()} keep the address and the data,
 * so a test can simulate a store outage. Start it through {@link MinioExtension} to share one per
 * JVM.
 */
public final class MinioServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MinioServer.class);
  public static final String DEFAULT_BUCKET = "strata-e2e";
  public static final String REGION = "us-east-1";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path binary;
  private final Path workDir;
  private final String clusterIp;
  private final int port;
  private final int consolePort;
  private final String accessKey;
  private final String secretKey;
  private final ManagedProcess process;
  private final String version;
  private MinioClient client;
  private Duration startupTime;
  private boolean closed;

  private MinioServer(Tools tools, Path workDir, String address, Map<String, String> extraEnv) {
    this.binary = tools.require(Tools.MINIO);
    this.version = tools.version("minio.version");
    this.workDir = workDir;
    this.port = Examples.EXAMPLE_SERVICE_PORT;
    this.clusterIp = address == null ? ClusterDns.freeClusterIp(port) : address;
    this.consolePort = FreePorts.next();
    this.accessKey = "strata-e2e";
    this.secretKey = randomSecret();
    Map<String, String> env = new java.util.HashMap<>(extraEnv);
    env.putAll(
        Map.of(
            "MINIO_ROOT_USER",
            accessKey,
            "MINIO_ROOT_PASSWORD",
            secretKey,
            "MINIO_UPDATE",
            "off",
            "MINIO_BROWSER",
            "off",
            "MINIO_REGION",
            REGION,
            "HOME",
            workDir.toString()));
    this.process =
        new ManagedProcess(
            "minio",
            List.of(
                binary.toString(),
                "server",
                workDir.resolve("data").toString(),
                "--address",
                clusterIp + ":" + port,
                "--console-address",
                "127.0.0.1:" + consolePort,
                "--quiet"),
            env,
            workDir.resolve("minio.log"));
  }

  /**
   * Starts MinIO, creates {@link #DEFAULT_BUCKET}, adds the examples' user and answers the
   * examples' Service name.
   */
  public static MinioServer startNew() {
    MinioServer server = startOn(null);
    ClusterDns.register(
        Examples.EXAMPLE_SERVICE, Examples.EXAMPLE_SERVICE_NAMESPACE, server.clusterIp);
    return server;
  }

  /**
   * Like {@link #startNew()}, listening on {@code address} (a free loopback "cluster IP" when null)
   * and without the hosts-file entry: a real node's pods reach it through a Service and cluster DNS
   * instead.
   */
  public static MinioServer startOn(String address) {
    MinioServer server = create(address, Map.of());
    try {
      server.start();
      server.createBucket(DEFAULT_BUCKET);
      server.addReadWriteUser(Examples.EXAMPLE_ACCESS_KEY_ID, Examples.EXAMPLE_SECRET_ACCESS_KEY);
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * A server of one test's own, configured by extra environment variables (e.g. MinIO's {@code
   * MINIO_IDENTITY_OPENID_*} for an STS that trusts a test's OIDC issuer): its own cluster IP and
   * {@link #DEFAULT_BUCKET}, but not the examples' Service name or user. The caller closes it.
   */
  public static MinioServer startWith(Map<String, String> env) {
    MinioServer server = create(null, env);
    try {
      server.start();
      server.createBucket(DEFAULT_BUCKET);
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /**
   * A server whose STS trusts {@code issuer}'s tokens for the audience {@code clientId} (its OpenID
   * client id): callers assume the role {@link #openIdRoleArn} with AssumeRoleWithWebIdentity and
   * get MinIO's readwrite policy.
   */
  public static MinioServer startTrusting(OidcIssuer issuer, String clientId) {
    return startWith(
        Map.of(
            "MINIO_IDENTITY_OPENID_CONFIG_URL",
            issuer.configUrl(),
            "MINIO_IDENTITY_OPENID_CLIENT_ID",
            clientId,
            // A role (as on AWS) rather than a policy claim in the token: callers name it by its
            // ARN.
            "MINIO_IDENTITY_OPENID_ROLE_POLICY",
            "readwrite"));
  }

  /**
   * The ARN MinIO gives the role of an OpenID provider with a role policy: named after the SHA-1 of
   * its client id.
   */
  public static String openIdRoleArn(String clientId) {
    try {
      byte[] sha1 =
          java.security.MessageDigest.getInstance("SHA-1")
              .digest(clientId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return "arn:minio:iam:"
          + REGION
          + "::role/"
          + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MinioServer create(String address, Map<String, String> env) {
    Tools tools = Tools.installed();
    tools.require(Tools.MINIO);
    Path dir;
    try {
      dir = Files.createTempDirectory("strata-minio-");
      Files.createDirectories(dir.resolve("data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new MinioServer(tools, dir, address, env);
  }

  /** Starts (or restarts) the server on the same port and data, and waits until it is ready. */
  public synchronized void start() {
    long started = System.nanoTime();
    process.start();
    process.awaitReady(Duration.ofSeconds(60), () -> healthy("/minio/health/ready"));
    startupTime = Duration.ofNanos(System.nanoTime() - started);
    LOG.info("minio {} ready on {} in {} ms", version, endpoint(), startupTime.toMillis());
  }

  /** Stops the server (SIGTERM, then SIGKILL); the port and the data stay for {@link #start()}. */
  public synchronized void stop() {
    process.stop(Duration.ofSeconds(10));
  }

  /**
   * Freezes the server (SIGSTOP): connections are still accepted, but no request is answered until
   * {@link #thaw()}, as a store that hangs rather than fails. A frozen server also ignores {@link
   * #stop()}'s SIGTERM until its SIGKILL; thaw it in a finally.
   */
  public synchronized void freeze() {
    process.signal("STOP");
  }

  /** Lets a {@link #freeze() frozen} server run again (SIGCONT); what waited is answered. */
  public synchronized void thaw() {
    process.signal("CONT");
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /**
   * Adds a user with MinIO's built-in readwrite policy (what a store's credentials need, and no
   * admin rights).
   */
  public void addReadWriteUser(String user, String secret) {
    mc("admin", "user", "add", "test", user, secret);
    mc("admin", "policy", "attach", "test", "readwrite", "--user", user);
  }

  /**
   * Makes this running server's STS trust {@code issuer}'s tokens for {@code clientId} (as {@link
   * #startTrusting} does at start), through MinIO's admin API ({@code mc idp openid add}); MinIO
   * applies an identity provider only at start, so the server restarts (same address and data).
   * Undo it with {@link #forgetOpenId} before the issuer goes: a later restart would otherwise look
   * for it. The role's ARN is {@link #openIdRoleArn}, as at start.
   */
  public void trustOpenId(OidcIssuer issuer, String configName, String clientId) {
    // The admin API refuses a provider without a client secret (MinIO's environment variables do
    // not ask for one); it
    // serves only the console's login flow, never AssumeRoleWithWebIdentity, so any value will do.
    mc(
        "idp",
        "openid",
        "add",
        "test",
        configName,
        "config_url=" + issuer.configUrl(),
        "client_id=" + clientId,
        "client_secret=" + randomSecret(),
        "role_policy=readwrite");
    stop();
    start();
  }

  /** Removes what {@link #trustOpenId} added, and restarts. */
  public void forgetOpenId(String configName) {
    mc("idp", "openid", "rm", "test", configName);
    stop();
    start();
  }

  /**
   * Adds a user whose only policy is {@code policyJson} (an IAM policy document), named {@code
   * policy}.
   */
  public void addUserWithPolicy(String user, String secret, String policy, String policyJson) {
    Path file = workDir.resolve("policy-" + policy + ".json");
    try {
      Files.writeString(file, policyJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    mc("admin", "user", "add", "test", user, secret);
    mc("admin", "policy", "create", "test", policy, file.toString());
    mc("admin", "policy", "attach", "test", policy, "--user", user);
  }

  private void mc(String... args) {
    Path mc = Tools.installed().require(Tools.MC);
    Map<String, String> env =
        Map.of(
            "MC_HOST_test", "http://" + accessKey + ":" + secretKey + "@" + clusterIp + ":" + port,
            "MC_CONFIG_DIR", workDir.resolve("mc").toString(),
            "HOME", workDir.toString());
    List<String> command = new java.util.ArrayList<>(List.of(mc.toString()));
    command.addAll(List.of(args));
    CommandResult.run(command, env, Duration.ofSeconds(60)).assertSuccess();
  }

  /** Creates {@code bucket} if it does not exist. */
  public void createBucket(String bucket) {
    try {
      MinioClient minio = client();
      if (!minio.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
        minio.makeBucket(MakeBucketArgs.builder().bucket(bucket).region(REGION).build());
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "Cannot create bucket " + bucket + " on " + endpoint() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A new, empty bucket named {@code prefix-xxxxxx}: isolates a test from the others sharing this
   * server.
   */
  public String freshBucket(String prefix) {
    String base = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    String bucket =
        (base.length() > 40 ? base.substring(0, 40) : base)
            + "-"
            + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36).substring(0, 6);
    createBucket(bucket);
    return bucket;
  }

  /** A minio-java client with the root credentials. */
  public synchronized MinioClient client() {
    if (client == null) {
      client =
          MinioClient.builder()
              .endpoint(endpoint())
              .credentials(accessKey, secretKey)
              .region(REGION)
              .build();
    }
    return client;
  }

  /**
   * The S3 endpoint URL at the cluster IP, e.g. http://127.77.3.4:9000 (in pods: {@link
   * Examples#EXAMPLE_ENDPOINT}).
   */
  public String endpoint() {
    return "http://" + clusterIp + ":" + port;
  }

  public int port() {
    return port;
  }

  public int consolePort() {
    return consolePort;
  }

  public String bucket() {
    return DEFAULT_BUCKET;
  }

  public String region() {
    return REGION;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for processes such as the strata CLI. */
  public Map<String, String> credentialsEnv() {
    return Map.of("AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey);
  }

  public Duration startupTime() {
    return startupTime;
  }

  public String diagnostics(int lines) {
    return "---- minio ("
        + process.logFile()
        + "), last "
        + lines
        + " lines ----\n"
        + process.tail(lines)
        + "\n";
  }

  private boolean healthy(String path) {
    try {
      HttpResponse<Void> response =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(2))
              .build()
              .send(
                  HttpRequest.newBuilder(URI.create(endpoint() + path))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    if (!Boolean.getBoolean("strata.e2e.keepWorkDir")) {
      ControlPlane.deleteTree(workDir);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
