HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; REPO="$(cd "$HERE/../../.." && pwd)"
P="${STRATA_PROF_DIR:-$REPO/bench/work/prof}"; mkdir -p "$P"; cd "$P"
E=$(cat $P/endpoint); export AWS_ACCESS_KEY_ID=benchadmin AWS_SECRET_ACCESS_KEY=benchadmin-secret-key AWS_DEFAULT_REGION=us-east-1
MC=$(sed -n 's/^mc=//p' ~/.cache/strata-tools/tools.properties); export MC_HOST_bench="http://benchadmin:benchadmin-secret-key@${E#http://}" MC_CONFIG_DIR=$P/mc
export JSA=$P/strata-runner.jsa
D="$REPO/bench/work/data"
newb() { $MC rb --force --quiet bench/$1 >/dev/null 2>&1; rm -rf $P/minio-data/.minio.sys/tmp/.trash/* ; $MC mb --quiet bench/$1 >/dev/null && if [[ $2 == enc ]]; then STRATA_KEY=bench-store-key-4f9d2c7a8b1e6f30 java -jar ${JAR:-$P/strata-runner.jar} init --store s3://$1 --endpoint $E --path-style --encryption aes-256-gcm >/dev/null; else java -jar ${JAR:-$P/strata-runner.jar} init --store s3://$1 --endpoint $E --path-style > /dev/null; fi; }
S3="--endpoint $E --path-style"
