import java.security.MessageDigest;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Single-thread hashing speed in this JVM, the way Strata hashes: one MessageDigest, 4 MiB buffers.
 * Run with the source launcher: {@code java HashSpeed.java [seconds]}. Prints one "algorithm MB/s" line each.
 */
public class HashSpeed {
  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
    byte[] buf = new byte[4 << 20];
    new Random(42).nextBytes(buf);
    for (String alg : new String[] {"SHA-256", "MD5", "CRC32C"}) {
      run(alg, buf, 0.5); // warm-up: let the JIT and intrinsics kick in
      System.out.printf("%s %.1f%n", alg, run(alg, buf, seconds));
    }
  }

  static double run(String alg, byte[] buf, double seconds) throws Exception {
    MessageDigest md = alg.equals("CRC32C") ? null : MessageDigest.getInstance(alg);
    CRC32C crc = new CRC32C();
    long bytes = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long sink = 0;
    while (System.nanoTime() < end) {
      if (md != null) {
        md.update(buf);
        sink += md.digest()[0];
      } else {
        crc.reset();
        crc.update(buf);
        sink += crc.getValue();
      }
      bytes += buf.length;
    }
    double s = (System.nanoTime() - start) / 1e9;
    if (sink == 42) System.err.print("");
    return bytes / s / 1e6;
  }
}
