#!/usr/bin/env bash
# Strata benchmark harness: Strata vs rclone vs restic against one local MinIO, plus the ceilings, in one run.
#
#   bench/run.sh [--quick] [--reps N] [--only GROUPS] [--warm] [--no-docs] [--jar PATH] [--ab-before JAR --ab-after JAR]
#
#   --quick       smoke run: small datasets (A: 8 SSTs, C/S: 2,000 files, M: 50,000 files), 1 run each, no warm-up
#   --reps N      measured runs per headline A figure (backup, restore, I1, I2) after one warm-up (default 5)
#   --reps2 N     measured runs, no warm-up, of secondary figures: parallelism sweep, I3-I5, S, T, encryption,
#                 WAN, A/B (default 2)
#   --reps-c N    measured runs, no warm-up, of the 50,000-file dataset C (default 2; rclone-t16 runs once)
#   --only G,...  run only these groups: ceil,backupA,restoreA,sweep,incr,C,small,compress,crypto,wan,scale,ab
#                 (default: all but ab, which needs --ab-before/--ab-after; see bench/build-jar.sh)
#   --ab-before JAR, --ab-after JAR   two Strata jars to compare on A and S (group ab), e.g. before and after a change
#   --warm        do not drop the page cache before each measured run (default: drop it, if permitted)
#   --restore-on-disk   restore into a directory of the work disk, emptied with rm -rf before each run (default: into
#                 a new ext4 file system on a loop device per run, as a restore into a new volume; needs root)
#   --no-docs     do not rewrite the marked section of docs/benchmarks.md
#   --jar PATH    the Strata runner jar (default: backup-runner/target/strata-runner.jar, copied at start)
#
# Environment: STRATA_BENCH_WORK (default bench/work: datasets, tool binaries, MinIO data; kept between runs),
# STRATA_TOOLS_PROPS (default ~/.cache/strata-tools/tools.properties, written by e2e/tools/install.sh).
# Results: bench/results/<UTC timestamp>/{results.csv,summary.csv,summary.md,raw/,run.log}. See bench/README.md.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$BENCH_DIR")"
WORK="${STRATA_BENCH_WORK:-$BENCH_DIR/work}"
PROPS="${STRATA_TOOLS_PROPS:-$HOME/.cache/strata-tools/tools.properties}"

QUICK=0; REPS=5; REPS2=2; REPS_C=2; ONLY="ceil,backupA,restoreA,sweep,incr,C,small,compress,crypto,wan,scale"; DROP=1; DOCS=1
AB_BEFORE=""; AB_AFTER=""; FRESH_FS=1
JAR_SRC="$REPO/backup-runner/target/strata-runner.jar"
ARGS_ORIG="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --reps) REPS="$2"; shift ;;
    --reps2) REPS2="$2"; shift ;;
    --reps-c) REPS_C="$2"; shift ;;
    --only) ONLY="$2"; shift ;;
    --warm) DROP=0 ;;
    --restore-on-disk) FRESH_FS=0 ;;
    --no-docs) DOCS=0 ;;
    --jar) JAR_SRC="$2"; shift ;;
    --ab-before) AB_BEFORE="$2"; shift ;;
    --ab-after) AB_AFTER="$2"; shift ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $QUICK -eq 1 ]]; then
  REPS=1; WARMUP=0; REPS2=1; REPS_C=1; A_NAME=Aq; C_NAME=Cq; S_NAME=Sq; T_NAME=Tq; M_NAME=Mq; RAW_OBJS=4; RAW_REPS=1; HASH_SECS=0.5
else
  WARMUP=1; A_NAME=A; C_NAME=C; S_NAME=S; T_NAME=T; M_NAME=M; RAW_OBJS=16; RAW_REPS=3; HASH_SECS=2
