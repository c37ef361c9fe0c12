#!/usr/bin/env python3
"""Seeded dataset generator and mutator for the Strata benchmark (see docs/benchmarks.md).

Every byte comes from random.Random(seed), so the data is the same on every machine: random bytes (incompressible)
for A, B, C and M, and for S half of the files; text-like lines from a seeded vocabulary (compressible) for the other
half of S and for T.

  datasets.py gen A|B|C|S|T|M|Aq|Cq|Sq|Tq|Mq DIR   generate a dataset (skipped when DIR.stamp already matches)
  datasets.py mutate I2|I3|I4|I5 DIR SEED  apply an incremental change to a working copy of A; prints changed bytes
  datasets.py reset SRC DIR             make DIR equal SRC again (size + mtime_ns decide; mtimes are copied)
  datasets.py manifest DIR              'sha256  relpath' lines for every regular file, sorted (as sha256sum prints)
  datasets.py stats DIR                 'files bytes' of a tree
"""
import hashlib
import math
import os
import random
import shutil
import sys

GEN_VERSION = "1"
MiB = 1 << 20
KiB = 1 << 10
BLOCK = 8 * MiB

# Fixed mtime for generated files, so a regenerated dataset is identical including metadata.
BASE_MTIME_NS = 1_700_000_000_000_000_000


def write_random(path, size, rng):
    with open(path, "wb") as f:
        left = size
        while left > 0:
            n = min(BLOCK, left)
            f.write(rng.randbytes(n))
            left -= n


def set_time(path, i):
    t = BASE_MTIME_NS + i * 1_000_000_007
    os.utime(path, ns=(t, t))


def gen_a(d, ssts=32):
    rng = random.Random(0xA64)
    os.makedirs(d)
    i = 0
    for k in range(ssts):
        p = os.path.join(d, "%06d.sst" % (10 + k * 3))
        write_random(p, 64 * MiB, rng)
        set_time(p, i); i += 1
    small = {
        "CURRENT": b"MANIFEST-000004\n",
        "IDENTITY": ("%08x-%04x-%04x-%04x-%012x\n" % tuple(rng.getrandbits(b) for b in (32, 16, 16, 16, 48))).encode(),
        "OPTIONS-000005": rng.randbytes(7 * KiB),
    }
    for name, data in small.items():
        p = os.path.join(d, name)
        with open(p, "wb") as f:
            f.write(data)
        set_time(p, i); i += 1
    for name, size in (("MANIFEST-000004", 4 * MiB), ("LOG", 1 * MiB)):
        p = os.path.join(d, name)
        write_random(p, size, rng)
        set_time(p, i); i += 1


def gen_b(d):
    """B sst-mixed: about 4 GiB of files of 4-256 MiB, log-uniform sizes."""
    rng = random.Random(0xB)
    os.makedirs(d)
    total, i = 0, 0
    while total < 4 * 1024 * MiB:
        size = int(math.exp(rng.uniform(math.log(4 * MiB), math.log(256 * MiB))))
        size = min(size, 4 * 1024 * MiB - total) if total + size > 4 * 1024 * MiB + 128 * MiB else size
        p = os.path.join(d, "%06d.sst" % (100 + i))
        write_random(p, size, rng)
        set_time(p, i)
        total += size
        i += 1


def gen_c(d, groups=10, dirs=50):
    """C small-50k: 50,000 files of 1-16 KiB in 500 directories (10 groups x 50 directories x 100 files)."""
    rng = random.Random(0xC50)
    os.makedirs(d)
    i = 0
    for g in range(groups):
        for s in range(dirs):
            sub = os.path.join(d, "g%02d" % g, "d%02d" % s)
            os.makedirs(sub)
            for k in range(100):
                p = os.path.join(sub, "f%03d.dat" % k)
                with open(p, "wb") as f:
                    f.write(rng.randbytes(rng.randint(1 * KiB, 16 * KiB)))
                set_time(p, i); i += 1


WORDS_SEED = 0x5707


def vocabulary(n=4000):
    rng = random.Random(WORDS_SEED)
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 11))) for _ in range(n)]


