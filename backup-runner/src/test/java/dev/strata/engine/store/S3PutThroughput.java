package dev.strata.engine.store;

import com.google.common.collect.HashMultimap;
import com.google.common.collect.Multimap;
import dev.strata.testing.S3ProxyExtension;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures PUT throughput of 4 MiB objects against S3Proxy (in this JVM) with 8 threads, for the
 * ways of putting a byte array that minio-java offers and for S3BlobStoreManager's. S3Proxy keeps
 * objects in memory unless -Dstore=disk, so that the figures show the client's costs rather than
 * the disk's. Not a test; run by hand:
 *
 * <pre>
 * mvn -q -pl backup-runner test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 * java -Xmx4g -cp backup-runner/target/test-classes:backup-runner/target/classes:$(cat /tmp/cp.txt) \
 *     [-Dstore=disk] dev.strata.engine.store.S3PutThroughput [objects] [threads] [runs]
 * </pre>
 *
 * or, to see the client's CPU alone, the server in its own JVM ({@code server [seconds]}) and the
 * client pointed at it:
 *
 * <pre>
 * java -cp ... dev.strata.engine.store.S3PutThroughput server 1800 &amp;   # prints its endpoint
 * java -cp ... -Dendpoint=http://127.0.0.1:PORT dev.strata.engine.store.S3PutThroughput 256 8 5
 * </pre>
 */
public final class S3PutThroughput {

  private static final int SIZE = 4 << 20;
  private static final Metadata META = Metadata.of("bench", "bench");

  interface Putter {
    void put(String key, byte[] data, byte[] sha256) throws Exception;
  }

  /**
   * minio-java's protected byte-array PUT without a precomputed digest: it hashes MD5 and SHA-256
   * itself.
   */
  static final class RehashingClient extends MinioAsyncClient {
    RehashingClient(MinioAsyncClient client) {
      super(client);
    }

