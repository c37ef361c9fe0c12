package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.e2e.support.ClusterDns;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import io.minio.GetObjectArgs;
import io.minio.PutObjectArgs;
import io.minio.StatObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MinIO extension: a real server whose outage a test can simulate, keeping port and data, as
 * the examples' store.
 */
@ExtendWith(MinioExtension.class)
class MinioServerTest {

  @Test
  void stopAndStartKeepPortAndData(MinioServer minio) throws Exception {
    String bucket = minio.freshBucket("outage");
    byte[] content = "survives an outage".getBytes(StandardCharsets.UTF_8);
    minio
        .client()
        .putObject(
            PutObjectArgs.builder().bucket(bucket).object("a/b.txt").stream(
                    new ByteArrayInputStream(content), content.length, -1)
                .build());
    String endpoint = minio.endpoint();

    minio.stop();
    assertThat(minio.isRunning()).isFalse();
    assertThatThrownBy(
            () ->
                minio
                    .client()
                    .statObject(StatObjectArgs.builder().bucket(bucket).object("a/b.txt").build()))
        .isInstanceOf(java.io.IOException.class);

    minio.start();
    assertThat(minio.endpoint()).isEqualTo(endpoint);
    try (var in =
        minio
            .client()
            .getObject(GetObjectArgs.builder().bucket(bucket).object("a/b.txt").build())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void defaultBucketExistsAndCredentialsAreForProcesses(MinioServer minio) throws Exception {
    assertThat(
            minio
                .client()
                .bucketExists(io.minio.BucketExistsArgs.builder().bucket(minio.bucket()).build()))
        .isTrue();
    assertThat(minio.credentialsEnv())
        .containsEntry("AWS_ACCESS_KEY_ID", minio.accessKey())
        .containsEntry("AWS_SECRET_ACCESS_KEY", minio.secretKey());
    assertThat(minio.endpoint()).matches("http://127\\.77\\.\\d+\\.\\d+:9000");
  }

  @Test
  void itAnswersTheExamplesEndpointWithTheExamplesCredentials(MinioServer minio) throws Exception {
    String clusterIp = java.net.URI.create(minio.endpoint()).getHost();
    assertThat(java.nio.file.Files.readAllLines(ClusterDns.hostsFile()))
        .contains(
            clusterIp
                + " minio.strata-system minio.strata-system.svc minio.strata-system.svc.cluster.local");
    // The examples' user may read and write, as a store's credentials must.
    io.minio.MinioClient user =
        io.minio.MinioClient.builder()
            .endpoint(minio.endpoint())
            .credentials(Examples.EXAMPLE_ACCESS_KEY_ID, Examples.EXAMPLE_SECRET_ACCESS_KEY)
            .region(minio.region())
            .build();
    byte[] content = "from the examples' user".getBytes(StandardCharsets.UTF_8);
    user.putObject(
        PutObjectArgs.builder().bucket(minio.bucket()).object("examples-user.txt").stream(
                new ByteArrayInputStream(content), content.length, -1)
            .build());
    try (var in =
        user.getObject(
            GetObjectArgs.builder().bucket(minio.bucket()).object("examples-user.txt").build())) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }
}
