#!/bin/bash
# p.sh setup | run LABEL [JAVA-OPTION...] -- STRATA-ARGS...: a MinIO of its own for profiling; one run of the jar at $JAR
# (default $P/strata-runner.jar, class archive $JSA) with the runner's JVM options, page cache dropped, printing wall
# time, client CPU (user+sys), peak RSS, MinIO's CPU and the engine's durationMs.
P="${STRATA_PROF_DIR:-$(cd "$(dirname "$0")/../../.." && pwd)/bench/work/prof}"
PROPS=~/.cache/strata-tools/tools.properties
prop() { sed -n "s/^$1=//p" "$PROPS" | tail -n1; }
export AWS_ACCESS_KEY_ID=benchadmin AWS_SECRET_ACCESS_KEY=benchadmin-secret-key AWS_DEFAULT_REGION=us-east-1
case "$1" in
setup)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -rf $P/minio-data; mkdir -p $P/minio-data
  MINIO_ROOT_USER=$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off \
    nohup $(prop minio) server --quiet --address 127.0.0.1:$port --console-address 127.0.0.1:$cport $P/minio-data > $P/minio.log 2>&1 &
  echo $! > $P/minio.pid; echo "http://127.0.0.1:$port" > $P/endpoint
  sleep 2; curl -fs http://127.0.0.1:$port/minio/health/live && echo minio up $port pid $(cat $P/minio.pid)
  ;;
run)
  label=$2; shift 2; extra=(); while [[ $1 != -- ]]; do extra+=("$1"); shift; done; shift
  MP=$(cat $P/minio.pid)
  sync; echo 3 > /proc/sys/vm/drop_caches
  c0=$(awk '{print $14+$15}' /proc/$MP/stat); t0=$(date +%s.%N)
  /usr/bin/time -f "%e %U %S %M" -o $P/$label.time java -XX:MaxRAM=512m -XX:MaxRAMPercentage=70 -XX:-UsePerfData -XX:+UseSerialGC \
    ${JSA:+-XX:SharedArchiveFile=$JSA} "${extra[@]}" -jar ${JAR:-$P/strata-runner.jar} "$@" > $P/$label.out 2> $P/$label.err
  rc=$?
  c1=$(awk '{print $14+$15}' /proc/$MP/stat)
  read -r w u s m < <(tail -1 $P/$label.time)
  eng=$(grep -o '"durationMs" : [0-9]*' $P/$label.out | grep -o '[0-9]*$')
  echo "$label rc=$rc wall=$w cpu=$(echo "$u+$s" | bc) user=$u sys=$s rss=$((m/1024))MB minio_cpu=$((c1-c0))cs engine=${eng}ms load=$(cut -d' ' -f1 /proc/loadavg)"
  [[ $rc == 0 ]] || tail -5 $P/$label.err
  ;;
esac
