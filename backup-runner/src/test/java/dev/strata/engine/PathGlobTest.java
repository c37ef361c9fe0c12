package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Globs over snapshot paths and the selections `restore --include/--exclude` make of them. */
class PathGlobTest {

  @Test
  void aGlobWithoutASlashMatchesNamesAtAnyDepthOneWithASlashWholePaths() {
    PathGlob sst = PathGlob.of("*.sst");
    assertThat(sst.matches("000001.sst")).isTrue();
    assertThat(sst.matches("db/sub/000001.sst")).isTrue();
    assertThat(sst.matches("db/000001.sst.tmp")).isFalse();

    PathGlob anchored = PathGlob.of("db/*.sst");
    assertThat(anchored.matches("db/1.sst")).isTrue();
    assertThat(anchored.matches("db/sub/1.sst")).isFalse();
    assertThat(anchored.matches("x/db/1.sst")).isFalse();
    assertThat(PathGlob.of("/top.txt").matches("a/top.txt"))
        .as("a leading slash anchors")
        .isFalse();
    assertThat(PathGlob.of("/top.txt").matches("top.txt")).isTrue();

    PathGlob deep = PathGlob.of("db/**/CURRENT");
    assertThat(deep.matches("db/CURRENT")).isTrue();
    assertThat(deep.matches("db/a/b/CURRENT")).isTrue();
    assertThat(PathGlob.of("db/**").matches("db/a/b")).isTrue();
    assertThat(PathGlob.of("0000?.sst").matches("00001.sst")).isTrue();
    assertThat(PathGlob.of("[!a-c]*").matches("d.txt")).isTrue();
    assertThat(PathGlob.of("[!a-c]*").matches("b.txt")).isFalse();
    assertThat(PathGlob.of("a+b(1).txt").matches("a+b(1).txt"))
        .as("regex characters are literal")
        .isTrue();
    assertThat(PathGlob.of("db/").matchesOrUnder("db/x/y")).isTrue();
  }

  @Test
  void badPatternsSayWhatIsWrong() {
    assertThatThrownBy(() -> PathGlob.of(" ")).hasMessageContaining("empty pattern");
    assertThatThrownBy(() -> PathGlob.of("[abc")).hasMessageContaining("without its ]");
  }

  @Test
  void aSelectionTakesIncludesAndWhatIsInThemLessExcludes() {
    PathSelection s = PathSelection.of(List.of("db", "logs/*.log"), List.of("*.tmp", "db/private"));
    assertThat(s.selects("db")).isTrue();
    assertThat(s.selects("db/000001.sst")).isTrue();
    assertThat(s.selects("db/x.tmp")).isFalse();
    assertThat(s.selects("db/private/key")).isFalse();
    assertThat(s.selects("logs/app.log")).isTrue();
    assertThat(s.selects("logs/app.txt")).isFalse();
    assertThat(s.selects("other")).isFalse();
    assertThat(PathSelection.of(null, List.of("*.tmp")).selects("anything/else")).isTrue();
  }
}
