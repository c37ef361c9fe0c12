package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tar writer read back by GNU tar: names short, long (past ustar's 100 and 255 bytes) and not
 * ASCII, modes with setuid and sticky bits, sizes around block boundaries, nanosecond mtimes,
 * owners beyond ustar's seven octal digits, symlinks (with long targets, never followed) and hard
 * links.
 */
class TarWriterTest {

  @TempDir Path tmp;

  static final long T = 1_700_000_000_123_456_789L;

  static TarWriter.Meta meta(int mode, long mtimeNanos) {
    return new TarWriter.Meta(mode, mtimeNanos, 1000, 1000);
  }

  static void file(TarWriter tar, String path, byte[] content, TarWriter.Meta meta) {
    tar.beginFile(path, content.length, meta);
    // In two pieces, as blobs come.
    int half = content.length / 2;
    tar.write(content, 0, half);
    tar.write(content, half, content.length - half);
    tar.endFile();
  }

  @Test
  void gnuTarExtractsExactlyWhatWasWritten() throws IOException {
    String longDir =
        "d".repeat(120)
            + "/"
            + "é".repeat(60)
            + "/"
            + "x".repeat(90); // 120 + 121 + 91 bytes: no ustar split
    String longName = longDir + "/" + "f".repeat(200) + ".sst";
    String longTarget = "../".repeat(40) + "target-" + "t".repeat(80);
    Map<String, byte[]> contents = new LinkedHashMap<>();
    for (int size : new int[] {0, 1, 511, 512, 513, 1024, 300_000}) {
      contents.put("sizes/f" + size, Trees.random(size, size));
    }
    Path archive = tmp.resolve("a.tar");
    try (OutputStream out = Files.newOutputStream(archive)) {
      TarWriter tar = new TarWriter(out);
      tar.directory("sizes", meta(0755, T));
      contents.forEach((p, c) -> file(tar, p, c, meta(0644, T + 7)));
      tar.directory("modes", meta(01777, 1_000_000_000L * 1_000_000_000L));
      file(tar, "modes/setuid", "x".getBytes(), meta(04751, T));
      file(
          tar,
          "modes/readonly",
          "r".getBytes(),
          meta(0400, 1_500_000_000L * 1_000_000_000L)); // whole seconds: no pax mtime
      file(
          tar,
          "modes/big-owner",
          "o".getBytes(),
          new TarWriter.Meta(0640, T, 3_000_000, 4_000_000));
      tar.directory("ünïcødé", meta(0700, T));
      file(tar, "ünïcødé/数据 файл.txt", "unicode".getBytes(StandardCharsets.UTF_8), meta(0600, T));
      tar.directory("d".repeat(120), meta(0755, T));
      tar.directory("d".repeat(120) + "/" + "é".repeat(60), meta(0755, T));
      tar.directory(longDir, meta(0755, T));
      file(tar, longName, "long".getBytes(), meta(0644, T));
      tar.hardLink(longDir + "/hard-" + "h".repeat(120), longName, meta(0644, T));
      tar.symlink("link-rel", "sizes/f1", meta(0777, T));
      tar.symlink("link-long", longTarget, meta(0777, T));
      tar.symlink("link-abs", "/etc/shadow", meta(0777, T));
      tar.finish();
    }
    assertThat(Files.size(archive) % 512).isZero();

    Path out = Files.createDirectories(tmp.resolve("out"));
    GnuTar.extract(archive, out);
    contents.forEach(
        (p, c) -> {
          try {
            assertThat(Files.readAllBytes(out.resolve(p))).as(p).isEqualTo(c);
            assertThat(mtime(out.resolve(p))).as(p).isEqualTo(T + 7);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThat(mode(out.resolve("modes/setuid"))).isEqualTo(04751);
    assertThat(mode(out.resolve("modes/readonly"))).isEqualTo(0400);
    assertThat(mtime(out.resolve("modes/readonly"))).isEqualTo(1_500_000_000L * 1_000_000_000L);
    assertThat(mode(out.resolve("modes"))).isEqualTo(01777);
    assertThat(mtime(out.resolve("modes"))).isEqualTo(1_000_000_000L * 1_000_000_000L);
    assertThat(mode(out.resolve("ünïcødé"))).isEqualTo(0700);
    assertThat(Files.readString(out.resolve("ünïcødé/数据 файл.txt"))).isEqualTo("unicode");
    assertThat(Files.getAttribute(out.resolve("modes/big-owner"), "unix:uid")).isEqualTo(3_000_000);
    assertThat(Files.getAttribute(out.resolve("modes/big-owner"), "unix:gid")).isEqualTo(4_000_000);
    assertThat(Files.getAttribute(out.resolve("modes/setuid"), "unix:uid")).isEqualTo(1000);
    assertThat(mtime(out.resolve("modes/setuid"))).isEqualTo(T);

    assertThat(Files.readString(out.resolve(longName))).isEqualTo("long");
    assertThat(
            Files.isSameFile(
                out.resolve(longName), out.resolve(longDir + "/hard-" + "h".repeat(120))))
        .isTrue();
    assertThat(Files.readSymbolicLink(out.resolve("link-rel"))).isEqualTo(Path.of("sizes/f1"));
    assertThat(Files.readSymbolicLink(out.resolve("link-long"))).isEqualTo(Path.of(longTarget));
    assertThat(Files.readSymbolicLink(out.resolve("link-abs"))).isEqualTo(Path.of("/etc/shadow"));

    List<String> names = GnuTar.names(archive);
    assertThat(names)
        .contains("sizes/", "sizes/f0", longDir + "/", longName, "link-long")
        .noneMatch(n -> n.contains("PaxHeaders"));
    assertThat(GnuTar.listVerbose(archive))
        .anySatisfy(l -> assertThat(l).startsWith("-rwsr-x--x 1000/1000").endsWith("modes/setuid"))
        .anySatisfy(l -> assertThat(l).startsWith("drwxrwxrwt").endsWith("modes/"))
        .anySatisfy(l -> assertThat(l).startsWith("lrwxrwxrwx").contains("link-abs -> /etc/shadow"))
        .anySatisfy(l -> assertThat(l).matches("-rw-r--r-- 1000/1000 +300000 .*sizes/f300000"));
  }

  @Test
  void paxRecordsCountTheirOwnLength() {
    for (int n = 1; n < 1200; n++) {
      byte[] r = TarWriter.paxRecords(Map.of("path", "p".repeat(n)));
      String text = new String(r, StandardCharsets.UTF_8);
      assertThat(Integer.parseInt(text.substring(0, text.indexOf(' '))))
          .as("record of %d", n)
          .isEqualTo(r.length);
    }
    byte[] u = TarWriter.paxRecords(Map.of("path", "é".repeat(50)));
    assertThat(new String(u, StandardCharsets.UTF_8)).startsWith(u.length + " path=");
  }

  @Test
  void aFileMustGetExactlyItsSize() {
    TarWriter tar = new TarWriter(new ByteArrayOutputStream());
    tar.beginFile("f", 3, meta(0644, T));
    assertThatThrownBy(() -> tar.write(new byte[4], 0, 4))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than its 3 bytes");
    tar.write(new byte[2], 0, 2);
    assertThatThrownBy(tar::endFile)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 bytes short");
    assertThatThrownBy(() -> tar.directory("d", meta(0755, T))).hasMessageContaining("not ended");
    assertThatThrownBy(
            () -> new TarWriter(new ByteArrayOutputStream()).directory("a\0b", meta(0755, T)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void headersAreUstarWithAValidChecksum() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    TarWriter tar = new TarWriter(bytes);
    file(tar, "short", "abc".getBytes(), meta(0644, 1_000_000_000L * 1_000_000_000L));
    tar.finish();
    byte[] b = bytes.toByteArray();
    assertThat(b)
        .hasSize(
            512 + 512 + 1024); // header, one block of content, end of archive; no pax header needed
    assertThat(new String(b, 257, 6, StandardCharsets.US_ASCII)).isEqualTo("ustar\0");
    assertThat(new String(b, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("short");
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += i >= 148 && i < 156 ? ' ' : b[i] & 0xff;
    }
    assertThat(Long.parseLong(new String(b, 148, 6, StandardCharsets.US_ASCII), 8)).isEqualTo(sum);
    assertThat(Long.parseLong(new String(b, 124, 11, StandardCharsets.US_ASCII), 8)).isEqualTo(3);
  }

  private static int mode(Path p) throws IOException {
    return (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  private static long mtime(Path p) throws IOException {
    Instant t = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant();
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
