#!/bin/bash
# Engine experiments behind docs/benchmarks.md ("Engine experiments"): variants of a prototype jar (built from
# engine-prototypes.diff) and rclone, interleaved, against one MinIO, page cache dropped before each run.
#
#   exp.sh GROUP REPS VARIANT...     GROUP: backupA | backupC | restoreA | restoreC | i1
#
# Expects: a MinIO on 127.0.0.1:19555 (root user benchadmin / benchadmin-secret-key) whose pid is in /tmp/h4minio.pid
# and whose data directory is $EXP_MINIO_DATA; the prototype jar at $JAR; for restores, the source buckets in
# /tmp/exp.src.<group> (Strata) and /tmp/exp.src.<group>.rclone. Prints wall time, client CPU (user+sys), MinIO CPU,
# peak RSS and Strata's durationMs per run. Not part of bench/run.sh.
set -uo pipefail
EXP_DIR="${EXP_DIR:-/work/h4prof}"; EXP_MINIO_DATA="${EXP_MINIO_DATA:-/var/tmp/h4minio}"
cd "$EXP_DIR"
export AWS_ACCESS_KEY_ID=benchadmin AWS_SECRET_ACCESS_KEY=benchadmin-secret-key
E=http://127.0.0.1:19555; S3RAW=/work/main/bench/work/bin/s3raw; D=/work/main/bench/work/data
R=$(grep ^rclone= ~/.cache/strata-tools/tools.properties | cut -d= -f2)
export RCLONE_CONFIG=/dev/null RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Minio RCLONE_CONFIG_BENCH_ENV_AUTH=false RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY RCLONE_CONFIG_BENCH_ENDPOINT=$E RCLONE_CONFIG_BENCH_REGION=us-east-1
MP=$(cat /tmp/h4minio.pid)
MC=$(grep ^mc= ~/.cache/strata-tools/tools.properties | cut -d= -f2); export MC_HOST_bench="http://$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY@127.0.0.1:19555" MC_CONFIG_DIR=$EXP_DIR/mc
cpu(){ awk '{print ($14+$15)/100}' /proc/$MP/stat; }
JAR="${JAR:-$EXP_DIR/strata-proto.jar}"
declare -A V=(
  [base]=""
  [unsigned-sha]="-Dstrata.bench.payload=unsigned"
  [unsigned-crc]="-Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c"
  [unsigned-crc-serial]="-Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c -XX:+UseSerialGC"
  [list]="-Dstrata.bench.listBlobs=true"
  [list-unsigned-crc]="-Dstrata.bench.listBlobs=true -Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c"
  [getinto]="-Dstrata.bench.getInto=true"
  [getinto-serial]="-Dstrata.bench.getInto=true -XX:+UseSerialGC"
  [serial]="-XX:+UseSerialGC"
  [all-serial]="-Dstrata.bench.nodelay=true -Dstrata.bench.listBlobs=true -Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c -Dstrata.bench.getInto=true -XX:+UseSerialGC"
  [all-serial-nocache]="-Dstrata.bench.nodelay=true -Dstrata.bench.listBlobs=true -Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c -Dstrata.bench.getInto=true -XX:+UseSerialGC -Djdk.nio.maxCachedBufferSize=262144"
  [all-x128]="-Dstrata.bench.nodelay=true -Dstrata.bench.listBlobs=true -Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c -Dstrata.bench.getInto=true -Xmx128m"
  [cds]="-XX:SharedArchiveFile=$EXP_DIR/strata.jsa"
  [nodelay]="-Dstrata.bench.nodelay=true"
  [nodelay-list]="-Dstrata.bench.nodelay=true -Dstrata.bench.listBlobs=true"
  [nodelay-unsigned-crc]="-Dstrata.bench.nodelay=true -Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c"
  [all]="-Dstrata.bench.nodelay=true -Dstrata.bench.listBlobs=true -Dstrata.bench.payload=unsigned -Dstrata.bench.checksum=crc32c -Dstrata.bench.getInto=true"
  [getinto-cds]="-Dstrata.bench.getInto=true -XX:SharedArchiveFile=$EXP_DIR/strata.jsa"
  [getinto-c2only]="-Dstrata.bench.getInto=true -XX:-TieredCompilation"
  [getinto-cds-c2only]="-Dstrata.bench.getInto=true -XX:SharedArchiveFile=$EXP_DIR/strata.jsa -XX:-TieredCompilation"
)
one() { # label cmd...
  local label="$1"; shift
  sync; echo 3 > /proc/sys/vm/drop_caches
  local c0=$(cpu) t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S %M' -o /tmp/exp.time "$@" > /tmp/exp.out 2> /tmp/exp.err; local rc=$?
  local t1=$(date +%s.%N) c1=$(cpu)
  read u s m < /tmp/exp.time 2>/dev/null || { u=0; s=0; m=0; read u s m < <(tail -1 /tmp/exp.time); }
  local eng=$(grep -o '"durationMs" : [0-9]*' /tmp/exp.out | grep -o '[0-9]*$')
  printf '%-28s rc=%d wall=%6.2f client_cpu=%6.2f server_cpu=%6.2f rss=%4.0fMB engine=%sms load=%s\n' "$label" $rc \
    $(awk "BEGIN{print $t1-$t0}") $(awk "BEGIN{print $u+$s}") $(awk "BEGIN{print $c1-$c0}") $(awk "BEGIN{print $m/1024}") "${eng:--}" "$(cut -d' ' -f1 /proc/loadavg)"
  [[ $rc == 0 ]] || tail -3 /tmp/exp.err
}
group="$1"; reps="$2"; shift 2; variants=("$@")
for r in $(seq 1 $reps); do
  for v in "${variants[@]}"; do
    case "$group" in
      backupA|backupC)
        src=$D/A; [[ $group == backupC ]] && src=${CSRC:-/var/tmp/h4C10k}
        b="x-$RANDOM-$RANDOM"; $S3RAW mb -endpoint $E -bucket $b
        if [[ $v == rclone* ]]; then
          fl=""; [[ $v == rclone-t16 ]] && fl="--transfers 16 --checkers 16"
          one "$group $v" $R sync $src bench:$b $fl
        else
          one "$group $v" java -Xmx256m ${V[$v]} -jar $JAR backup --store s3://$b --endpoint $E --path-style --source $src --source-id S --json
        fi
        old=$(cat /tmp/exp.lastbucket.$group.$v 2>/dev/null); [[ -n "$old" ]] && $MC rb --force --quiet bench/$old >/dev/null 2>&1; rm -rf "$EXP_MINIO_DATA"/.minio.sys/tmp/.trash/*
        echo $b > /tmp/exp.lastbucket.$group.$v ;;
      restoreA|restoreC)
        bsrc=$(cat /tmp/exp.src.$group); rm -rf /var/tmp/h4r
        if [[ $v == rclone* ]]; then
          fl=""; [[ $v == rclone-t16 ]] && fl="--transfers 16 --checkers 16"
          one "$group $v" $R copy bench:$(cat /tmp/exp.src.$group.rclone) /var/tmp/h4r $fl
        else
          one "$group $v" java -Xmx256m ${V[$v]} -jar $JAR restore --store s3://$bsrc --endpoint $E --path-style --latest --source-id S --target /var/tmp/h4r --json
        fi
        if [[ -n "${VERIFY:-}" ]]; then (cd /var/tmp/h4r && find . -type f -print0 | xargs -0 -P2 -n 512 sha256sum) | LC_ALL=C sort -k2 | diff -q - $VERIFY >/dev/null && echo "   verified" || echo "   VERIFY FAILED"; fi ;;
      i1)
        one "i1 $v" java -Xmx256m ${V[$v]} -jar $JAR backup --store s3://$(cat /tmp/exp.src.i1) --endpoint $E --path-style --source $D/A --source-id S --json ;;
    esac
  done
done
