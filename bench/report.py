#!/usr/bin/env python3
"""Result rows and the summary of a benchmark run (called by bench/run.sh).

  report.py row --tool T --scenario S ... >> results.csv   one CSV row from a measured run
  report.py brief < row                                     one human line for the log
  report.py patch-last results.csv SYNC_S VERIFIED          fill sync_s/verified of the last row (restores)
  report.py set-last results.csv FIELD VALUE                set one field of the last row (stored_bytes)
  report.py summarize RESULTS_DIR [--docs docs/benchmarks.md]
"""
import argparse
import csv
import io
import json
import os
import re
import statistics
import sys

FIELDS = ("scenario,tool,rep,warmup,load1,wall_s,user_s,sys_s,cpu_s,maxrss_mb,logical_bytes,files,mb_per_s,files_per_s,"
          "server_bytes,server_objects,server_cpu_s,tool_bytes,engine_ms,changed_bytes,sync_s,verified,exit,stored_bytes").split(",")
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
PEERS = ("rclone", "rclone-t16", "restic")
TARGETS = {"backupA": 1.25, "restoreA": 1.25, "i1_ms": 1000, "i2": 1.1, "c": 1.0, "rss": 256}


# ------------------------------------------------------------------------------------------------ one row
def parse_time(path):
    out = {"user": 0.0, "sys": 0.0, "rss_kb": 0}
    try:
        for line in open(path, errors="replace"):
            line = line.strip()
            if line.startswith("User time (seconds):"):
                out["user"] = float(line.split(":")[1])
            elif line.startswith("System time (seconds):"):
                out["sys"] = float(line.split(":")[1])
            elif line.startswith("Maximum resident set size (kbytes):"):
                out["rss_kb"] = int(line.split(":")[1])
    except FileNotFoundError:
        pass
    return out


def json_objects(text):
    """Every JSON object in text: one per line, or one (possibly pretty-printed) document."""
    objs = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}"):
            try:
                objs.append(json.loads(line))
            except ValueError:
                pass
    if not objs:
        start = text.find("{")
        if start >= 0:
            try:
                objs.append(json.loads(text[start:text.rfind("}") + 1]))
            except ValueError:
                pass
    return objs


def tool_figures(tool, scenario, out, err):
    """(bytes the tool says it moved, the tool's own duration in ms) from its output."""
    moved, ms = "", ""
    if tool.startswith("strata"):
        for o in json_objects(out):
            if "durationMs" in o:
                moved = o.get("uploadedBytes", o.get("downloadedBytes", ""))
                ms = o["durationMs"]
    elif tool.startswith("rclone"):
        for o in json_objects(err):
            st = o.get("stats")
            if isinstance(st, dict) and "bytes" in st:
                moved = st["bytes"]
                ms = round(st.get("elapsedTime", 0) * 1000)
    elif tool.startswith("restic"):
        for o in json_objects(out):
            if o.get("message_type") == "summary":
                if "data_added_packed" in o:
                    moved = o["data_added_packed"]
                elif "data_added" in o:
                    moved = o["data_added"]
                elif "bytes_restored" in o:
                    moved = o["bytes_restored"]
                elif "total_bytes" in o:
                    moved = o["total_bytes"]
                if "total_duration" in o:
                    ms = round(o["total_duration"] * 1000)
                elif "seconds_elapsed" in o:
                    ms = round(o["seconds_elapsed"] * 1000)
    return moved, ms