fi
if [[ -n "$AB_BEFORE$AB_AFTER" && ",$ONLY," != *",ab,"* ]]; then ONLY="$ONLY,ab"; fi
want() { [[ ",$ONLY," == *",$1,"* ]]; }

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS="$BENCH_DIR/results/$STAMP"
RAW="$RESULTS/raw"
mkdir -p "$RAW" "$WORK/bin" "$WORK/data"
exec > >(tee -a "$RESULTS/run.log") 2>&1
T_START=$(date +%s)
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
log() { printf '[bench %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - T_START ))" "$*"; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------
prop() { sed -n "s/^$1=//p" "$PROPS" 2>/dev/null | tail -n1; }
if [[ ! -f "$PROPS" ]] || [[ -z "$(prop minio)" || -z "$(prop restic)" || -z "$(prop rclone)" ]]; then
  log "building minio, mc, restic, rclone with e2e/tools/install.sh (once; cached)"
  "$REPO/e2e/tools/install.sh" minio mc restic rclone
fi
MINIO="$(prop minio)"; MC="$(prop mc)"; RESTIC="$(prop restic)"; RCLONE="$(prop rclone)"
for b in "$MINIO" "$RESTIC" "$RCLONE"; do [[ -x "$b" ]] || die "missing tool $b (run e2e/tools/install.sh)"; done
[[ -x /usr/bin/time ]] || { log "installing GNU time"; apt-get install -y -qq time >/dev/null; }
command -v python3 >/dev/null || die "python3 is required"

S3RAW="$WORK/bin/s3raw"
if [[ ! -x "$S3RAW" || "$BENCH_DIR/s3raw/main.go" -nt "$S3RAW" || "$BENCH_DIR/s3raw/delay.go" -nt "$S3RAW" ]]; then
  log "building bench/s3raw (Go, standard library only)"
  (cd "$BENCH_DIR/s3raw" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod go build -o "$S3RAW" .)
fi

[[ -f "$JAR_SRC" ]] || die "no Strata jar at $JAR_SRC (build it: mvn -B -pl backup-runner -am package -DskipTests)"
JAR="$RESULTS/strata-runner.jar"
cp "$JAR_SRC" "$JAR"
# The JVM options of a runner Job: its JAVA_TOOL_OPTIONS (RunnerJobBuilder) in a container limited to 512 MiB, which
# the JVM sees as MaxRAM (so a heap of at most 70 % of it, starting small). STRATA_XMX, if set, adds an -Xmx.
STRATA_JAVA_OPTS="${STRATA_JAVA_OPTS:--XX:MaxRAM=512m -XX:MaxRAMPercentage=70 -XX:-UsePerfData -XX:+UseSerialGC}"
XMX_OPT=(); [[ -n "${STRATA_XMX:-}" ]] && XMX_OPT=("-Xmx$STRATA_XMX")
# The class-data-sharing archive the runner image builds (backup-runner/cds/dump.sh, the same command), for this copy
# of the jar; STRATA_BENCH_NO_CDS=1 measures without it.
CDS_OPT=()
if [[ "${STRATA_BENCH_NO_CDS:-0}" != 1 ]]; then
  "$REPO/backup-runner/cds/dump.sh" "$JAR" "$RESULTS/strata-runner.jsa" || die "could not build the class archive for $JAR"
  CDS_OPT=("-XX:SharedArchiveFile=$RESULTS/strata-runner.jsa")
fi
# Strata logs at INFO to raw/*.err: a backup's line gives its phases (open, scan, upload), for the analysis.
export STRATA_LOG_LEVEL="${STRATA_LOG_LEVEL:-INFO}"
# shellcheck disable=SC2206
STRATA=(java "${XMX_OPT[@]}" $STRATA_JAVA_OPTS "${CDS_OPT[@]}" -jar "$JAR")
# The scale group: a million files in the heap a 512 MiB runner has (-Xmx512m).
# shellcheck disable=SC2206
STRATA512=(java "-Xmx512m" $STRATA_JAVA_OPTS "${CDS_OPT[@]}" -jar "$JAR")
# Encryption on: the key comes from the environment, as runner pods get it from the store's Secret.
STRATA_ENC=(env STRATA_KEY=bench-store-key-4f9d2c7a8b1e6f30 "${STRATA[@]}")
# Group ab: two other jars (copied like the main one; no class archive, so neither has an advantage from it).
AB_JARS=()
for j in "$AB_BEFORE" "$AB_AFTER"; do
  if [[ -n "$j" ]]; then
    [[ -f "$j" ]] || { echo "run.sh: no jar at $j" >&2; exit 2; }
    cp "$j" "$RESULTS/ab-$(( ${#AB_JARS[@]} + 1 )).jar"; AB_JARS+=("$RESULTS/ab-$(( ${#AB_JARS[@]} + 1 )).jar")
  fi
done
if want ab && [[ ${#AB_JARS[@]} -ne 2 ]]; then echo "run.sh: group ab needs --ab-before JAR and --ab-after JAR" >&2; exit 2; fi
# shellcheck disable=SC2206
V_BEFORE=(java "${XMX_OPT[@]}" $STRATA_JAVA_OPTS -jar "${AB_JARS[0]:-none}")
# shellcheck disable=SC2206
V_AFTER=(java "${XMX_OPT[@]}" $STRATA_JAVA_OPTS -jar "${AB_JARS[1]:-none}")
# STRATA_BENCH_FILE_STORE=1 (harness development only): Strata writes to file:// stores under $WORK/filestore
# instead of MinIO, so its figures are NOT comparable with the peers'.
FILE_STORE="${STRATA_BENCH_FILE_STORE:-0}"
if [[ $FILE_STORE != 1 ]] && "${STRATA[@]}" backup --store s3://probe --endpoint http://127.0.0.1:1 --path-style \
    --source /tmp 2>&1 | grep -q "being wired in"; then
  die "this Strata jar has no S3 store yet ($JAR_SRC); rebuild it with S3 support"
fi

# ---------------------------------------------------------------------------------------------------------------
# Machine and versions
# ---------------------------------------------------------------------------------------------------------------
DROP_OK=0
if [[ $DROP -eq 1 ]]; then
  if sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null; then DROP_OK=1; else log "cannot drop the page cache (not permitted): runs are warm"; fi
fi
drop_caches() { if [[ $DROP_OK -eq 1 ]]; then sync; echo 3 > /proc/sys/vm/drop_caches; fi; }

# The full run keeps up to about 14 GB at once (data 3 GB, one bucket of A per tool, one restored copy).
FREE_GB=$(( $(df --output=avail -k "$WORK" | tail -n1) / 1048576 ))
(( FREE_GB >= 20 )) || die "only $FREE_GB GB free on the disk of $WORK; the run needs about 20 GB"
DISK_DEV="$(df --output=source "$WORK" | tail -n1)"
DISK_FS="$(df --output=fstype "$WORK" | tail -n1)"
DISK_NAME="$(basename "$DISK_DEV")"
ROT="$(cat "/sys/block/$DISK_NAME/queue/rotational" 2>/dev/null || echo '?')"
{
  echo "stamp=$STAMP"
  echo "command=bench/run.sh${ARGS_ORIG:+ $ARGS_ORIG}"
  echo "mode=$([[ $QUICK -eq 1 ]] && echo quick || echo full)"
  echo "reps=$REPS"; echo "reps_secondary=$REPS2"; echo "reps_c=$REPS_C"; echo "warmup=$WARMUP"
  echo "drop_caches=$DROP_OK"
  echo "restore_target=$( [[ $FRESH_FS == 1 ]] && echo 'a new ext4 file system (loop device, sparse image on the work disk) per restore' || echo 'a directory of the work disk, removed with rm -rf before each restore')"
  [[ $FILE_STORE == 1 ]] && echo "strata_store=file (development mode: Strata figures not comparable)"
  echo "nproc=$(nproc)"
  echo "mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')$(grep -qw sha_ni /proc/cpuinfo && echo ' (SHA-NI)')"
  echo "disk=$DISK_DEV $DISK_FS, $( [[ $ROT == 0 ]] && echo 'non-rotational' || { [[ $ROT == 1 ]] && echo 'rotational (as reported by the VM)' || echo 'unknown type'; })"
  echo "kernel=$(uname -r)"
  echo "disk_free_start=$FREE_GB GB"
  echo "os=$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "strata=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$REPO" status --porcelain -- backup-runner 2>/dev/null)" ]] && echo ' + uncommitted backup-runner changes'), jar $(date -u -r "$JAR_SRC" +%Y-%m-%dT%H:%MZ), ${XMX_OPT[*]} $STRATA_JAVA_OPTS$( [[ ${#CDS_OPT[@]} -gt 0 ]] && echo ', class archive (as in the runner image)')"
  echo "strata_jvm=$(echo ${XMX_OPT[*]} $STRATA_JAVA_OPTS)"
  echo "java=$(java -version 2>&1 | head -n1)"
  echo "restic=$("$RESTIC" version | head -n1) (module $(prop restic.version))"
  echo "rclone=$("$RCLONE" version | head -n1) (built from module $(prop rclone.version) with go install)"
  echo "minio=$(prop minio.version) (Go module pseudo-version; MinIO publishes no semver tags)"
  echo "go=$(go version)"
} > "$RESULTS/meta.properties"
log "results in $RESULTS"
sed 's/^/    /' "$RESULTS/meta.properties"

# ---------------------------------------------------------------------------------------------------------------
# Datasets (seeded, cached in $WORK/data)
# ---------------------------------------------------------------------------------------------------------------
DATA="$WORK/data"
dataset() { # name -> generates DATA/name and DATA/name.sha256 once
  local n="$1"
  if [[ ! -f "$DATA/$n.stamp" || ! -f "$DATA/$n.sha256" ]]; then
    log "generating dataset $n (seeded; cached for later runs)"
    python3 "$BENCH_DIR/datasets.py" gen "$n" "$DATA/$n"
    tree_sha "$DATA/$n" > "$DATA/$n.sha256"
  fi
}
tree_sha() { (cd "$1" && find . -type f -print0 | xargs -0 -r -P2 -n 512 sha256sum) | LC_ALL=C sort -k2; }
A="$DATA/$A_NAME"; C="$DATA/$C_NAME"; S="$DATA/$S_NAME"; T="$DATA/$T_NAME"; M="$DATA/$M_NAME"; W="$WORK/incr/$A_NAME"
dataset "$A_NAME"; dataset "$C_NAME"
read -r A_FILES A_BYTES < <(python3 "$BENCH_DIR/datasets.py" stats "$A")
read -r C_FILES C_BYTES < <(python3 "$BENCH_DIR/datasets.py" stats "$C")
log "A=$A_NAME: $A_FILES files, $A_BYTES bytes; C=$C_NAME: $C_FILES files, $C_BYTES bytes"
if want small || want wan || want ab; then dataset "$S_NAME"; read -r S_FILES S_BYTES < <(python3 "$BENCH_DIR/datasets.py" stats "$S"); log "S=$S_NAME: $S_FILES files, $S_BYTES bytes"; fi
if want compress; then dataset "$T_NAME"; read -r T_FILES T_BYTES < <(python3 "$BENCH_DIR/datasets.py" stats "$T"); log "T=$T_NAME: $T_FILES files, $T_BYTES bytes"; fi
if want scale; then dataset "$M_NAME"; read -r M_FILES M_BYTES < <(python3 "$BENCH_DIR/datasets.py" stats "$M"); log "M=$M_NAME: $M_FILES files, $M_BYTES bytes"; fi

# ---------------------------------------------------------------------------------------------------------------
# MinIO on loopback, data on the same disk
# ---------------------------------------------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"; CPORT="$(free_port)"
ENDPOINT="http://127.0.0.1:$PORT"
MINIO_DATA="$WORK/minio-data"
export AWS_ACCESS_KEY_ID=benchadmin AWS_SECRET_ACCESS_KEY=benchadmin-secret-key
export AWS_DEFAULT_REGION=us-east-1
rm -rf "$MINIO_DATA" "$WORK/filestore"; mkdir -p "$MINIO_DATA" "$WORK/filestore"
MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off \
  "$MINIO" server --quiet --address "127.0.0.1:$PORT" --console-address "127.0.0.1:$CPORT" "$MINIO_DATA" \
  > "$RESULTS/minio.log" 2>&1 &
MINIO_PID=$!
MAIN_MINIO_PID=$MINIO_PID
CHILD=""
cleanup() {
  local rc=$?
  if [[ -n "$CHILD" ]]; then pkill -TERM -P "$CHILD" 2>/dev/null || true; kill "$CHILD" 2>/dev/null || true; wait "$CHILD" 2>/dev/null || true; fi
  if [[ -n "${MAIN_MINIO_PID:-}" ]] && kill -0 "$MAIN_MINIO_PID" 2>/dev/null; then
    kill "$MAIN_MINIO_PID" 2>/dev/null || true; wait "$MAIN_MINIO_PID" 2>/dev/null || true
  fi
  declare -F wan_down >/dev/null && wan_down
  declare -F drop_restore_fs >/dev/null && drop_restore_fs
  rm -rf "$WORK/minio-data" "$WORK/restore" "$WORK/filestore" "$WORK/incr"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 1 100); do curl -fs "$ENDPOINT/minio/health/live" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$ENDPOINT/minio/health/live" >/dev/null || die "MinIO did not start (see $RESULTS/minio.log)"
log "MinIO pid $MINIO_PID on $ENDPOINT, data in $MINIO_DATA"

export MC_HOST_bench="http://$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY@127.0.0.1:$PORT"
export MC_CONFIG_DIR="$WORK/mc-config"
: > "$WORK/rclone.conf"
export RCLONE_CONFIG="$WORK/rclone.conf"
export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Minio RCLONE_CONFIG_BENCH_ENV_AUTH=false
export RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
export RCLONE_CONFIG_BENCH_ENDPOINT=$ENDPOINT RCLONE_CONFIG_BENCH_REGION=us-east-1
export RESTIC_PASSWORD=bench-password RESTIC_CACHE_DIR="$WORK/restic-cache"
rm -rf "$RESTIC_CACHE_DIR"

mkbucket() { "$S3RAW" mb -endpoint "$ENDPOINT" -bucket "$1"; }
rmbucket() {
  rm -rf "${WORK:?}/filestore/$1"
  if [[ -x "$MC" ]] && "$MC" rb --force --quiet "bench/$1" >/dev/null 2>&1; then :; else
    "$RCLONE" purge "bench:$1" >/dev/null 2>&1 || true
  fi
  # MinIO moves deleted objects and buckets into its trash and purges it slowly in the background; a full run deletes
  # tens of GB, so empty the trash now (nothing in it is referenced any more).
  rm -rf "${MINIO_DATA:?}/.minio.sys/tmp/.trash/"* 2>/dev/null || true
}
minio_cpu() { awk '{printf "%.2f\n", ($14+$15)/100}' "/proc/$MINIO_PID/stat"; } # utime+stime, clock ticks (100/s)

# ---------------------------------------------------------------------------------------------------------------
# Tools under test: backup SRC BUCKET / restore BUCKET TARGET (prints the directory holding the restored tree)
# ---------------------------------------------------------------------------------------------------------------
RCLONE_TUNED=(--transfers 16 --checkers 16 --s3-upload-concurrency 8 --s3-chunk-size 16M)
strata_store() { # bucket -> store options
  if [[ $FILE_STORE == 1 ]]; then echo "--store" "file://$WORK/filestore/$1"; else echo "--store" "s3://$1" --endpoint "$ENDPOINT" --path-style; fi
}
tool_backup_cmd() { # tool src bucket source-id -> sets CMD
  local tool="$1" src="$2" bucket="$3" sid="$4"
  case "$tool" in
    strata) CMD=("${STRATA[@]}" backup $(strata_store "$bucket") --source "$src" --source-id "$sid" --json) ;;
    strata-p*) CMD=("${STRATA[@]}" backup $(strata_store "$bucket") --source "$src" --source-id "$sid" --json --parallelism "${tool#strata-p}") ;;
    strata-enc) CMD=("${STRATA_ENC[@]}" backup $(strata_store "$bucket") --source "$src" --source-id "$sid" --json) ;;
    strata-x512) CMD=("${STRATA512[@]}" backup $(strata_store "$bucket") --source "$src" --source-id "$sid" --json) ;;
    v1-before) CMD=("${V_BEFORE[@]}" backup $(strata_store "$bucket") --source "$src" --source-id "$sid" --json) ;;
    v1-after) CMD=("${V_AFTER[@]}" backup $(strata_store "$bucket") --source "$src" --source-id "$sid" --json) ;;
    rclone) CMD=("$RCLONE" sync "$src" "bench:$bucket" --use-json-log --stats 1h --stats-log-level NOTICE) ;;
    rclone-t16) CMD=("$RCLONE" sync "$src" "bench:$bucket" --use-json-log --stats 1h --stats-log-level NOTICE "${RCLONE_TUNED[@]}") ;;
    restic) CMD=("$RESTIC" -r "s3:$ENDPOINT/$bucket" backup "$src" --host bench --json) ;;
    *) die "unknown tool $tool" ;;
  esac
}
tool_restore_cmd() { # tool bucket target source-id -> sets CMD
  local tool="$1" bucket="$2" target="$3" sid="$4"
  case "$tool" in
    strata) CMD=("${STRATA[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json) ;;
    strata-p*) CMD=("${STRATA[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json --parallelism "${tool#strata-p}") ;;
    strata-nofsync) CMD=("${STRATA[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json --no-fsync) ;;
    strata-enc) CMD=("${STRATA_ENC[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json) ;;
    strata-x512) CMD=("${STRATA512[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json) ;;
    v1-before) CMD=("${V_BEFORE[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json) ;;
    v1-after) CMD=("${V_AFTER[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json) ;;
    v1-after-nofsync) CMD=("${V_AFTER[@]}" restore $(strata_store "$bucket") --latest --source-id "$sid" --target "$target" --json --no-fsync) ;;
    rclone) CMD=("$RCLONE" copy "bench:$bucket" "$target" --use-json-log --stats 1h --stats-log-level NOTICE) ;;
    rclone-t16) CMD=("$RCLONE" copy "bench:$bucket" "$target" --use-json-log --stats 1h --stats-log-level NOTICE "${RCLONE_TUNED[@]}") ;;
    restic) CMD=("$RESTIC" -r "s3:$ENDPOINT/$bucket" restore latest --target "$target" --json) ;;
    *) die "unknown tool $tool" ;;
  esac
}
# Restore targets. A tree just deleted from the work disk leaves thousands of freed inodes whose recent deletion ext4's
# inode allocator checks one by one (recently_deleted, find_get_block in perf): restoring 20,000 files right after
# removing the last restore cost every tool 4-6 s of system CPU on this disk, and hid the tools' own differences.
# A restore into a new volume meets a new file system, so each restore gets one (made before the page cache is
# dropped, not timed).
RESTORE_MNT="$WORK/restore-fs"; RESTORE_IMG="$WORK/restore-fs.img"
drop_restore_fs() {
  if mountpoint -q "$RESTORE_MNT" 2>/dev/null; then umount "$RESTORE_MNT" || true; fi
  rm -f "$RESTORE_IMG"
}
restore_target() { # bytes -> TGT: an empty place to restore into
  if [[ $FRESH_FS == 1 ]]; then
    drop_restore_fs
    truncate -s $(( $1 * 2 + (1 << 30) )) "$RESTORE_IMG"
    mkdir -p "$RESTORE_MNT"
    # No lazy initialisation: a kernel thread would otherwise write the inode tables during the measured run.
    if mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$RESTORE_IMG" >/dev/null 2>&1 \
        && mount -o loop "$RESTORE_IMG" "$RESTORE_MNT" 2>/dev/null; then
      TGT="$RESTORE_MNT/restore"; return
    fi
    log "cannot make a file system for restores (mkfs.ext4 and mount -o loop need root): restoring on the work disk"
    FRESH_FS=0; rm -f "$RESTORE_IMG"
    sed -i 's/^restore_target=.*/restore_target=a directory of the work disk (no loop device), removed with rm -rf before each restore/' "$RESULTS/meta.properties"
  fi
  TGT="$WORK/restore"; rm -rf "$TGT"
}
restored_root() { # tool target src -> where the tree landed
  case "$1" in restic) echo "$2$3" ;; *) echo "$2" ;; esac
}
new_store() { # tool bucket: an empty bucket (and restic repository, or Strata store: both initialised unmeasured)
  mkbucket "$2"
  if [[ $1 == strata* && $FILE_STORE == 1 ]]; then mkdir -p "$WORK/filestore/$2"; fi
  if [[ $1 == restic ]]; then "$RESTIC" -r "s3:$ENDPOINT/$2" init >/dev/null 2>&1 || die "restic init $2 failed"; fi
  if [[ $1 == strata-enc ]]; then
    "${STRATA_ENC[@]}" init $(strata_store "$2") --encryption aes-256-gcm >/dev/null 2>&1 || die "strata init $2 failed"
  elif [[ $1 == strata* ]]; then
    "${STRATA[@]}" init $(strata_store "$2") >/dev/null 2>&1 || die "strata init $2 failed"
  fi
}

