#!/bin/bash
# startup.sh ROUNDS DIR...: client CPU seconds (user+sys) of a one-file backup to MinIO per jar (DIR/strata-runner.jar with
# its class archive), runs interleaved; prints each jar's runs sorted and the median.
. "$(dirname "$0")/env.sh"
rounds=$1; shift
O="-XX:MaxRAM=512m -XX:MaxRAMPercentage=70 -XX:-UsePerfData -XX:+UseSerialGC"
for r in $(seq 1 $rounds); do for v in "$@"; do
  /usr/bin/time -f "%U %S" -o /tmp/st.t java $O -XX:SharedArchiveFile=$P/$v/strata-runner.jsa -jar $P/$v/strata-runner.jar backup --store s3://tiny1 $S3 --source $P/tiny --source-id t --json >/dev/null 2>&1 || echo "$v failed" >&2
  echo "$v $(awk '{print $1+$2}' /tmp/st.t)"
done; done | sort -k1,1 -k2n | awk '{a[$1]=a[$1]" "$2; n[$1]++; v[$1,n[$1]]=$2} END {for (k in a) print k, "median", v[k,int((n[k]+1)/2)], "runs:" a[k]}' | sort
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
