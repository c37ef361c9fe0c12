#!/usr/bin/env bash
# Builds the operator and runner images from images/*/Dockerfile for tests, on a base made from Debian's packages
# (no registry is needed), plus the pause image of the test node, and writes them, with that Debian base, to one
# docker-archive tarball.
#
#   images/build-test-images.sh OUT.tar
#
# Needs root, docker.io (dockerd), debootstrap, and the jars (mvn -B -pl operator,backup-runner -am package
# -DskipTests) and the pause tool (e2e/tools/install.sh pause). Images are tagged with the names the chart's defaults
# use (ghcr.io/strata-dev/strata-{operator,runner}:<appVersion>) and strata.local/pause:<PAUSE_VERSION>.
#
# A private dockerd (its own socket, data and exec roots; --iptables=false --bridge=none --ip-forward=false, so it
# changes nothing on the host's network) runs only while this script does. Its data root is kept in
# ${STRATA_TOOLS_HOME:-~/.cache/strata-tools}/images/docker, so the Debian base and Java layers are built once per
# machine; one build at a time (flock). See images/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:?usage: $0 OUT.tar}"
# shellcheck source=../e2e/tools/versions.env
source "$ROOT/e2e/tools/versions.env"
TOOLS_HOME="${STRATA_TOOLS_HOME:-$HOME/.cache/strata-tools}"
CACHE="$TOOLS_HOME/images"
SUITE=bookworm
BASE_IMAGE="strata.local/debian-base:$SUITE"
JAVA_IMAGE="strata.local/java17:$SUITE"
PAUSE_IMAGE="strata.local/pause:$PAUSE_VERSION"
APP_VERSION="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$ROOT/charts/strata/Chart.yaml")"
OPERATOR_IMAGE="ghcr.io/strata-dev/strata-operator:$APP_VERSION"
RUNNER_IMAGE="ghcr.io/strata-dev/strata-runner:$APP_VERSION"