# ---------------------------------------------------------------------------------------------------------------
# measure SCEN TOOL REP WARM LOGICAL_BYTES FILES CHANGED -- command...: one measured run, one CSV row
# ---------------------------------------------------------------------------------------------------------------
CSV="$RESULTS/results.csv"
echo "scenario,tool,rep,warmup,load1,wall_s,user_s,sys_s,cpu_s,maxrss_mb,logical_bytes,files,mb_per_s,files_per_s,server_bytes,server_objects,server_cpu_s,tool_bytes,engine_ms,changed_bytes,sync_s,verified,exit,stored_bytes" > "$CSV"
LAST_SYNC_S=""; LAST_VERIFIED=""
measure() {
  local scen="$1" tool="$2" rep="$3" warm="$4" bytes="$5" files="$6" changed="$7"; shift 8
  local tag="$scen.$tool.$rep"
  drop_caches
  touch "$RAW/$tag.marker"; sleep 0.01
  local cpu0 cpu1 t0 t1 rc=0 load
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(minio_cpu); t0=$(date +%s.%N)
  # In the background + wait, so that an interrupt reaches the traps at once (cleanup stops the run's child).
  /usr/bin/time -v -o "$RAW/$tag.time" "$@" > "$RAW/$tag.out" 2> "$RAW/$tag.err" &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  t1=$(date +%s.%N); cpu1=$(minio_cpu)
  printf '%s\n' "$*" > "$RAW/$tag.cmd"
  # Bytes and objects the server wrote during the run: files under the bucket directories newer than the marker
  # (MinIO keeps one xl.meta per object version, plus a part file when the object is not inlined).
  local sb so
  read -r sb so < <(find "$MINIO_DATA" $( [[ $FILE_STORE == 1 ]] && echo "$WORK/filestore") -path "$MINIO_DATA/.minio.sys" -prune -o -type f -newer "$RAW/$tag.marker" -printf '%s %f\n' |
    awk '{b+=$1; if ($2=="xl.meta") o++} END {printf "%.0f %.0f\n", b, o}') # %d would cap at 2^31-1 in mawk
  LAST_RC=$rc
  python3 "$BENCH_DIR/report.py" row --tool "$tool" --scenario "$scen" --rep "$rep" --warmup "$warm" --load "$load" \
    --wall "$(calc "$t1 - $t0")" --time-file "$RAW/$tag.time" --out "$RAW/$tag.out" --err "$RAW/$tag.err" \
    --bytes "$bytes" --files "$files" --changed "$changed" --server-bytes "$sb" --server-objects "$so" \
    --server-cpu "$(calc "$cpu1 - $cpu0")" --exit "$rc" >> "$CSV"
  tail -n1 "$CSV" | python3 "$BENCH_DIR/report.py" brief
  if [[ $rc -ne 0 ]]; then log "FAILED ($rc): $*"; tail -n 5 "$RAW/$tag.err" | sed 's/^/      /'; fi
}
# A restore row gets its sync time and verification appended after the fact (outside the timed region).
finish_restore() { # root reference.sha256
  local t0 t1 ok=no
  t0=$(date +%s.%N); sync; t1=$(date +%s.%N)
  if [[ $LAST_RC -eq 0 ]] && diff -q <(tree_sha "$1") "$2" >/dev/null 2>&1; then ok=yes; fi
  python3 "$BENCH_DIR/report.py" patch-last "$CSV" "$(calc "$t1 - $t0")" "$ok"
  [[ $ok == yes ]] || log "RESTORE CHECK FAILED for $1 (sha256 over the tree differs from the dataset)"
}
runs() { # N [WARM-UPS, default $WARMUP] -> rep labels: w0.. for warm-ups, then 1..N
  local n="$1" w="${2:-$WARMUP}" i; for ((i = 0; i < w; i++)); do echo "w$i"; done; for ((i = 1; i <= n; i++)); do echo "$i"; done
}
is_warm() { [[ $1 == w* ]] && echo 1 || echo 0; }