def cmd_row(argv):
    ap = argparse.ArgumentParser()
    for a in ("tool", "scenario", "rep", "warmup", "load", "wall", "time-file", "out", "err", "bytes", "files", "changed",
              "server-bytes", "server-objects", "server-cpu", "exit"):
        ap.add_argument("--" + a, default="")
    a = ap.parse_args(argv)
    t = parse_time(a.time_file)
    wall = float(a.wall)
    out = open(a.out, errors="replace").read() if os.path.exists(a.out) else ""
    err = open(a.err, errors="replace").read() if os.path.exists(a.err) else ""
    moved, ms = tool_figures(a.tool, a.scenario, out, err)
    b, f = int(a.bytes or 0), int(a.files or 0)
    row = {
        "scenario": a.scenario, "tool": a.tool, "rep": a.rep, "warmup": a.warmup, "load1": a.load,
        "wall_s": "%.3f" % wall, "user_s": "%.2f" % t["user"], "sys_s": "%.2f" % t["sys"],
        "cpu_s": "%.2f" % (t["user"] + t["sys"]), "maxrss_mb": "%.1f" % (t["rss_kb"] / 1024),
        "logical_bytes": b, "files": f,
        "mb_per_s": "%.1f" % (b / wall / 1e6) if wall > 0 else "",
        "files_per_s": "%.0f" % (f / wall) if wall > 0 else "",
        "server_bytes": a.server_bytes, "server_objects": a.server_objects, "server_cpu_s": a.server_cpu,
        "tool_bytes": moved, "engine_ms": ms, "changed_bytes": a.changed, "sync_s": "", "verified": "",
        "exit": a.exit, "stored_bytes": "",
    }
    w = csv.DictWriter(sys.stdout, FIELDS, lineterminator="\n")
    w.writerow(row)


def cmd_brief():
    r = next(csv.DictReader(io.StringIO(sys.stdin.read()), FIELDS))
    extra = ""
    if r["tool_bytes"] != "":
        extra += " tool-bytes=%s" % r["tool_bytes"]
    if r["engine_ms"] != "":
        extra += " engine=%sms" % r["engine_ms"]
    print("    %-9s %-11s %-4s %s%8ss %8s MB/s %7s files/s cpu=%ss rss=%sMB server=%sB/%sobj%s exit=%s" % (
        r["scenario"], r["tool"], r["rep"], "(warm-up) " if r["warmup"] == "1" else "", r["wall_s"], r["mb_per_s"],
        r["files_per_s"], r["cpu_s"], r["maxrss_mb"], r["server_bytes"], r["server_objects"], extra, r["exit"]))


def cmd_set_last(path, field, value):
    rows = list(csv.DictReader(open(path)))
    rows[-1][field] = value
    with open(path, "w") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def cmd_patch_last(path, sync_s, verified):
    lines = open(path).read().splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(lines))))
    rows[-1]["sync_s"] = "%.3f" % float(sync_s)
    rows[-1]["verified"] = verified
    with open(path, "w") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print("      restore check: sha256 over the tree %s; sync after it took %.2f s" % (
        "matches the dataset" if verified == "yes" else "DOES NOT MATCH", float(sync_s)))


# ------------------------------------------------------------------------------------------------ summary
def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, d=1):
    if v is None:
        return "–"
    if isinstance(v, str):
        return v
    if d == 0:
        return "{:,.0f}".format(v)
    return "{:,.{d}f}".format(v, d=d)


def mib(v):
    if v is None:
        return "–"
    if 0 < v < 1048576:
        return "{:,.1f} KiB".format(v / 1024)
    return "{:,.1f} MiB".format(v / 1048576)


def load(results):
    rows = list(csv.DictReader(open(os.path.join(results, "results.csv"))))
    ceil = []
    p = os.path.join(results, "ceilings.csv")
    if os.path.exists(p):
        ceil = list(csv.DictReader(open(p)))
    meta = {}
    for line in open(os.path.join(results, "meta.properties")):
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            meta[k] = v
    return rows, ceil, meta


def group(rows):
    g = {}
    for r in rows:
        if r["warmup"] == "1" or r["exit"] != "0":
            continue
        g.setdefault((r["scenario"], r["tool"]), []).append(r)
    return g


