package dev.strata.engine.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.format.Compression;
import dev.strata.engine.format.MasterKey;
import dev.strata.engine.format.SealException;
import dev.strata.engine.format.Sealer;
import dev.strata.engine.format.StoreConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Content-defined chunking and the per-blob codec (compression, sealing, the id check). */
class ChunkerAndCodecTest {

  static final StoreConfig.ChunkerParams P = StoreConfig.ChunkerParams.DEFAULT;

  static List<byte[]> chunks(Chunker c, byte[] data) {
    List<byte[]> out = new ArrayList<>();
    int off = 0;
    while (off < data.length) {
      int n = c.cut(data, off, Math.min(data.length - off, c.maxSize()));
      out.add(Arrays.copyOfRange(data, off, off + n));
      off += n;
    }
    return out;
  }

  static Set<String> ids(List<byte[]> chunks) {
    Set<String> out = new HashSet<>();
    chunks.forEach(c -> out.add(Arrays.toString(dev.strata.engine.Hashing.sha256(c))));
    return out;
  }

  @Test
  void chunksStayWithinTheirBoundsAndAverageNearTheTarget() {
    Chunker c = new Chunker(Sealer.NONE.chunkerSeed(), P);
    byte[] data = new byte[64 << 20];
    new Random(1).nextBytes(data);
    List<byte[]> chunks = chunks(c, data);
    for (int i = 0; i < chunks.size() - 1; i++) {
      assertThat(chunks.get(i).length).isBetween(P.minSize(), P.maxSize());
    }
    double mean = (double) data.length / chunks.size();
    assertThat(mean).isBetween(0.8 * P.avgSize(), 1.3 * P.avgSize());
  }

  @Test
  void anInsertionOrAnEditChangesOnlyTheChunksAroundIt() {
    Chunker c = new Chunker(Sealer.NONE.chunkerSeed(), P);
    byte[] data = new byte[64 << 20];
    new Random(2).nextBytes(data);
    Set<String> before = ids(chunks(c, data));

    byte[] inserted = new byte[data.length + 100];
    System.arraycopy(data, 0, inserted, 100, data.length);
    long newBytes =
        chunks(c, inserted).stream()
            .filter(ch -> !before.contains(Arrays.toString(dev.strata.engine.Hashing.sha256(ch))))
            .mapToLong(ch -> ch.length)
            .sum();
    assertThat(newBytes).as("100 bytes inserted at the start").isLessThanOrEqualTo(3L << 20);

    byte[] edited = data.clone();
    new Random(3).nextBytes(Arrays.copyOfRange(edited, 0, 0));
    for (int i = 0; i < 4096; i++) {
      edited[(40 << 20) + i] ^= 0x5a;
    }
    long changed =
        chunks(c, edited).stream()
            .filter(ch -> !before.contains(Arrays.toString(dev.strata.engine.Hashing.sha256(ch))))
            .mapToLong(ch -> ch.length)
            .sum();
    assertThat(changed).as("4 KiB changed in place").isLessThanOrEqualTo(3L << 19);
  }

  /**
   * The cuts of a reader that cuts what its buffer holds and reads more only when the next cut lies
   * beyond it (as the backup does), with reads of random sizes: they must be those of the whole
   * data, or blob ids would depend on how a file happened to be read.
   */
  @Test
  void cuttingWhatTheBufferHoldsGivesTheCutsOfTheWholeData() {
    Chunker c = new Chunker(Sealer.NONE.chunkerSeed(), P);
    Random r = new Random(8);
    byte[] data = new byte[24 << 20];
    r.nextBytes(data);
    Arrays.fill(data, 5 << 20, 14 << 20, (byte) 0); // no content cuts here: maxSize cuts
    for (int i = 16 << 20; i < 20 << 20; i++) {
      data[i] = (byte) ('a' + i % 7); // a repeating pattern
    }
    List<Integer> whole = chunks(c, data).stream().map(x -> x.length).toList();
    for (int round = 0; round < 4; round++) {
      byte[] buf = new byte[P.maxSize() + round * 123_457];
      List<Integer> streamed = new ArrayList<>();
      int start = 0;
      int filled = 0;
      int read = 0;
      long cut = 0;
      while (cut < data.length) {
        int n = filled > start ? c.cut(buf, start, filled - start, read == data.length) : -1;
        if (n < 0) {
          System.arraycopy(buf, start, buf, 0, filled - start);
          filled -= start;
          start = 0;
          int want =
              Math.min(Math.min(buf.length - filled, data.length - read), 1 + r.nextInt(3 << 20));
          System.arraycopy(data, read, buf, filled, want);
          read += want;
          filled += want;
          continue;
        }
        streamed.add(n);
        start += n;
        cut += n;
      }
      assertThat(streamed).as("buffer of %d bytes", buf.length).isEqualTo(whole);
    }
    assertThat(c.cut(data, 0, P.minSize() - 1, false)).as("too little to decide").isEqualTo(-1);
    assertThat(c.cut(data, 5 << 20, P.maxSize(), false))
        .as("a maxSize cut needs no more data")
        .isEqualTo(P.maxSize());
  }

