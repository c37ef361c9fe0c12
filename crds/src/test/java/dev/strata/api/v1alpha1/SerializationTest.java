package dev.strata.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the operator reads back is what it wrote. java-operator-sdk clones every resource through
 * Jackson before a reconcile; a helper method that looks like a bean getter ({@code isEmpty()}) is
 * written as a field ("empty") that the record cannot read, and every reconcile of such a resource
 * fails (found on the real node: a StateSnapshot with hooks never started).
 */
class SerializationTest {

  final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void aSnapshotWithHooksAndItsResultsSurvivesTheOperatorsClone() {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName("snap").withNamespace("ns").build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource("data", "checkpoint"),
            new LocalObjectRef("store"),
            4,
            null,
            null,
            null,
            null,
            new SnapshotHooks(
                List.of(
                    new Hook(
                        "checkpoint",
                        "app",
                        List.of("sh", "-c", "true"),
                        60L,
                        HookErrorPolicy.Fail)),
                null),
            OnFileChange.Record,
            5));
    s.setStatus(
        new StateSnapshotStatus(
            SnapshotPhase.Succeeded,
            "ns/data/checkpoint",
            "snap-backup",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            "done",
            List.of(
                new HookResult(
                    "pre",
                    "checkpoint",
                    "app-0",
                    "app",
                    HookResult.SUCCEEDED,
                    0,
                    "t0",
                    "t1",
                    "42",
                    null)),
            new FileChanges(List.of("LOG"), 1, null, null),
            "2026-12-08T10:00:00Z"));
    String json = serialization.asJson(s);
    assertThat(json).doesNotContain("\"empty\"");
    StateSnapshot clone = serialization.clone(s);
    assertThat(clone.getSpec()).isEqualTo(s.getSpec());
    assertThat(clone.getStatus()).isEqualTo(s.getStatus());
  }

  /**
   * The same mistake anywhere in the API: every bean-style getter of a record that a custom
   * resource holds (its spec and status, and what they hold, through lists and maps) is one of its
   * fields or is @JsonIgnore.
   */
  @Test
  void noRecordOfTheResourcesHasAGetterThatIsNotOneOfItsFields()
      throws IOException, URISyntaxException {
    Path dir =
        Path.of(StateSnapshot.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve(StateSnapshot.class.getPackageName().replace('.', '/'));
    java.util.Deque<Class<?>> todo = new java.util.ArrayDeque<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        Class<?> type =
            load(
                StateSnapshot.class.getPackageName()
                    + "."
                    + f.getFileName().toString().replace(".class", ""));
        if (io.fabric8.kubernetes.client.CustomResource.class.isAssignableFrom(type)
            && type.getGenericSuperclass()
                instanceof java.lang.reflect.ParameterizedType resource) {
          Arrays.stream(resource.getActualTypeArguments()).forEach(t -> addClasses(t, todo));
        }
      }
    }
    java.util.Set<Class<?>> seen = new java.util.HashSet<>();
    List<String> wrong = new ArrayList<>();
    while (!todo.isEmpty()) {
      Class<?> type = todo.pop();
      if (!type.isRecord() || !seen.add(type)) {
        continue;
      }
      Set<String> components =
          Arrays.stream(type.getRecordComponents())
              .map(RecordComponent::getName)
              .collect(Collectors.toSet());
      Arrays.stream(type.getRecordComponents()).forEach(c -> addClasses(c.getGenericType(), todo));
      for (Method m : type.getDeclaredMethods()) {
        boolean getter =
            m.getParameterCount() == 0
                && Modifier.isPublic(m.getModifiers())
                && !Modifier.isStatic(m.getModifiers())
                && (m.getName().matches("get[A-Z].*")
                    || m.getName().matches("is[A-Z].*")
                        && (m.getReturnType() == boolean.class
                            || m.getReturnType() == Boolean.class));
        if (getter
            && !components.contains(m.getName())
            && !m.isAnnotationPresent(JsonIgnore.class)) {
          wrong.add(type.getSimpleName() + "." + m.getName() + "()");
        }
      }
    }
    assertThat(seen)
        .contains(StateSnapshotSpec.class, SnapshotHooks.class, HookResult.class)
        .hasSizeGreaterThan(20);
    assertThat(wrong)
        .as("rename these, or mark them @JsonIgnore: Jackson writes them as fields no reader knows")
        .isEmpty();
  }

  static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The classes a declared type names: itself, or a generic type and its arguments (List<Hook>:
   * List and Hook).
   */
  static void addClasses(java.lang.reflect.Type t, java.util.Deque<Class<?>> into) {
    if (t instanceof Class<?> c) {
      into.add(c);
    } else if (t instanceof java.lang.reflect.ParameterizedType p) {
      addClasses(p.getRawType(), into);
      Arrays.stream(p.getActualTypeArguments()).forEach(a -> addClasses(a, into));
    }
  }
}