def summarize(results, docs):
    rows, ceil, meta = load(results)
    g = group(rows)
    failures = [r for r in rows if r["exit"] != "0" or r["verified"] == "no"]

    def m(scen, tool, field):
        return med([num(r.get(field)) for r in g.get((scen, tool), [])])

    def spread(scen, tool, field):
        v = [num(r[field]) for r in g.get((scen, tool), []) if num(r[field]) is not None]
        return (min(v), max(v)) if v else (None, None)

    cm = {}
    for r in ceil:
        cm.setdefault((r["what"], r["concurrency"]), []).append(num(r["mb_per_s"]))
    cmed = {k: med(v) for k, v in cm.items()}

    def best_peer(scen, field="mb_per_s"):
        best = (None, None)
        for p in PEERS:
            v = m(scen, p, field)
            if v is not None and (best[1] is None or v > best[1]):
                best = (p, v)
        return best

    def ok(cond):
        return "–" if cond is None else ("**met**" if cond else "**short**")

    lines = []
    add = lines.append
    summary_rows = []

    def ratio(a, b):
        return a / b if a is not None and b else None

    def row(label, strata, ref, value, target, cond, note=""):
        add("| %s | %s | %s | %s | %s | %s |" % (label, strata, ref, value, target, ok(cond) + note))

    # -------- issue 13's targets
    add("### The targets of store format 2 (issue 13)")
    add("")
    add("| target | Strata | reference | ratio or figure | target | |")
    add("| --- | --- | --- | --- | --- | --- |")
    for sfx, where in (("", ""), ("-wan", " over the WAN profile")):
        for kind, field in (("backup", "files_per_s"), ("restore", "files_per_s")):
            scen = "%s-S%s" % (kind, sfx)
            if (scen, "strata") not in g:
                continue
            sv, (pn, pv) = m(scen, "strata", field), best_peer(scen, field)
            r = ratio(sv, pv)
            row("S (20,000 small files, half text) %s%s, files/s" % (kind, where), fmt(sv, 0), "best peer %s: %s" % (pn or "–", fmt(pv, 0)),
                fmt(r, 2), "≥ 1.25", r >= 1.25 if r is not None else None)
            summary_rows.append(("%s%s_ratio" % (scen, ""), r))
        if ("backup-S" + sfx, "strata") in g:
            so, ro = m("backup-S" + sfx, "strata", "server_objects"), m("backup-S" + sfx, "restic", "server_objects")
            r = ratio(so, ro)
            row("S backup%s, objects written" % where, fmt(so, 0), "restic: %s" % fmt(ro, 0), fmt(r, 2), "≤ 2", r <= 2 if r is not None else None)
    for scen, label in (("backup-A", "backup"), ("restore-A", "restore")):
        if (scen, "strata") in g:
            sv, (pn, pv) = m(scen, "strata", "mb_per_s"), best_peer(scen)
            r = ratio(sv, pv)
            row("large incompressible files (A) %s, MB/s" % label, fmt(sv), "best peer %s: %s" % (pn or "–", fmt(pv)), fmt(r, 2), "≥ 1.25",
                r >= 1.25 if r is not None else None)
    for scen, label, limit in (("I4", "4 KiB changed in place in a 64 MiB file", 1.5), ("I5", "100 bytes inserted at the start of a 64 MiB file", 3.0)):
        if (scen, "strata") in g:
            sb_, rb_ = m(scen, "strata", "server_bytes"), m(scen, "restic", "server_bytes")
            row("%s: bytes uploaded (the server wrote)" % label, mib(sb_), "restic: %s; rclone: %s" % (mib(rb_), mib(m(scen, "rclone", "server_bytes"))),
                mib(sb_), "≤ %s MiB" % limit, sb_ <= limit * 1048576 if sb_ is not None else None)
    if ("backup-T", "strata") in g:
        st, rt = m("backup-T", "strata", "stored_bytes"), m("backup-T", "restic", "stored_bytes")
        r = ratio(st, rt)
        row("compressible data (T, %s): bytes stored" % mib(m("backup-T", "strata", "logical_bytes")), mib(st), "restic: %s; rclone: %s" % (
            mib(rt), mib(m("backup-T", "rclone", "stored_bytes"))), fmt(r, 3), "≤ 1.05", r <= 1.05 if r is not None else None)
    for scen, label in (("backup-A-crypto", "backup"), ("restore-A-crypto", "restore")):
        if (scen, "strata-enc") in g:
            on, off = m(scen, "strata-enc", "mb_per_s"), m(scen, "strata", "mb_per_s")
            r = ratio(on, off)
            row("encryption on ÷ off, %s of A, MB/s" % label, fmt(on), "off: %s" % fmt(off), fmt(r, 2), "≥ 0.9", r >= 0.9 if r is not None else None)
    rss_all = [num(x["maxrss_mb"]) for x in g.get(("backup-A", "strata"), []) if num(x["maxrss_mb"]) is not None]
    if rss_all:
        row("peak RSS of a backup of A (%s)" % mib(m("backup-A", "strata", "logical_bytes")), "%s MB (max of %d)" % (fmt(max(rss_all)), len(rss_all)),
            "JVM options: %s" % meta.get("strata_jvm", "?"), fmt(max(rss_all)),
            "≤ 256 MB", max(rss_all) <= 256)
    for scen, label in (("backup-M", "backup"), ("unchanged-M", "unchanged backup"), ("restore-M", "restore")):
        if (scen, "strata-x512") in g or any(r["scenario"] == scen for r in rows):
            rs = [r for r in rows if r["scenario"] == scen]
            okrun = rs and all(r["exit"] == "0" and r["verified"] in ("", "yes") for r in rs)
            row("%s files, %s, -Xmx512m" % (fmt(num(rs[0]["files"]) if rs else None, 0), label), "%s s, peak RSS %s MB" % (
                fmt(m(scen, "strata-x512", "wall_s"), 1), fmt(m(scen, "strata-x512", "maxrss_mb"), 0)),
                "engine %s ms" % fmt(m(scen, "strata-x512", "engine_ms"), 0), "exit 0%s" % (", sha256 ok" if scen.startswith("restore") else ""),
                "completes", bool(okrun))
    if ("unchanged-C", "strata") in g:
        e = m("unchanged-C", "strata", "engine_ms")
        row("unchanged re-run of C (%s files): engine time" % fmt(m("unchanged-C", "strata", "files"), 0), "%s ms" % fmt(e, 0),
            "process %s s" % fmt(m("unchanged-C", "strata", "wall_s"), 2), "%s ms" % fmt(e, 0), "< 500 ms", e < 500 if e is not None else None)
    add("")
    if any(k[0].endswith("-ab") for k in g):
        add("### A/B: %s against %s" % (meta.get("ab_after", "after"), meta.get("ab_before", "before")))
        add("")
        add("| figure | before | after | after ÷ before | after, --no-fsync | after ÷ after --no-fsync |")
        add("| --- | --- | --- | --- | --- | --- |")
        for scen, unit, field in (("backup-A-ab", "MB/s", "mb_per_s"), ("restore-A-ab", "MB/s", "mb_per_s"),
                                  ("backup-S-ab", "files/s", "files_per_s"), ("restore-S-ab", "files/s", "files_per_s")):
            b_, a_ = m(scen, "v1-before", field), m(scen, "v1-after", field)
            n_ = m(scen, "v1-after-nofsync", field)
            add("| %s, %s | %s | %s | %s | %s | %s |" % (scen, unit, fmt(b_, 0 if unit == "files/s" else 1), fmt(a_, 0 if unit == "files/s" else 1),
                fmt(ratio(a_, b_), 3), fmt(n_, 0 if unit == "files/s" else 1), fmt(ratio(a_, n_), 3)))
        add("")

    # -------- headline ratios
    add("### Earlier targets (the first engine's)")
    add("")
    add("| figure | Strata | reference | ratio | target | |")
    add("| --- | --- | --- | --- | --- | --- |")
    sb, (pn, pb) = m("backup-A", "strata", "mb_per_s"), best_peer("backup-A")
    r = sb / pb if sb and pb else None
    add("| full backup of A, MB/s | %s | best peer %s: %s | %s | ≥ 1.25 | %s |" % (
        fmt(sb), pn or "–", fmt(pb), fmt(r, 2), ok(r >= 1.25 if r else None)))
    summary_rows.append(("backupA_ratio", r))
    sr, (pn2, pr) = m("restore-A", "strata", "mb_per_s"), best_peer("restore-A")
    r2 = sr / pr if sr and pr else None
    add("| full restore of A, MB/s | %s | best peer %s: %s | %s | ≥ 1.25 | %s |" % (
        fmt(sr), pn2 or "–", fmt(pr), fmt(r2, 2), ok(r2 >= 1.25 if r2 else None)))
    summary_rows.append(("restoreA_ratio", r2))
    i1 = m("I1", "strata", "engine_ms")
    i1w = m("I1", "strata", "wall_s")
    add("| I1 (nothing changed) engine time (`durationMs`) | %s ms | process wall time %s s | – | < 1,000 ms | %s |" % (
        fmt(i1, 0), fmt(i1w, 2), ok(i1 < 1000 if i1 is not None else None)))
    summary_rows.append(("I1_engine_ms", i1))
    i2r = med([num(x["tool_bytes"]) / num(x["changed_bytes"]) for x in g.get(("I2", "strata"), [])
               if num(x["tool_bytes"]) is not None and num(x["changed_bytes"])])
    i2s = med([num(x["server_bytes"]) / num(x["changed_bytes"]) for x in g.get(("I2", "strata"), [])
               if num(x["server_bytes"]) is not None and num(x["changed_bytes"])])
    i2c = m("I2", "strata", "changed_bytes")
    add("| I2 (~1 %%) bytes uploaded ÷ bytes changed | %s (uploadedBytes) | changed %s; server wrote %s× | %s | ≤ 1.1 | %s |" % (
        fmt(i2r, 3), mib(i2c), fmt(i2s, 3), fmt(i2r, 3), ok(i2r <= 1.1 if i2r is not None else None)))
    summary_rows.append(("I2_uploaded_over_changed", i2r))
    cs = m("backup-C", "strata", "files_per_s")
    rc = [(p, m("backup-C", p, "files_per_s")) for p in ("rclone", "rclone-t16")]
    rc = [x for x in rc if x[1] is not None]
    if rc:
        rbest = max(rc, key=lambda x: x[1])
        r3 = cs / rbest[1] if cs else None
        add("| C backup, files/s | %s | %s: %s | %s | ≥ 1 | %s |" % (
            fmt(cs, 0), rbest[0], fmt(rbest[1], 0), fmt(r3, 2), ok(r3 >= 1 if r3 else None)))
        summary_rows.append(("C_backup_vs_rclone", r3))
    csr = m("restore-C", "strata", "files_per_s")
    rcr = [(p, m("restore-C", p, "files_per_s")) for p in ("rclone", "rclone-t16")]
    rcr = [x for x in rcr if x[1] is not None]
    if rcr:
        rb = max(rcr, key=lambda x: x[1])
        r4 = csr / rb[1] if csr else None
        add("| C restore, files/s | %s | %s: %s | %s | ≥ 1 | %s |" % (
            fmt(csr, 0), rb[0], fmt(rb[1], 0), fmt(r4, 2), ok(r4 >= 1 if r4 else None)))
        summary_rows.append(("C_restore_vs_rclone", r4))
    rss = [num(x["maxrss_mb"]) for x in g.get(("backup-A", "strata"), [])]
    rss = [x for x in rss if x is not None]
    if rss:
        add("| peak RSS of a backup of A (%s) | %s MB (max of %d runs; median %s) | – | – | ≤ 256 MB | %s |" % (
            meta.get("strata_jvm", "?"), fmt(max(rss)), len(rss), fmt(med(rss)), ok(max(rss) <= 256)))
        summary_rows.append(("backupA_peak_rss_mb", max(rss)))
    add("")

    # -------- ceilings
    add("### Strata against the ceilings")
    add("")
    add("| Strata figure | ceiling | Strata ÷ ceiling |")
    add("| --- | --- | --- |")
    def ceil_line(label, val, key, name):
        c = cmed.get(key)
        if val is not None and c:
            add("| %s: %s MB/s | %s: %s MB/s | %s |" % (label, fmt(val), name, fmt(c), fmt(val / c, 2)))
    ceil_line("full backup of A", sb, ("raw-put-64MiB", "8"), "raw PUT of 64 MiB objects, 8 streams")
    ceil_line("full backup of A", sb, ("cold-read-A", "1"), "cold read of A (dd, page cache dropped)")
    ceil_line("full restore of A", sr, ("raw-get-64MiB", "8"), "raw GET of 64 MiB objects, 8 streams")
    ceil_line("full restore of A", sr, ("write-fsync", "1"), "write with fsync (dd)")
    sha = cmed.get(("jvm-SHA-256", "1"))
    if sb and sha:
        add("| SHA-256 of A on one core: %s s of a %s s backup | JVM SHA-256, one thread: %s MB/s | – |" % (
            fmt(float(rows_bytes(rows, "backup-A")) / sha / 1e6, 2), fmt(m("backup-A", "strata", "wall_s"), 2), fmt(sha)))
    add("")

    # -------- all runs
    add("### Every scenario (medians of the measured runs; warm-ups excluded)")
    add("")
    add("| scenario | tool | n | wall s (min–max) | MB/s | files/s | client CPU s | peak RSS MB | tool says moved | "
        "server wrote | objects | stored | server CPU s | restore: sync s, sha256 ok | load |")
    add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    order = ["backup-A", "restore-A", "base-full", "I1", "I2", "I3", "I4", "I5", "backup-C", "restore-C", "backup-S", "restore-S",
             "backup-T", "backup-A-crypto", "restore-A-crypto", "backup-S-wan", "restore-S-wan", "backup-M", "unchanged-M", "restore-M",
             "unchanged-C", "backup-A-ab", "restore-A-ab", "backup-S-ab", "restore-S-ab"]
    keys = sorted(g.keys(), key=lambda k: (order.index(k[0]) if k[0] in order else 99, tool_order(k[1])))
    for scen, tool in keys:
        rs = g[(scen, tool)]
        lo, hi = spread(scen, tool, "wall_s")
        ver = ""
        if scen.startswith("restore"):
            vs = set(x["verified"] for x in rs)
            ver = "%s, %s" % (fmt(m(scen, tool, "sync_s"), 2), "yes" if vs == {"yes"} else "NO")
        add("| %s | %s | %d | %s (%s–%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            scen, tool, len(rs), fmt(m(scen, tool, "wall_s"), 2), fmt(lo, 2), fmt(hi, 2),
            fmt(m(scen, tool, "mb_per_s")), fmt(m(scen, tool, "files_per_s"), 0), fmt(m(scen, tool, "cpu_s"), 1),
            fmt(m(scen, tool, "maxrss_mb"), 0), mib(m(scen, tool, "tool_bytes")), mib(m(scen, tool, "server_bytes")),
            fmt(m(scen, tool, "server_objects"), 0), mib(m(scen, tool, "stored_bytes")), fmt(m(scen, tool, "server_cpu_s"), 1), ver,
            fmt(m(scen, tool, "load1"), 1)))
    add("")
    add("load: the 1-minute load average when the run started (the machine has %s cores; other work on it shows "
        "here). " % meta.get("nproc", "?") + "I2–I4 rows: MB/s and files/s are of the whole tree (what the tool had to look at); the bytes changed "
        "per I2 run were %s, per I3 run %s, per I4 run %s." % (
            mib(m("I2", "strata", "changed_bytes")), mib(m("I3", "strata", "changed_bytes")),
            mib(m("I4", "strata", "changed_bytes"))))
    add("")

    # -------- ceilings table
    if ceil:
        add("### Ceilings (same run, same server; medians)")
        add("")
        add("| what | streams | MB/s |")
        add("| --- | --- | --- |")
        for (what, c), v in cmed.items():
            add("| %s | %s | %s |" % (what, c, fmt(v)))
        add("")

    if failures:
        add("### Failed runs")
        add("")
        for r in failures:
            add("- %s %s run %s: exit %s, restore check %s" % (r["scenario"], r["tool"], r["rep"], r["exit"], r["verified"] or "–"))
        add("")

    table = "\n".join(lines)
    head = []
    head.append("Run `%s` on %s UTC, %s mode: %s measured runs after %s warm-up for the figures of A (full backup, "
                "full restore, I1, I2); %s runs without warm-up for the parallelism sweep, I3 and I4; %s runs without "
                "warm-up for C (rclone-t16: one); page cache %s before every measured run. It took %s min." % (
                    meta.get("command"), pretty_stamp(meta.get("stamp", "")), meta.get("mode"), meta.get("reps"),
                    meta.get("warmup"), meta.get("reps_secondary"), meta.get("reps_c"),
                    "dropped" if meta.get("drop_caches") == "1" else "NOT dropped (warm)",
                    fmt(num(meta.get("duration_s")) / 60 if num(meta.get("duration_s")) else None, 1)))
    head.append("")
    head.append("| machine | |")
    head.append("| --- | --- |")
    for k, label in (("nproc", "cores"), ("mem", "memory"), ("cpu", "CPU"), ("disk", "disk"), ("kernel", "kernel"),
                     ("os", "OS"), ("load_start", "load average at start"), ("load_end", "load average at end")):
        head.append("| %s | %s |" % (label, meta.get(k, "?")))
    head.append("")
    head.append("| software | version |")
    head.append("| --- | --- |")
    for k in ("strata", "java", "restic", "rclone", "minio", "go", "wan"):
        head.append("| %s | %s |" % (k, meta.get(k, "?")))
    head.append("")
    md = "\n".join(head) + "\n" + table
    open(os.path.join(results, "summary.md"), "w").write(md + "\n")
    with open(os.path.join(results, "summary.csv"), "w") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["scenario", "tool", "n", "wall_s", "mb_per_s", "files_per_s", "cpu_s", "maxrss_mb", "tool_bytes",
                    "server_bytes", "server_objects", "server_cpu_s", "engine_ms"])
        for scen, tool in keys:
            w.writerow([scen, tool, len(g[(scen, tool)])] + [
                fmt(m(scen, tool, fld), 3).replace(",", "") for fld in
                ("wall_s", "mb_per_s", "files_per_s", "cpu_s", "maxrss_mb", "tool_bytes", "server_bytes",
                 "server_objects", "server_cpu_s", "engine_ms")])
        for k, v in summary_rows:
            w.writerow(["ratio", k, "", fmt(v, 3).replace(",", "")])
    print(md)
    if docs:
        update_docs(docs, md, meta)