  /**
   * The zero-blob ids a restore computes in one pass are those of hashing each size's zeros, plain
   * and keyed.
   */
  @Test
  void zeroBlobIdsOfManySizesInOnePassAreEachSizesId() {
    long[] sizes = {0, 1, 63, 64, 65, 4095, 65_536, 65_537, 200_000, P.maxSize()};
    for (Sealer sealer : List.of(Sealer.NONE, Sealer.encrypting(MasterKey.generate()))) {
      byte[][] ids = sealer.zeroBlobIds(sizes);
      for (int i = 0; i < sizes.length; i++) {
        int n = (int) sizes[i];
        assertThat(ids[i])
            .as("%d zero bytes, %s", n, sealer.encrypted() ? "keyed" : "plain")
            .isEqualTo(sealer.blobId(new byte[n], 0, n));
      }
    }
  }

  @Test
  void aSmallFileIsOneChunkAndTheKeyedGearTableCutsElsewhere() {
    Chunker plain = new Chunker(Sealer.NONE.chunkerSeed(), P);
    byte[] small = new byte[100_000];
    new Random(4).nextBytes(small);
    assertThat(chunks(plain, small)).hasSize(1);
    byte[] data = new byte[16 << 20];
    new Random(5).nextBytes(data);
    Chunker keyed = new Chunker(Sealer.encrypting(MasterKey.generate()).chunkerSeed(), P);
    List<Integer> a = chunks(plain, data).stream().map(x -> x.length).toList();
    List<Integer> b = chunks(keyed, data).stream().map(x -> x.length).toList();
    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void textIsCompressedRandomBytesAreStoredAsTheyAre() {
    BlobCodec codec = new BlobCodec(Sealer.NONE);
    byte[] text =
        "the quick brown fox jumps over the lazy dog\n"
            .repeat(5000)
            .getBytes(StandardCharsets.UTF_8);
    byte[] id = Sealer.NONE.blobId(text, 0, text.length);
    codec.encode(Compression.AUTO, id, text, 0, text.length);
    assertThat(codec.flags & BlobCodec.COMPRESSED).isNotZero();
    assertThat(codec.storedLength).isLessThan(text.length / 20);
    byte[] stored = Arrays.copyOf(codec.stored, codec.storedLength);
    BlobCodec reader = new BlobCodec(Sealer.NONE);
    reader.decode(id, stored, 0, stored.length, codec.flags, text.length, new byte[text.length]);
    assertThat(Arrays.copyOfRange(reader.raw, reader.rawOffset, reader.rawOffset + text.length))
        .isEqualTo(text);

    byte[] random = new byte[1 << 20];
    new Random(6).nextBytes(random);
    codec.encode(
        Compression.AUTO, Sealer.NONE.blobId(random, 0, random.length), random, 0, random.length);
    assertThat(codec.flags).isZero();
    assertThat(codec.storedLength).isEqualTo(random.length);
    codec.encode(Compression.OFF, id, text, 0, text.length);
    assertThat(codec.flags).isZero();
  }

  @Test
  void aSmallBlobIsCompressedOnlyWhenItShrinksByAThirtySecond() {
    // Small blobs (no sample test) are compressed whole into a buffer zstd cannot overflow; the cap
    // is checked after.
    BlobCodec codec = new BlobCodec(Sealer.NONE);
    Random r = new Random(7);
    for (int zeros : new int[] {0, 100, 2000}) {
      byte[] b = new byte[16_000];
      r.nextBytes(b);
      Arrays.fill(b, 0, zeros, (byte) 0);
      byte[] id = Sealer.NONE.blobId(b, 0, b.length);
      codec.encode(Compression.AUTO, id, b, 0, b.length);
      if (zeros < 1000) {
        assertThat(codec.flags).as("%d zero bytes: does not shrink by 1/32", zeros).isZero();
        assertThat(codec.storedLength).isEqualTo(b.length);
      } else {
        assertThat(codec.flags)
            .as("%d zero bytes: shrinks by more than 1/32", zeros)
            .isEqualTo(BlobCodec.COMPRESSED);
        assertThat(codec.storedLength).isLessThanOrEqualTo(b.length - b.length / 32);
      }
      byte[] stored = Arrays.copyOf(codec.stored, codec.storedLength);
      BlobCodec reader = new BlobCodec(Sealer.NONE);
      reader.decode(id, stored, 0, stored.length, codec.flags, b.length, new byte[b.length]);
      assertThat(Arrays.copyOfRange(reader.raw, reader.rawOffset, reader.rawOffset + b.length))
          .isEqualTo(b);
    }
  }

  @Test
  void aSealedBlobOpensOnlyAsItselfUnderItsKey() {
    Sealer sealer = Sealer.encrypting(MasterKey.generate());
    BlobCodec codec = new BlobCodec(sealer);
    byte[] content = "secret content of a file".repeat(100).getBytes(StandardCharsets.UTF_8);
    byte[] id = sealer.blobId(content, 0, content.length);
    assertThat(id)
        .as("keyed: not the SHA-256 of the content")
        .isNotEqualTo(dev.strata.engine.Hashing.sha256(content));
    codec.encode(Compression.AUTO, id, content, 0, content.length);
    byte[] stored = Arrays.copyOf(codec.stored, codec.storedLength);
    int flags = codec.flags;
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("secret content");

    BlobCodec reader = new BlobCodec(sealer);
    reader.decode(id, stored, 0, stored.length, flags, content.length, new byte[content.length]);
    assertThat(Arrays.copyOfRange(reader.raw, reader.rawOffset, reader.rawOffset + content.length))
        .isEqualTo(content);

    byte[] otherId = id.clone();
    otherId[0] ^= 1;
    assertThatThrownBy(
            () ->
                reader.decode(
                    otherId,
                    stored,
                    0,
                    stored.length,
                    flags,
                    content.length,
                    new byte[content.length]))
        .isInstanceOf(SealException.class)
        .hasMessageContaining("authentication failed");
    byte[] flipped = stored.clone();
    flipped[flipped.length / 2] ^= 1;
    assertThatThrownBy(
            () ->
                reader.decode(
                    id,
                    flipped,
                    0,
                    flipped.length,
                    flags,
                    content.length,
                    new byte[content.length]))
        .isInstanceOf(SealException.class);
    BlobCodec stranger = new BlobCodec(Sealer.encrypting(MasterKey.generate()));
    assertThatThrownBy(
            () ->
                stranger.decode(
                    id, stored, 0, stored.length, flags, content.length, new byte[content.length]))
        .isInstanceOf(SealException.class);
  }

  @Test
  void theRestoreCodecTrustsAesGcmUnderTheIdAndHashesOnlyUnencryptedBlobs() {
    Sealer sealer = Sealer.encrypting(MasterKey.generate());
    byte[] content = "state of a stream task ".repeat(200).getBytes(StandardCharsets.UTF_8);
    byte[] id = sealer.blobId(content, 0, content.length);
    BlobCodec writer = new BlobCodec(sealer);
    writer.encode(Compression.AUTO, id, content, 0, content.length);
    byte[] stored = Arrays.copyOf(writer.stored, writer.storedLength);
    int flags = writer.flags;
    BlobCodec restore = BlobCodec.forRestore(sealer);
    decode(restore, id, stored, flags, content.length);
    assertThat(
            Arrays.copyOfRange(restore.raw, restore.rawOffset, restore.rawOffset + content.length))
        .isEqualTo(content);
    // Damage, and a blob passed off under another id, still fail: the tag covers both.
    byte[] flipped = stored.clone();
    flipped[flipped.length - 20] ^= 1;
    byte[] otherId = id.clone();
    otherId[31] ^= 1;
    assertThatThrownBy(() -> decode(restore, id, flipped, flags, content.length))
        .isInstanceOf(SealException.class);
    assertThatThrownBy(() -> decode(restore, otherId, stored, flags, content.length))
        .isInstanceOf(SealException.class);

    // What only a second hash finds: content a key holder sealed under a wrong id. verify
    // --read-data
    // (the default codec) refuses it; a restore lets it through, as its javadoc says.
    byte[] wrong = "not what the id names ".repeat(200).getBytes(StandardCharsets.UTF_8);
    writer.encode(Compression.OFF, id, wrong, 0, wrong.length);
    byte[] mislabelled = Arrays.copyOf(writer.stored, writer.storedLength);
    assertThatThrownBy(() -> decode(new BlobCodec(sealer), id, mislabelled, 0, wrong.length))
        .isInstanceOf(SealException.class)
        .hasMessageContaining("does not match its id");
    decode(restore, id, mislabelled, 0, wrong.length);

    // Unencrypted, SHA-256 is the only check: the restore codec keeps it.
    byte[] plainId = Sealer.NONE.blobId(content, 0, content.length);
    assertThatThrownBy(
            () -> decode(BlobCodec.forRestore(Sealer.NONE), plainId, wrong, 0, wrong.length))
        .isInstanceOf(SealException.class)
        .hasMessageContaining("does not match its id");
  }

  private static void decode(BlobCodec codec, byte[] id, byte[] stored, int flags, int rawLength) {
    codec.decode(id, stored, 0, stored.length, flags, rawLength, new byte[rawLength]);
  }

  @Test
  void theTableOfIdsKeepsEveryCopyNewestFirst() {
    IdTable t = new IdTable();
    List<byte[]> ids = new ArrayList<>();
    Random r = new Random(7);
    for (int i = 0; i < 50_000; i++) {
      byte[] id = new byte[32];
      r.nextBytes(id);
      ids.add(id);
      assertThat(t.add(id)).isEqualTo(i);
    }
    int again = t.add(ids.get(123));
    for (int i = 0; i < ids.size(); i++) {
      int e = t.find(ids.get(i));
      assertThat(e).isEqualTo(i == 123 ? again : i);
    }
    assertThat(t.next(again)).isEqualTo(123);
    assertThat(t.next(123)).isEqualTo(-1);
    byte[] absent = new byte[32];
    assertThat(t.find(absent)).isEqualTo(-1);
  }
}