# ---------------------------------------------------------------------------------------------------------------
# Ceilings
# ---------------------------------------------------------------------------------------------------------------
CEIL="$RESULTS/ceilings.csv"
echo "what,concurrency,rep,mb_per_s,seconds,bytes" > "$CEIL"
ceil_row() { echo "$1,$2,$3,$4,$5,$6" >> "$CEIL"; log "ceiling $1 c=$2 #$3: $4 MB/s"; }
read_tree() { # -> seconds to read every file of A (dd into a 4 MiB buffer: cat to /dev/null may splice without reading)
  local t0 t1 f; t0=$(date +%s.%N)
  while IFS= read -r -d '' f; do dd if="$f" of=/dev/null bs=4M status=none; done < <(find "$A" -type f -print0)
  t1=$(date +%s.%N); calc "$t1 - $t0"
}
if want ceil; then
  log "== ceilings"
  for r in $(seq 1 $RAW_REPS); do
    if [[ $DROP_OK -eq 1 ]]; then
      drop_caches; s=$(read_tree); ceil_row cold-read-A 1 "$r" "$(calc "$A_BYTES / $s / 1000000")" "$s" "$A_BYTES"
    fi
    s=$(read_tree); s=$(read_tree); ceil_row warm-read-A 1 "$r" "$(calc "$A_BYTES / $s / 1000000")" "$s" "$A_BYTES"
    ddc=$(( A_BYTES / 67108864 )); (( ddc > 0 )) || ddc=1
    dd_out=$(dd if=/dev/zero of="$WORK/dd.tmp" bs=64M count=$ddc conv=fdatasync 2>&1 | tail -n1); rm -f "$WORK/dd.tmp"
    s=$(echo "$dd_out" | sed -E 's/.*, ([0-9.]+) s,.*/\1/')
    ceil_row write-fsync 1 "$r" "$(calc "$ddc * 67108864 / $s / 1000000")" "$s" "$((ddc * 67108864))"
    j=$("$S3RAW" tcp -size 4000000000); ceil_row loopback-tcp 1 "$r" "$(echo "$j" | python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["MBps"])')" 0 4000000000
    mkbucket "raw-$r"
    for c in 1 4 8; do
      drop_caches
      j=$("$S3RAW" put -endpoint "$ENDPOINT" -bucket "raw-$r" -c $c -n $RAW_OBJS -size 67108864 -prefix "c$c")
      read -r mbps secs byts < <(echo "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f %.3f %d" % (d["MBps"], d["seconds"], d["bytes"]))')
      ceil_row raw-put-64MiB $c "$r" "$mbps" "$secs" "$byts"
    done
    for c in 1 4 8; do
      drop_caches
      j=$("$S3RAW" get -endpoint "$ENDPOINT" -bucket "raw-$r" -c $c -n $RAW_OBJS -size 67108864 -prefix "c$c")
      read -r mbps secs byts < <(echo "$j" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%.1f %.3f %d" % (d["MBps"], d["seconds"], d["bytes"]))')
      ceil_row raw-get-64MiB $c "$r" "$mbps" "$secs" "$byts"
    done
    rmbucket "raw-$r"
  done
  while read -r alg mbps; do ceil_row "jvm-$alg" 1 1 "$mbps" "$HASH_SECS" 0; done < <(java "$BENCH_DIR/HashSpeed.java" "$HASH_SECS")
fi

# ---------------------------------------------------------------------------------------------------------------
# Full backup and full restore of A. The tools take turns within each round (strata, rclone, rclone-t16, restic,
# then the next round), so that the load other work puts on a shared machine falls on all of them alike.
# ---------------------------------------------------------------------------------------------------------------
TOOLS=(strata rclone rclone-t16 restic)
declare -A LAST_BUCKET
backup_round() { # scen dataset-dir source-id bytes files rep tool...: one backup per tool into a new bucket
  local scen="$1" src="$2" sid="$3" bytes="$4" files="$5" rep="$6" tool b prefix; shift 6
  prefix="$(echo "${scen#backup-}" | tr 'A-Z' 'a-z')"
  for tool in "$@"; do
    b="$prefix-$tool-$rep"; b="${b,,}"
    # Remove the tool's previous bucket first: at most one bucket per tool exists at any time.
    [[ -n "${LAST_BUCKET[$tool]:-}" ]] && { rmbucket "${LAST_BUCKET[$tool]}"; unset "LAST_BUCKET[$tool]"; }
    new_store "$tool" "$b"
    tool_backup_cmd "$tool" "$src" "$b" "$sid"
    measure "$scen" "$tool" "$rep" "$(is_warm "$rep")" "$bytes" "$files" "" -- "${CMD[@]}"
    LAST_BUCKET[$tool]="$b"
  done
}
restore_round() { # scen dataset-dir reference source-id bytes files rep bucket-of-tool tool...
  local scen="$1" src="$2" ref="$3" sid="$4" bytes="$5" files="$6" rep="$7" tgt tool bucket; shift 7
  for tool in "$@"; do
    bucket="${LAST_BUCKET[$tool]:-}"; [[ $tool == strata-p* || $tool == strata-nofsync ]] && bucket="${LAST_BUCKET[strata]}"
    [[ $tool == v1-after-nofsync ]] && bucket="${LAST_BUCKET[v1-after]}"
    restore_target "$bytes"; tgt="$TGT"
    [[ $tool == strata* ]] || mkdir -p "$tgt"
    tool_restore_cmd "$tool" "$bucket" "$tgt" "$sid"
    measure "$scen" "$tool" "$rep" "$(is_warm "$rep")" "$bytes" "$files" "" -- "${CMD[@]}"
    finish_restore "$(restored_root "$tool" "$tgt" "$src")" "$ref"
  done
  if [[ $FRESH_FS == 1 ]]; then drop_restore_fs; else rm -rf "$tgt"; fi # a file system is dropped whole
}
drop_buckets() { local t; for t in "${!LAST_BUCKET[@]}"; do rmbucket "${LAST_BUCKET[$t]}"; done; LAST_BUCKET=(); }
if want backupA || want restoreA || want sweep; then
  log "== full backup of A ($A_BYTES bytes, $A_FILES files)"
  for rep in $(runs "$REPS"); do backup_round backup-A "$A" A "$A_BYTES" "$A_FILES" "$rep" "${TOOLS[@]}"; done
  if want sweep; then
    for rep in $(runs "$REPS2" 0); do backup_round backup-A "$A" A "$A_BYTES" "$A_FILES" "$rep" strata-p4 strata-p16; done
    rmbucket "${LAST_BUCKET[strata-p4]}"; rmbucket "${LAST_BUCKET[strata-p16]}"; unset 'LAST_BUCKET[strata-p4]' 'LAST_BUCKET[strata-p16]'
  fi
  if want restoreA || want sweep; then
    log "== full restore of A into an empty directory"
    for rep in $(runs "$REPS"); do
      restore_round restore-A "$A" "$DATA/$A_NAME.sha256" A "$A_BYTES" "$A_FILES" "$rep" "${TOOLS[@]}"
    done
    if want sweep; then
      for rep in $(runs "$REPS2" 0); do
        restore_round restore-A "$A" "$DATA/$A_NAME.sha256" A "$A_BYTES" "$A_FILES" "$rep" strata-p4 strata-p16
      done
    fi
  fi
  drop_buckets
fi

# ---------------------------------------------------------------------------------------------------------------
# Incrementals on A: I1 nothing changed, I2 ~1%, I3 compaction, I4 4 KiB inside one 64 MiB file, I5 100 bytes
# inserted at the start of one 64 MiB file.
# Each tool has its own working copy of A and its own bucket; the tools take turns within each round.
# Each I2-I4 run starts from the state of A, backed up: reset the working copy, back it up (not measured), apply
# the change (the same for every tool in a round; a new seed each round, so new content really is new), back up
# (measured).
# ---------------------------------------------------------------------------------------------------------------
quiet() { "$@" > "$RAW/quiet.out" 2> "$RAW/quiet.err" || { log "FAILED: $*"; tail -n5 "$RAW/quiet.err"; return 1; }; }
if want incr; then
  log "== incrementals on A (a working copy per tool: $W-<tool>)"
  for tool in "${TOOLS[@]}"; do
    python3 "$BENCH_DIR/datasets.py" reset "$A" "$W-$tool"
    new_store "$tool" "inc-$tool"
  done
  for tool in "${TOOLS[@]}"; do
    tool_backup_cmd "$tool" "$W-$tool" "inc-$tool" "W"
    measure base-full "$tool" base 1 "$A_BYTES" "$A_FILES" "" -- "${CMD[@]}"
  done
  for rep in $(runs "$REPS"); do
    for tool in "${TOOLS[@]}"; do
      tool_backup_cmd "$tool" "$W-$tool" "inc-$tool" "W"
      measure I1 "$tool" "$rep" "$(is_warm "$rep")" "$A_BYTES" "$A_FILES" 0 -- "${CMD[@]}"
    done
  done
  seed=0
  for inc in I2 I3 I4 I5; do
    n=$REPS; w=$WARMUP; [[ $inc == I2 ]] || { n=$REPS2; w=0; }
    for rep in $(runs "$n" "$w"); do
      seed=$((seed + 1))
      for tool in "${TOOLS[@]}"; do
        # rclone-t16 moves the same bytes as rclone: only I1 and I2 for it.
        [[ $tool == rclone-t16 && $inc != I2 ]] && continue
        python3 "$BENCH_DIR/datasets.py" reset "$A" "$W-$tool"
        tool_backup_cmd "$tool" "$W-$tool" "inc-$tool" "W"; quiet "${CMD[@]}"
        changed=$(python3 "$BENCH_DIR/datasets.py" mutate "$inc" "$W-$tool" "$seed")
        read -r wf wb < <(python3 "$BENCH_DIR/datasets.py" stats "$W-$tool")
        tool_backup_cmd "$tool" "$W-$tool" "inc-$tool" "W"
        measure "$inc" "$tool" "$rep" "$(is_warm "$rep")" "$wb" "$wf" "$changed" -- "${CMD[@]}"
      done
    done
  done
  for tool in "${TOOLS[@]}"; do rmbucket "inc-$tool"; rm -rf "${W:?}-$tool"; done
fi

# ---------------------------------------------------------------------------------------------------------------
# C: many small files. Each round: a backup by every tool into a new bucket, then a restore by every tool.
# ---------------------------------------------------------------------------------------------------------------
if want C; then
  log "== C: $C_FILES small files ($C_BYTES bytes)"
  for rep in $(runs "$REPS_C" 0); do
    CTOOLS=(strata rclone restic); [[ $rep == 1 ]] && CTOOLS=(strata rclone rclone-t16 restic)
    backup_round backup-C "$C" C "$C_BYTES" "$C_FILES" "$rep" "${CTOOLS[@]}"
    restore_round restore-C "$C" "$DATA/$C_NAME.sha256" C "$C_BYTES" "$C_FILES" "$rep" "${CTOOLS[@]}"
    [[ -n "${LAST_BUCKET[rclone-t16]:-}" ]] && { rmbucket "${LAST_BUCKET[rclone-t16]}"; unset 'LAST_BUCKET[rclone-t16]'; }
  done
  drop_buckets
fi

# ---------------------------------------------------------------------------------------------------------------
# S: 20,000 small files, half text-like (the set the issue compares with restic). Backup, objects written, restore.
# ---------------------------------------------------------------------------------------------------------------
STOOLS=(strata rclone rclone-t16 restic)
small_rounds() { # scenario-suffix
  local sfx="$1" rep
  for rep in $(runs "$REPS2" 0); do
    backup_round "backup-S$sfx" "$S" S "$S_BYTES" "$S_FILES" "$rep" "${STOOLS[@]}"
    restore_round "restore-S$sfx" "$S" "$DATA/$S_NAME.sha256" S "$S_BYTES" "$S_FILES" "$rep" "${STOOLS[@]}"
  done
  drop_buckets
}
if want small; then
  log "== S: $S_FILES small files, half text-like ($S_BYTES bytes)"
  small_rounds ""
fi

# ---------------------------------------------------------------------------------------------------------------
# T: compressible data. What each tool stores (the bucket's size after one backup), Strata against restic.
# ---------------------------------------------------------------------------------------------------------------
bucket_bytes() { "$RCLONE" size "bench:$1" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes"])'; }
if want compress; then
  log "== T: compressible text ($T_BYTES bytes)"
  for rep in $(runs "$REPS2" 0); do
    for tool in strata restic rclone; do
      b="t-$tool-$rep"
      [[ -n "${LAST_BUCKET[$tool]:-}" ]] && { rmbucket "${LAST_BUCKET[$tool]}"; unset "LAST_BUCKET[$tool]"; }
      new_store "$tool" "$b"
      tool_backup_cmd "$tool" "$T" "$b" T
      measure backup-T "$tool" "$rep" 0 "$T_BYTES" "$T_FILES" "" -- "${CMD[@]}"
      python3 "$BENCH_DIR/report.py" set-last "$CSV" stored_bytes "$(bucket_bytes "$b")"
      LAST_BUCKET[$tool]="$b"
    done
  done
  drop_buckets
fi

# ---------------------------------------------------------------------------------------------------------------
# Encryption on against off: Strata's backup and restore of A, each into its own store.
# ---------------------------------------------------------------------------------------------------------------
if want crypto; then
  log "== encryption: Strata with and without it, on A"
  for rep in $(runs "$REPS2" 0); do
    backup_round backup-A-crypto "$A" A "$A_BYTES" "$A_FILES" "$rep" strata strata-enc
    restore_round restore-A-crypto "$A" "$DATA/$A_NAME.sha256" A "$A_BYTES" "$A_FILES" "$rep" strata strata-enc
  done
  drop_buckets
fi
# ---------------------------------------------------------------------------------------------------------------
# WAN: S again, against a second MinIO in a network namespace reached over a veth pair limited to 1 Gbit/s by a
# token bucket filter on both ends, through `s3raw proxy`, which holds every byte back 10 ms in each direction
# (20 ms round trip). (This kernel has no netem; tbf and the proxy give the same two properties.) Addresses
# 198.18.0.1/30 (here) and 198.18.0.2/30 (there), on interfaces made here and removed on exit.
# ---------------------------------------------------------------------------------------------------------------
WAN_NS=""; WAN_IF=""; WAN_MINIO_PID=""; WAN_PROXY_PID=""
wan_down() {
  if [[ -n "$WAN_PROXY_PID" ]]; then kill "$WAN_PROXY_PID" 2>/dev/null || true; wait "$WAN_PROXY_PID" 2>/dev/null || true; WAN_PROXY_PID=""; fi
  if [[ -n "$WAN_MINIO_PID" ]]; then kill "$WAN_MINIO_PID" 2>/dev/null || true; wait "$WAN_MINIO_PID" 2>/dev/null || true; WAN_MINIO_PID=""; fi
  if [[ -n "$WAN_NS" ]]; then ip netns del "$WAN_NS" 2>/dev/null || true; WAN_NS=""; fi
  if [[ -n "$WAN_IF" ]]; then ip link del "$WAN_IF" 2>/dev/null || true; WAN_IF=""; fi
  rm -rf "$WORK/minio-wan"
}
if want wan; then
  if ! command -v ip >/dev/null || ! command -v tc >/dev/null || [[ $(id -u) -ne 0 ]]; then
    log "== WAN: skipped (needs root, ip and tc)"
  else
    log "== WAN: S against MinIO 10 ms away each way (20 ms round trip), 1 Gbit/s"
    WAN_NS="strata-wan-$$"; WAN_IF="sw$$a"; peer="sw$$b"
    ip netns add "$WAN_NS"
    ip link add "$WAN_IF" type veth peer name "$peer"
    ip link set "$peer" netns "$WAN_NS"
    ip addr add 198.18.0.1/30 dev "$WAN_IF"; ip link set "$WAN_IF" up
    ip netns exec "$WAN_NS" ip addr add 198.18.0.2/30 dev "$peer"
    ip netns exec "$WAN_NS" ip link set "$peer" up; ip netns exec "$WAN_NS" ip link set lo up
    tc qdisc add dev "$WAN_IF" root tbf rate 1gbit burst 256kb latency 50ms
    ip netns exec "$WAN_NS" tc qdisc add dev "$peer" root tbf rate 1gbit burst 256kb latency 50ms
    mkdir -p "$WORK/minio-wan"
    MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off \
      ip netns exec "$WAN_NS" "$MINIO" server --quiet --address 198.18.0.2:9000 --console-address 198.18.0.2:9001 "$WORK/minio-wan" \
      > "$RESULTS/minio-wan.log" 2>&1 &
    WAN_MINIO_PID=$!
    "$S3RAW" proxy -listen 198.18.0.1:9000 -target 198.18.0.2:9000 -delay 10ms > "$RESULTS/wan-proxy.log" 2>&1 &
    WAN_PROXY_PID=$!
    WAN_URL="http://198.18.0.1:9000"
    for _ in $(seq 1 150); do curl -fs "$WAN_URL/minio/health/live" >/dev/null 2>&1 && break; sleep 0.2; done
    curl -fs "$WAN_URL/minio/health/live" >/dev/null || { log "WAN MinIO did not come up"; cat "$RESULTS/minio-wan.log" >&2; exit 1; }
    rtt=$(curl -s -o /dev/null -w '%{time_total}' "$WAN_URL/minio/health/live" 2>/dev/null || echo "?")
    log "WAN MinIO on $WAN_URL (health check over a new connection: ${rtt} s)"
    echo "wan=veth 198.18.0.1 <-> 198.18.0.2 in a netns, tbf rate 1gbit on both ends, s3raw proxy delaying 10ms each way (health check over a new connection ${rtt} s)" >> "$RESULTS/meta.properties"
    # Point every tool (and the measurements) at the WAN server for this group.
    SAVE=("$ENDPOINT" "$MINIO_DATA" "$MINIO_PID")
    ENDPOINT="$WAN_URL"; MINIO_DATA="$WORK/minio-wan"; MINIO_PID=$WAN_MINIO_PID # ip netns exec execs MinIO
    export MC_HOST_bench="http://$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY@198.18.0.1:9000" RCLONE_CONFIG_BENCH_ENDPOINT=$ENDPOINT
    # The issue's peers only (restic, rclone with 16 transfers): default rclone takes minutes per run over 20 ms round trips.
    SAVE_TOOLS=("${STOOLS[@]}"); STOOLS=(strata rclone-t16 restic)
    small_rounds "-wan"
    STOOLS=("${SAVE_TOOLS[@]}")
    ENDPOINT="${SAVE[0]}"; MINIO_DATA="${SAVE[1]}"; MINIO_PID="${SAVE[2]}"
    export MC_HOST_bench="http://$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY@127.0.0.1:$PORT" RCLONE_CONFIG_BENCH_ENDPOINT=$ENDPOINT
    wan_down
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# Scale: a million files (M) backed up, backed up again unchanged, and restored with -Xmx512m; and the unchanged
# re-run of the 50,000 files of C, whose engine time (durationMs) is the figure.
# ---------------------------------------------------------------------------------------------------------------
if want scale; then
  log "== scale: $M_FILES files with -Xmx512m; unchanged re-runs of C"
  new_store strata m-strata
  tool_backup_cmd strata-x512 "$M" m-strata M
  measure backup-M strata-x512 1 0 "$M_BYTES" "$M_FILES" "" -- "${CMD[@]}"
  for rep in $(runs "$REPS2" 0); do
    tool_backup_cmd strata-x512 "$M" m-strata M
    measure unchanged-M strata-x512 "$rep" 0 "$M_BYTES" "$M_FILES" 0 -- "${CMD[@]}"
  done
  rm -rf "$WORK/restore"
  tool_restore_cmd strata-x512 m-strata "$WORK/restore" M
  measure restore-M strata-x512 1 0 "$M_BYTES" "$M_FILES" "" -- "${CMD[@]}"
  finish_restore "$WORK/restore" "$DATA/$M_NAME.sha256"
  rm -rf "$WORK/restore"; rmbucket m-strata
  new_store strata c-unchanged
  tool_backup_cmd strata "$C" c-unchanged C; quiet "${CMD[@]}"
  for rep in $(runs "$REPS" 1); do
    tool_backup_cmd strata "$C" c-unchanged C
    measure unchanged-C strata "$rep" "$(is_warm "$rep")" "$C_BYTES" "$C_FILES" 0 -- "${CMD[@]}"
  done
  rmbucket c-unchanged
fi

# ---------------------------------------------------------------------------------------------------------------
# A/B: two other jars (--ab-before, --ab-after) on A and S: backup, and restore (the second also with --no-fsync).
# ---------------------------------------------------------------------------------------------------------------
if want ab; then
  log "== A/B: ${AB_JARS[0]} against ${AB_JARS[1]}"
  echo "ab_before=$AB_BEFORE" >> "$RESULTS/meta.properties"; echo "ab_after=$AB_AFTER" >> "$RESULTS/meta.properties"
  for rep in $(runs "$REPS2" 0); do
    backup_round backup-A-ab "$A" A "$A_BYTES" "$A_FILES" "$rep" v1-before v1-after
    restore_round restore-A-ab "$A" "$DATA/$A_NAME.sha256" A "$A_BYTES" "$A_FILES" "$rep" v1-before v1-after v1-after-nofsync
    backup_round backup-S-ab "$S" S "$S_BYTES" "$S_FILES" "$rep" v1-before v1-after
    restore_round restore-S-ab "$S" "$DATA/$S_NAME.sha256" S "$S_BYTES" "$S_FILES" "$rep" v1-before v1-after v1-after-nofsync
  done
  drop_buckets
fi

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$RESULTS/meta.properties"
echo "duration_s=$(( $(date +%s) - T_START ))" >> "$RESULTS/meta.properties"
DOC_ARGS=(); [[ $DOCS -eq 1 ]] && DOC_ARGS=(--docs "$REPO/docs/benchmarks.md")
python3 "$BENCH_DIR/report.py" summarize "$RESULTS" "${DOC_ARGS[@]}"
log "done in $(( $(date +%s) - T_START )) s; results in $RESULTS"
