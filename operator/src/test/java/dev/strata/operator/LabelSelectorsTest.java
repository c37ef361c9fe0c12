package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Label selectors behave as Kubernetes defines them. */
class LabelSelectorsTest {

  static LabelSelector expr(String key, String op, String... values) {
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(key)
        .withOperator(op)
        .withValues(List.of(values))
        .endMatchExpression()
        .build();
  }

  @Test
  void matchLabelsNeedEveryPair() {
    LabelSelector s =
        new LabelSelectorBuilder().withMatchLabels(Map.of("app", "kafka", "tier", "state")).build();
    assertThat(LabelSelectors.matches(s, Map.of("app", "kafka", "tier", "state", "extra", "x")))
        .isTrue();
    assertThat(LabelSelectors.matches(s, Map.of("app", "kafka"))).isFalse();
    assertThat(LabelSelectors.matches(s, Map.of("app", "kafka", "tier", "web"))).isFalse();
  }

  @Test
  void expressionsFollowTheirOperator() {
    assertThat(LabelSelectors.matches(expr("app", "In", "a", "b"), Map.of("app", "b"))).isTrue();
    assertThat(LabelSelectors.matches(expr("app", "In", "a", "b"), Map.of())).isFalse();
    assertThat(LabelSelectors.matches(expr("app", "NotIn", "a"), Map.of())).isTrue();
    assertThat(LabelSelectors.matches(expr("app", "NotIn", "a"), Map.of("app", "a"))).isFalse();
    assertThat(LabelSelectors.matches(expr("app", "Exists"), Map.of("app", ""))).isTrue();
    assertThat(LabelSelectors.matches(expr("app", "DoesNotExist"), Map.of("app", ""))).isFalse();
  }

  @Test
  void anEmptySelectorMatchesEveryPodEvenWithoutLabels() {
    assertThat(LabelSelectors.matches(new LabelSelector(), null)).isTrue();
  }

  @Test
  void anInvalidSelectorMatchesNothingAndSaysWhy() {
    assertThat(LabelSelectors.matches(expr("app", "Equals", "a"), Map.of("app", "a"))).isFalse();
    assertThat(LabelSelectors.problem(expr("app", "Equals", "a")))
        .hasValueSatisfying(m -> assertThat(m).contains("unknown operator 'Equals'"));
    assertThat(LabelSelectors.problem(expr("app", "In")))
        .hasValueSatisfying(m -> assertThat(m).contains("operator In needs values"));
    assertThat(LabelSelectors.problem(expr("app", "Exists", "x")))
        .hasValueSatisfying(m -> assertThat(m).contains("takes no values"));
    assertThat(LabelSelectors.problem(expr("app", "In", "a"))).isEmpty();
  }
}
