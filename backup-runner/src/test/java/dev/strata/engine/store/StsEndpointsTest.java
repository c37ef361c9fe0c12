package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StsEndpointsTest {

  @ParameterizedTest
  @CsvSource({
    "'', https://sts.amazonaws.com",
    "eu-west-1, https://sts.eu-west-1.amazonaws.com",
    "cn-north-1, https://sts.cn-north-1.amazonaws.com.cn"
  })
  void awsStsOfARegion(String region, String sts) {
    assertThat(StsEndpoints.aws(region)).isEqualTo(sts);
  }

  @ParameterizedTest
  @CsvSource({
    "http://minio.strata-system:9000/, http://minio.strata-system:9000",
    "HTTPS://STS.example.com:443, https://sts.example.com",
    "http://[::1]:9000, http://[::1]:9000"
  })
  void endpointsAreNormalised(String given, String normal) {
    assertThat(StsEndpoints.check(given)).isEqualTo(normal);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sts.amazonaws.com",
        "ftp://sts.example",
        "https://sts.example/path",
        "https://u:p@sts.example",
        "https://sts.example/?Action=x"
      })
  void anythingButSchemeHostAndPortIsRefused(String given) {
    assertThatThrownBy(() -> StsEndpoints.check(given))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be http(s)://host[:port]");
  }
}
