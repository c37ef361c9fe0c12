package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.build.BuildInfo;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.Helm;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The output of {@code helm template} for charts/strata, parsed into Kubernetes objects. */
final class RenderedChart {

  /** The chart's version and appVersion: the build's version without -SNAPSHOT. */
  static final String CHART_VERSION = BuildInfo.releaseVersion();

  static final String APP_VERSION = BuildInfo.releaseVersion();

  /** Non-default values for every key (src/test/resources/chart/custom-values.yaml). */
  static final Path CUSTOM_VALUES = resource("/chart/custom-values.yaml");

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  final String yaml;
  final List<HasMetadata> objects;

  private RenderedChart(String yaml, List<HasMetadata> objects) {
    this.yaml = yaml;
    this.objects = objects;
  }

  /** {@code helm template release charts/strata -n namespace args...}, which must succeed. */
  static RenderedChart render(Helm helm, String release, String namespace, String... args) {
    CommandResult result =
        helm.template(Helm.chartDir(), release, namespace, List.of(args)).assertSuccess();
    return parse(result.stdout());
  }

  static RenderedChart parse(String yaml) {
    Object parsed =
        SERIALIZATION.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    List<HasMetadata> objects = new ArrayList<>();
    if (parsed instanceof List<?> list) {
      list.stream().filter(Objects::nonNull).forEach(o -> objects.add((HasMetadata) o));
    } else if (parsed != null) {
      objects.add((HasMetadata) parsed);
    }
    return new RenderedChart(yaml, objects);
  }

  static Path resource(String name) {
    try {
      return Path.of(Objects.requireNonNull(RenderedChart.class.getResource(name), name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = all(type);
    assertThat(found).as("rendered %s objects", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  List<GenericKubernetesResource> generic(String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(r -> kind.equals(r.getKind()))
        .toList();
  }

  List<String> kinds() {
    return objects.stream().map(HasMetadata::getKind).toList();
  }

  Deployment deployment() {
    return one(Deployment.class);
  }

  Container operatorContainer() {
    List<Container> containers = deployment().getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).extracting(Container::getName).containsExactly("operator");
    return containers.get(0);
  }

  /** The operator container's env, by name, in order. */
  Map<String, EnvVar> env() {
    Map<String, EnvVar> env = new LinkedHashMap<>();
    operatorContainer()
        .getEnv()
        .forEach(
            e -> assertThat(env.put(e.getName(), e)).as("duplicate env " + e.getName()).isNull());
    return env;
  }

  /** The literal value of an env var (null when it is absent or comes from elsewhere). */
  String envValue(String name) {
    EnvVar e = env().get(name);
    return e == null ? null : e.getValue();
  }

  /**
   * The operator container's env as the kubelet would give it to a pod named {@code podName} in
   * {@code namespace}: literal values, and the downward-API fields the chart uses (any other source
   * fails the test).
   */
  Map<String, String> resolvedEnv(String podName, String namespace) {
    Map<String, String> resolved = new LinkedHashMap<>();
    for (EnvVar e : env().values()) {
      if (e.getValueFrom() == null) {
        resolved.put(e.getName(), e.getValue());
        continue;
      }
      assertThat(e.getValueFrom().getFieldRef())
          .as("env %s comes from a fieldRef", e.getName())
          .isNotNull();
      String field = e.getValueFrom().getFieldRef().getFieldPath();
      switch (field) {
        case "metadata.name" -> resolved.put(e.getName(), podName);
        case "metadata.namespace" -> resolved.put(e.getName(), namespace);
        default ->
            throw new AssertionError("env " + e.getName() + " uses an unexpected field " + field);
      }
    }
    return resolved;
  }

  /** The objects of these kinds only, as multi-document YAML (for kubectl apply or the API). */
  List<HasMetadata> ofKinds(String... kinds) {
    List<String> wanted = List.of(kinds);
    return objects.stream().filter(o -> wanted.contains(o.getKind())).toList();
  }
}
