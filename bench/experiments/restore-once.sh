#!/bin/bash
# restore-once.sh LABEL JAVA-OPTION...: one cold restore of A (the latest snapshot of source bench/A in bucket exp) with
# the jar at $JAR, printing wall time, client CPU (user, sys), peak RSS and MinIO's CPU. Behind the 16 KiB slices and
# the class archive in docs/benchmarks.md; not part of bench/run.sh.
#
# Expects a MinIO on 127.0.0.1:19000 (root user benchadmin / benchadmin-secret-key) whose pid is in /tmp/exp/minio.pid,
# and A backed up into its bucket `exp` once:
#   java -jar $JAR backup --store s3://exp --endpoint http://127.0.0.1:19000 --path-style \
#     --source bench/work/data/A --source-id bench/A
# The slice sizes were compared with a temporary -Dstrata.writeSlice=BYTES in ChunkIO (not kept), e.g.
#   for i in 1 2 3 4; do restore-once.sh s16k -XX:+UseSerialGC -Dstrata.writeSlice=16384; \
#     restore-once.sh s4m -XX:+UseSerialGC -Dstrata.writeSlice=4194304; done
export AWS_ACCESS_KEY_ID=benchadmin AWS_SECRET_ACCESS_KEY=benchadmin-secret-key AWS_DEFAULT_REGION=us-east-1
label=$1; shift
JAR="${JAR:-/tmp/exp/strata-runner.jar}"
T="${TARGET:-/work/main/bench/work/exp-restore}"
rm -rf "$T"; sync; echo 3 > /proc/sys/vm/drop_caches
MP=$(cat /tmp/exp/minio.pid)
c0=$(awk '{print $14+$15}' /proc/$MP/stat)
/usr/bin/time -f "%e %U %S %M" -o /tmp/exp/t.txt java -Xmx256m "$@" -jar "$JAR" restore --store s3://exp \
  --endpoint http://127.0.0.1:19000 --path-style --latest --source-id bench/A --target "$T" --json > /tmp/exp/out.json 2>/tmp/exp/err.txt
rc=$?
c1=$(awk '{print $14+$15}' /proc/$MP/stat)
read -r w u s m < /tmp/exp/t.txt
echo "$label rc=$rc wall=$w cpu=$(echo "$u+$s" | bc) user=$u sys=$s rss=$((m/1024))MB minio_cpu=$((c1-c0))cs load=$(cut -d' ' -f1 /proc/loadavg)"