def rows_bytes(rows, scen):
    for r in rows:
        if r["scenario"] == scen:
            return r["logical_bytes"]
    return 0


def tool_order(t):
    o = ["strata", "strata-p4", "strata-p16", "strata-enc", "strata-nofsync", "strata-x512", "rclone", "rclone-t16", "restic",
         "v1-before", "v1-after", "v1-after-nofsync"]
    return o.index(t) if t in o else 50


def pretty_stamp(s):
    mt = re.match(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})", s)
    return "%s-%s-%s %s:%s" % mt.groups() if mt else s


def update_docs(path, md, meta):
    block = "%s\n<!-- Generated by bench/run.sh (bench/report.py) from bench/results/%s; do not edit by hand. -->\n\n%s\n%s" % (
        BEGIN, meta.get("stamp", ""), md.strip(), END)
    if os.path.exists(path):
        text = open(path).read()
        if BEGIN in text and END in text:
            pre, rest = text.split(BEGIN, 1)
            post = rest.split(END, 1)[1]
            text = pre + block + post
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    else:
        text = "# Benchmarks\n\nHow to run them: [bench/README.md](../bench/README.md).\n\n" + block + "\n"
    open(path, "w").write(text)
    print("updated %s" % path, file=sys.stderr)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    c = sys.argv[1]
    if c == "row":
        cmd_row(sys.argv[2:])
    elif c == "brief":
        cmd_brief()
    elif c == "patch-last":
        cmd_patch_last(sys.argv[2], sys.argv[3], sys.argv[4])
    elif c == "set-last":
        cmd_set_last(sys.argv[2], sys.argv[3], sys.argv[4])
    elif c == "summarize":
        ap = argparse.ArgumentParser()
        ap.add_argument("results")
        ap.add_argument("--docs")
        a = ap.parse_args(sys.argv[2:])
        summarize(a.results, a.docs)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