    void put(String bucket, String key, byte[] data) throws Exception {
      Multimap<String, String> headers = HashMultimap.create();
      headers.put("Content-Type", "application/octet-stream");
      putObjectAsync(bucket, null, key, data, data.length, headers, null).get();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("server")) {
      // S3Proxy alone, so that a client in another JVM can measure its own CPU without the
      // server's.
      S3ProxyExtension s3 =
          new S3ProxyExtension("bench", !"disk".equals(System.getProperty("store")));
      s3.start();
      System.out.println("endpoint " + s3.endpoint());
      Thread.sleep(Long.parseLong(args.length > 1 ? args[1] : "3600") * 1000);
      s3.stop();
      return;
    }
    int objects = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String external = System.getProperty("endpoint");
    S3ProxyExtension s3 =
        new S3ProxyExtension("bench", !"disk".equals(System.getProperty("store")));
    if (external == null) {
      s3.start();
    }
    try {
      byte[][] payloads = new byte[16][];
      byte[][] digests = new byte[16][];
      Random random = new Random(1);
      for (int i = 0; i < payloads.length; i++) {
        payloads[i] = new byte[SIZE];
        random.nextBytes(payloads[i]);
        digests[i] = MessageDigest.getInstance("SHA-256").digest(payloads[i]);
      }
      System.out.printf(
          Locale.ROOT,
          "JVM hashing, one thread: SHA-256 %.0f MB/s, MD5 %.0f MB/s%n",
          hashSpeed("SHA-256", payloads),
          hashSpeed("MD5", payloads));

      S3StoreConfig config =
          external == null
              ? s3.config("")
              : new S3StoreConfig(
                  external, "bench", "", null, true, s3.accessKey(), s3.secretKey(), null);
      MinioClient stock =
          MinioClient.builder()
              .endpoint(config.endpoint())
              .credentials(config.accessKey(), config.secretKey())
              .build();
      MinioClient stockTuned =
          MinioClient.builder()
              .endpoint(config.endpoint())
              .credentials(config.accessKey(), config.secretKey())
              .httpClient(S3HttpClients.create(config, 64))
              .build();
      RehashingClient rehashing =
          new RehashingClient(
              MinioAsyncClient.builder()
                  .endpoint(config.endpoint())
                  .credentials(config.accessKey(), config.secretKey())
                  .httpClient(S3HttpClients.create(config, 64))
                  .build());
      S3BlobStoreManager strata = new S3BlobStoreManager(config);

      List<Object[]> modes =
          List.of(
              new Object[] {
                "minio putObject(stream), default OkHttp (5 per host)",
                (Putter)
                    (k, d, h) ->
                        stock.putObject(
                            PutObjectArgs.builder().bucket(config.bucket()).object(k).stream(
                                    new ByteArrayInputStream(d), d.length, -1)
                                .contentType("application/octet-stream")
                                .build())
              },
              new Object[] {
                "minio putObject(stream), tuned OkHttp",
                (Putter)
                    (k, d, h) ->
                        stockTuned.putObject(
                            PutObjectArgs.builder().bucket(config.bucket()).object(k).stream(
                                    new ByteArrayInputStream(d), d.length, -1)
                                .contentType("application/octet-stream")
                                .build())
              },
              new Object[] {
                "minio byte[] PUT (MD5 + SHA-256 by client), tuned OkHttp",
                (Putter) (k, d, h) -> rehashing.put(config.bucket(), k, d)
              },
              new Object[] {
                "S3BlobStoreManager.put (precomputed SHA-256)",
                (Putter) (k, d, h) -> strata.put(k, d, d.length, h, META)
              });

      for (Object[] mode : modes) {
        run((Putter) mode[1], payloads, digests, 64, threads); // warm-up
      }
      // Runs interleave the modes, so drift on a shared machine (page cache, other load) hits them
      // alike.
      double[][] mbps = new double[modes.size()][runs];
      double[][] cpu = new double[modes.size()][runs];
      for (int r = 0; r < runs; r++) {
        for (int m = 0; m < modes.size(); m++) {
          double[] result = run((Putter) modes.get(m)[1], payloads, digests, objects, threads);
          mbps[m][r] = result[0];
          cpu[m][r] = result[1];
        }
      }
      for (int m = 0; m < modes.size(); m++) {
        double[] sorted = mbps[m].clone();
        Arrays.sort(sorted);
        double[] cpuSorted = cpu[m].clone();
        Arrays.sort(cpuSorted);
        System.out.printf(
            Locale.ROOT,
            "%-60s median %5.0f MB/s (runs %s), process CPU %.2f s per GB%n",
            modes.get(m)[0],
            sorted[runs / 2],
            Arrays.toString(Arrays.stream(mbps[m]).mapToLong(Math::round).toArray()),
            cpuSorted[runs / 2]);
      }
      strata.close();
      rehashing.close();
    } finally {
      s3.stop();
    }
  }

  /**
   * Puts {@code objects} objects from {@code threads} threads; returns MB/s and process CPU seconds
   * per GB.
   */
  private static double[] run(
      Putter putter, byte[][] payloads, byte[][] digests, int objects, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> {
                putter.put(
                    String.format("bench/%05d", n),
                    payloads[n % payloads.length],
                    digests[n % digests.length]);
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
    pool.shutdown();
    double gb = (double) objects * SIZE / 1e9;
    return new double[] {gb * 1000 / seconds, cpuSeconds / gb};
  }

  private static double hashSpeed(String algorithm, byte[][] payloads) throws Exception {
    MessageDigest digest = MessageDigest.getInstance(algorithm);
    for (byte[] p : payloads) {
      digest.update(p); // warm-up
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < 4; i++) {
      for (byte[] p : payloads) {
        digest.update(p);
      }
    }
    digest.digest();
    return 4.0 * payloads.length * SIZE / 1e6 / ((System.nanoTime() - t0) / 1e9);
  }
}