def text_like(rng, size, words):
    """Lines of words and numbers, like logs and configuration: zstd compresses them about 3 to 4 times."""
    out, n = [], 0
    while n < size:
        line = "%d %s %s=%d %s\n" % (rng.randint(1_600_000_000, 1_700_000_000), rng.choice(words),
                                     rng.choice(words), rng.randint(0, 99999), " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))))
        out.append(line)
        n += len(line)
    return "".join(out).encode()[:size]


def gen_s(d, files=20_000, dirs=200):
    """S small-20k: 20,000 files of 0.5-32 KiB (log-uniform sizes) in 200 directories, half random, half text-like."""
    rng = random.Random(0x520)
    words = vocabulary()
    os.makedirs(d)
    for i in range(files):
        sub = os.path.join(d, "d%03d" % (i % dirs))
        os.makedirs(sub, exist_ok=True)
        size = int(math.exp(rng.uniform(math.log(512), math.log(32 * KiB))))
        p = os.path.join(sub, "f%05d.%s" % (i, "dat" if i % 2 == 0 else "log"))
        with open(p, "wb") as f:
            f.write(rng.randbytes(size) if i % 2 == 0 else text_like(rng, size, words))
        set_time(p, i)


def gen_t(d, files=64, size=4 * MiB):
    """T compressible: 64 files of 4 MiB of text-like log lines (256 MiB)."""
    rng = random.Random(0x7E7)
    words = vocabulary()
    os.makedirs(d)
    for i in range(files):
        p = os.path.join(d, "app-%03d.log" % i)
        with open(p, "wb") as f:
            f.write(text_like(rng, size, words))
        set_time(p, i)


def gen_m(d, files=1_000_000, per_dir=1000):
    """M a million files of 0-256 bytes, 1,000 per directory: memory and time that grow with the number of files."""
    rng = random.Random(0x1E6)
    os.makedirs(d)
    for i in range(files):
        sub = os.path.join(d, "d%04d" % (i // per_dir))
        if i % per_dir == 0:
            os.makedirs(sub)
        p = os.path.join(sub, "f%04d" % (i % per_dir))
        with open(p, "wb") as f:
            f.write(rng.randbytes(rng.randint(0, 256)))
        set_time(p, i)


GENERATORS = {
    "A": gen_a, "B": gen_b, "C": gen_c, "S": gen_s, "T": gen_t, "M": gen_m,
    # Small variants for run.sh --quick: A with 8 SSTs (512 MiB), C with 2,000 files in 20 directories.
    "Aq": lambda d: gen_a(d, ssts=8), "Cq": lambda d: gen_c(d, groups=1, dirs=20),
    "Sq": lambda d: gen_s(d, files=2_000, dirs=20), "Tq": lambda d: gen_t(d, files=8),
    "Mq": lambda d: gen_m(d, files=50_000),
}


def cmd_gen(name, d):
    stamp = d.rstrip("/") + ".stamp"
    want = "dataset %s generator %s\n" % (name, GEN_VERSION)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    if os.path.exists(d):
        shutil.rmtree(d)
    GENERATORS[name](d)
    # The stamp lives next to the tree (DIR.stamp), so no tool ever sees it.
    with open(stamp + ".tmp", "w") as f:
        f.write(want)
    os.rename(stamp + ".tmp", stamp)


def append_random(path, size, rng):
    with open(path, "ab") as f:
        f.write(rng.randbytes(size))


def cmd_mutate(kind, d, seed):
    rng = random.Random(seed * 7919 + ord(kind[-1]))
    changed = 0
    if kind == "I2":
        # About 1%: a new 16 MiB SST, 64 KiB appended to MANIFEST and LOG, CURRENT rewritten.
        p = os.path.join(d, "%06d.sst" % (900000 + seed))
        write_random(p, 16 * MiB, rng); changed += 16 * MiB
        append_random(os.path.join(d, "MANIFEST-000004"), 64 * KiB, rng); changed += 64 * KiB
        append_random(os.path.join(d, "LOG"), 64 * KiB, rng); changed += 64 * KiB
        cur = os.path.join(d, "CURRENT")
        with open(cur + ".tmp", "wb") as f:
            f.write(b"MANIFEST-000004\n")
        os.rename(cur + ".tmp", cur); changed += 16
    elif kind == "I3":
        # Compaction: 4 SSTs deleted, 2 x 128 MiB added.
        ssts = sorted(f for f in os.listdir(d) if f.endswith(".sst"))
        for f in ssts[:4]:
            os.remove(os.path.join(d, f))
        for k in range(2):
            write_random(os.path.join(d, "%06d.sst" % (800000 + seed * 2 + k)), 128 * MiB, rng)
            changed += 128 * MiB
    elif kind == "I4":
        # 4 KiB changed inside one 64 MiB file (same size, new mtime).
        # The sixth of A's original SSTs (present in A and in the quick variant Aq, never removed by I3).
        p = os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith(".sst") and f < "800000")[5])
        with open(p, "r+b") as f:
            f.seek(37 * MiB + 4 * KiB * (seed % 7))
            f.write(rng.randbytes(4 * KiB))
        changed += 4 * KiB
    elif kind == "I5":
        # 100 bytes inserted at the start of one 64 MiB file (everything after it shifts; same file, new mtime).
        p = os.path.join(d, sorted(f for f in os.listdir(d) if f.endswith(".sst") and f < "800000")[6])
        with open(p, "rb") as f:
            data = f.read()
        with open(p + ".tmp", "wb") as f:
            f.write(rng.randbytes(100))
            f.write(data)
        os.rename(p + ".tmp", p)
        changed += 100
    else:
        raise SystemExit("unknown mutation " + kind)
    print(changed)


def walk_files(d):
    for root, dirs, files in os.walk(d):
        dirs.sort()
        for f in sorted(files):
            yield os.path.join(root, f)


def cmd_reset(src, d):
    """Make d equal to src: copy files whose size or mtime differ, delete extras. Returns nothing."""
    os.makedirs(d, exist_ok=True)
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        troot = os.path.normpath(os.path.join(d, rel))
        os.makedirs(troot, exist_ok=True)
        want = set(files)
        have = set(os.listdir(troot))
        for extra in have - want - set(dirs):
            p = os.path.join(troot, extra)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.remove(p)
        for f in want:
            s, t = os.path.join(root, f), os.path.join(troot, f)
            ss = os.stat(s)
            try:
                ts = os.stat(t)
                if ts.st_size == ss.st_size and ts.st_mtime_ns == ss.st_mtime_ns:
                    continue
            except FileNotFoundError:
                pass
            shutil.copyfile(s, t + ".reset-tmp")
            os.utime(t + ".reset-tmp", ns=(ss.st_atime_ns, ss.st_mtime_ns))
            os.rename(t + ".reset-tmp", t)
    # Directory mtimes changed by the copies: put them back too.
    for root, dirs, files in os.walk(src, topdown=False):
        rel = os.path.relpath(root, src)
        st = os.stat(root)
        os.utime(os.path.normpath(os.path.join(d, rel)), ns=(st.st_atime_ns, st.st_mtime_ns))


def cmd_manifest(d):
    out = []
    for p in walk_files(d):
        h = hashlib.sha256()
        with open(p, "rb") as f:
            while True:
                b = f.read(BLOCK)
                if not b:
                    break
                h.update(b)
        out.append("%s  %s" % (h.hexdigest(), os.path.relpath(p, d)))
    print("\n".join(out))


def cmd_stats(d):
    n = b = 0
    for p in walk_files(d):
        n += 1
        b += os.path.getsize(p)
    print(n, b)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    c = argv[1]
    if c == "gen":
        cmd_gen(argv[2], argv[3])
    elif c == "mutate":
        cmd_mutate(argv[2], argv[3], int(argv[4]))
    elif c == "reset":
        cmd_reset(argv[2], argv[3])
    elif c == "manifest":
        cmd_manifest(argv[2])
    elif c == "stats":
        cmd_stats(argv[2])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