log() { printf '[strata-images] %s\n' "$*" >&2; }
die() { printf '[strata-images] ERROR: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "needs root (dockerd, debootstrap)"
for bin in dockerd docker debootstrap; do
  [[ -x /usr/bin/$bin || -x /usr/sbin/$bin ]] || die "/usr/bin/$bin is missing: apt-get install docker.io debootstrap"
done
DOCKER=/usr/bin/docker
for jar in operator/target/strata-operator.jar backup-runner/target/strata-runner.jar; do
  [[ -f "$ROOT/$jar" ]] || die "$jar is missing: mvn -B -pl operator,backup-runner -am package -DskipTests"
done

mkdir -p "$CACHE"
exec 8>"$CACHE/.lock"
if ! flock -n 8; then
  log "another build holds $CACHE/.lock; waiting..."
  flock 8
fi

started=$(date +%s)
# Keyed by the cache: builds for two tool homes (each with its own lock) never share a daemon.
RUN_DIR="/run/strata-images-$(printf '%s' "$CACHE" | md5sum | cut -c1-8)"
SOCK="$RUN_DIR/docker.sock"
WORK=""
DOCKERD_PID=""
stop_dockerd() {
  if [[ -n "$DOCKERD_PID" ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill -TERM "$DOCKERD_PID"
    for _ in $(seq 1 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$DOCKERD_PID" 2>/dev/null || true
  fi
  # A dockerd killed with this script leaves its containerd and mounts behind: clear them (we hold the lock).
  if [[ -f "$RUN_DIR/containerd/containerd.pid" ]]; then
    kill -TERM "$(cat "$RUN_DIR/containerd/containerd.pid")" 2>/dev/null || true
  fi
  { grep -o " $RUN_DIR[^ ]*\| $CACHE/docker[^ ]*" /proc/mounts || true; } | sort -r |
    while read -r m; do umount -l "$m" || true; done
  rm -rf "$WORK"
}
trap stop_dockerd EXIT
stop_dockerd_leftovers() { DOCKERD_PID="$(cat "$RUN_DIR/dockerd.pid" 2>/dev/null || true)"; stop_dockerd; DOCKERD_PID=""; }
stop_dockerd_leftovers
WORK="$(mktemp -d "${TMPDIR:-/tmp}/strata-images.XXXXXX")"
mkdir -p "$RUN_DIR" "$CACHE/docker"

log "starting a private dockerd (data root $CACHE/docker)"
setsid /usr/sbin/dockerd --host "unix://$SOCK" --data-root "$CACHE/docker" --exec-root "$RUN_DIR/exec" \
  --pidfile "$RUN_DIR/dockerd.pid" --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
  --bridge=none --userland-proxy=false --storage-driver=overlay2 --log-level=warn \
  >"$WORK/dockerd.log" 2>&1 </dev/null &
DOCKERD_PID=$!
export DOCKER_HOST="unix://$SOCK" DOCKER_BUILDKIT=0 DOCKER_CONFIG="$WORK/docker-config"
for _ in $(seq 1 300); do
  $DOCKER version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || { cat "$WORK/dockerd.log" >&2; die "dockerd exited"; }
  sleep 0.1
done
$DOCKER version >/dev/null || { cat "$WORK/dockerd.log" >&2; die "dockerd did not answer"; }
log "dockerd ready after $(($(date +%s) - started))s"

have() { $DOCKER image inspect "$1" >/dev/null 2>&1; }

if ! have "$BASE_IMAGE"; then
  mirror="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)"
  [[ -n "$mirror" ]] || mirror="$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)"
  [[ -n "$mirror" ]] || die "no Debian mirror found in /etc/apt/sources.list(.d)"
  t=$(date +%s)
  log "debootstrap --variant=minbase $SUITE from $mirror ..."
  debootstrap --variant=minbase "$SUITE" "$WORK/rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
  tar -C "$WORK/rootfs" -c . | $DOCKER import - "$BASE_IMAGE" >/dev/null
  rm -rf "$WORK/rootfs"
  log "base $BASE_IMAGE in $(($(date +%s) - t))s"
fi

if ! have "$JAVA_IMAGE"; then
  t=$(date +%s)
  mkdir -p "$WORK/java"
  cat >"$WORK/java/Dockerfile" <<EOF
FROM $BASE_IMAGE
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless ca-certificates && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
EOF
  $DOCKER build -q --network host -t "$JAVA_IMAGE" "$WORK/java" >/dev/null
  log "Java 17 runtime $JAVA_IMAGE in $(($(date +%s) - t))s"
fi

PAUSE_BIN="$TOOLS_HOME/pause-$PAUSE_VERSION/pause"
[[ -x "$PAUSE_BIN" ]] || die "$PAUSE_BIN is missing: e2e/tools/install.sh pause"
t=$(date +%s)
mkdir -p "$WORK/pause"
cp "$PAUSE_BIN" "$WORK/pause/pause"
printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$WORK/pause/Dockerfile"
$DOCKER build -q -t "$PAUSE_IMAGE" "$WORK/pause" >/dev/null
$DOCKER build -q --build-arg "BASE=$JAVA_IMAGE" -f "$ROOT/images/runner/Dockerfile" -t "$RUNNER_IMAGE" "$ROOT" >/dev/null
$DOCKER build -q --build-arg "BASE=$JAVA_IMAGE" -f "$ROOT/images/operator/Dockerfile" -t "$OPERATOR_IMAGE" "$ROOT" >/dev/null
log "built $RUNNER_IMAGE, $OPERATOR_IMAGE and $PAUSE_IMAGE in $(($(date +%s) - t))s"

t=$(date +%s)
mkdir -p "$(dirname "$OUT")"
# The Debian base too: an image with a shell for a person's own pods on the test node (docs/walkthrough.md's app); its
# layer is the Java images' first, so the archive holds it once.
$DOCKER save -o "$OUT.tmp" "$PAUSE_IMAGE" "$RUNNER_IMAGE" "$OPERATOR_IMAGE" "$BASE_IMAGE"
mv -f "$OUT.tmp" "$OUT"
$DOCKER image prune -f >/dev/null
log "saved to $OUT ($(du -m "$OUT" | cut -f1) MB) in $(($(date +%s) - t))s; total $(($(date +%s) - started))s"
