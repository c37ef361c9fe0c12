#!/usr/bin/env bash
# Builds the e2e and benchmark test tools (etcd, kube-apiserver,
# kube-controller-manager, kubectl, the node's kubelet, kube-scheduler,
# kube-proxy and CoreDNS, a pause program, MinIO, mc, Helm, restic, rclone,
# promtool)
# with Go from the Go module proxy into a version-keyed cache, and merges
# their absolute paths into <cache>/tools.properties.
#
#   e2e/tools/install.sh [--print] [-h|--help] [tool ...]
#
# Tools: etcd kubernetes kubernetes-node coredns pause minio mc helm restic rclone promtool (no names = all).
# Cache: ${STRATA_TOOLS_HOME:-$HOME/.cache/strata-tools}/<tool>-<version>/<binary>.
# Versions: e2e/tools/versions.env. See e2e/tools/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$SCRIPT_DIR/versions.env"

TOOLS_HOME="${STRATA_TOOLS_HOME:-$HOME/.cache/strata-tools}"
PROPS="$TOOLS_HOME/tools.properties"
ALL_TOOLS=(etcd kubernetes kubernetes-node coredns pause minio mc helm restic rclone promtool)

log() { printf '[strata-tools] %s\n' "$*"; }
err() { printf '[strata-tools] ERROR: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

usage() {
  cat <<EOF
Usage: $(basename "$0") [--print] [-h|--help] [tool ...]

Builds test tools with Go from the module proxy into
  \${STRATA_TOOLS_HOME:-\$HOME/.cache/strata-tools}/<tool>-<version>/<binary>
(currently $TOOLS_HOME) and writes $PROPS.
A tool whose directory already exists is not rebuilt.

Tools: ${ALL_TOOLS[*]}   (no names = all)
  etcd        etcd $ETCD_VERSION
  kubernetes  kube-apiserver, kube-controller-manager, kubectl $KUBERNETES_VERSION
  kubernetes-node  kubelet, kube-scheduler, kube-proxy $KUBERNETES_VERSION
  coredns     coredns $COREDNS_VERSION
  pause       the pods' sandbox program (e2e/tools/pause) $PAUSE_VERSION
  minio       minio $MINIO_VERSION
  mc          mc $MC_VERSION
  helm        helm $HELM_VERSION
  restic      restic $RESTIC_VERSION
  rclone      rclone $RCLONE_VERSION
  promtool    promtool $PROMTOOL_VERSION (Prometheus's rule checker and unit tester)

Options:
  --print     print the path of tools.properties and exit (builds nothing)
  -h, --help  this help

Environment:
  STRATA_TOOLS_HOME  cache root (default \$HOME/.cache/strata-tools)
  STRATA_TOOLS_JOBS  go build -p value (default: number of CPUs)
EOF
}

# ---- tool metadata ---------------------------------------------------------

tool_version() {
  case "$1" in
    etcd) echo "$ETCD_VERSION" ;;
    kubernetes) echo "$KUBERNETES_VERSION" ;;
    kubernetes-node) echo "$KUBERNETES_VERSION" ;;
    coredns) echo "$COREDNS_VERSION" ;;
    pause) echo "$PAUSE_VERSION" ;;
    minio) echo "$MINIO_VERSION" ;;
    mc) echo "$MC_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    restic) echo "$RESTIC_VERSION" ;;
    rclone) echo "$RCLONE_VERSION" ;;
    promtool) echo "$PROMTOOL_VERSION" ;;
    *) return 1 ;;
  esac
}

tool_binaries() {
  case "$1" in
    kubernetes) echo "kube-apiserver kube-controller-manager kubectl" ;;
    kubernetes-node) echo "kubelet kube-scheduler kube-proxy" ;;
    *) echo "$1" ;;
  esac
}

tool_dir() { echo "$TOOLS_HOME/$1-$(tool_version "$1")"; }

is_installed() {
  local dir b
  dir="$(tool_dir "$1")"
  for b in $(tool_binaries "$1"); do
    [[ -f "$dir/$b" && -x "$dir/$b" ]] || return 1
  done
}

is_tool() {
  local t
  for t in "${ALL_TOOLS[@]}"; do [[ "$t" == "$1" ]] && return 0; done
  return 1
}

# ---- arguments -------------------------------------------------------------

REQUESTED=()
PRINT=0
for arg in "$@"; do
  case "$arg" in
    --print) PRINT=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option: $arg" ;;
    *)
      is_tool "$arg" || die "unknown tool '$arg' (known: ${ALL_TOOLS[*]})"
      REQUESTED+=("$arg")
      ;;
  esac
done

if [[ $PRINT -eq 1 ]]; then
  echo "$PROPS"
  [[ -f "$PROPS" ]] || err "$PROPS does not exist yet; run $0 to build the tools"
  exit 0
fi
[[ ${#REQUESTED[@]} -gt 0 ]] || REQUESTED=("${ALL_TOOLS[@]}")

# ---- environment -----------------------------------------------------------

command -v go >/dev/null 2>&1 ||
  die "'go' was not found on PATH. These tools are built from source with Go (>= 1.26: etcd $ETCD_VERSION and rclone $RCLONE_VERSION need it); install Go and put it on PATH, then rerun $0."
command -v flock >/dev/null 2>&1 || die "'flock' (util-linux) was not found on PATH"

GO_VERSION="$(go env GOVERSION)"
JOBS="${STRATA_TOOLS_JOBS:-$(nproc 2>/dev/null || echo 2)}"
export CGO_ENABLED=0
export GOWORK=off
GOFLAGS="$(go env GOFLAGS)"
[[ " $GOFLAGS " == *" -trimpath "* ]] || GOFLAGS="-trimpath${GOFLAGS:+ $GOFLAGS}"
export GOFLAGS

K8S_MAJOR="${KUBERNETES_VERSION#v}"; K8S_MAJOR="${K8S_MAJOR%%.*}"
K8S_MINOR="${KUBERNETES_VERSION#v*.}"; K8S_MINOR="${K8S_MINOR%%.*}"

mkdir -p "$TOOLS_HOME"
TOOLS_HOME="$(cd "$TOOLS_HOME" && pwd -P)"
PROPS="$TOOLS_HOME/tools.properties"

exec 9>"$TOOLS_HOME/.lock"
if ! flock -n 9; then
  log "another install.sh holds $TOOLS_HOME/.lock; waiting for it to finish..."
  flock 9
fi
# We hold the lock: temp dirs left behind by a killed run are garbage.
rm -rf "$TOOLS_HOME"/.tmp-* "$TOOLS_HOME"/.tools.properties.*

TMP_DIRS=()
cleanup() {
  local d
  for d in "${TMP_DIRS[@]}"; do rm -rf "$d"; done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- build helpers (run inside a `set -e` subshell per tool) ---------------

CURRENT_TOOL=""

# run <command...>: echo the command, run it, name tool + command on failure.
run() {
  log "  \$ $(printf '%q ' "$@")"
  local rc=0
  "$@" 9>&- || rc=$?
  if [[ $rc -ne 0 ]]; then
    err "building '$CURRENT_TOOL' failed (exit $rc) in: $(printf '%q ' "$@")"
    return "$rc"
  fi
}

# timed <binary> <version> <command...>
timed() {
  local bin="$1" version="$2" start
  shift 2
  log "building $bin $version ..."
  start=$(date +%s)
  run "$@"
  log "built $bin $version in $(($(date +%s) - start))s"
}

# check_version <binary path> <expected substring> <args...>: binary must run.
check_version() {
  local bin="$1" expect="$2" out rc=0
  shift 2
  out="$("$bin" "$@" 2>&1 9>&-)" || rc=$?
  if [[ $rc -ne 0 ]]; then
    err "building '$CURRENT_TOOL': built binary does not run: $bin $* (exit $rc): $out"
    return 1
  fi
  if [[ -n "$expect" && "$out" != *"$expect"* ]]; then
    err "building '$CURRENT_TOOL': '$bin $*' printed '$out', expected it to contain '$expect'"
    return 1
  fi
  log "  $(basename "$bin") $*: $(printf '%s' "$out" | head -n 1)"
}

# require_module <wrapper dir> <module> <version>: wrapper go.mod matches versions.env.
require_module() {
  local dir="$1" module="$2" want="$3" got
  got="$(go -C "$dir" list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$module")"
  if [[ "$got" != "$want" ]]; then
    err "building '$CURRENT_TOOL': $dir/go.mod has $module $got but versions.env wants $want; update go.mod and run 'go mod tidy' there"
    return 1
  fi
}

build_etcd() {
  local out="$1" dir="$SCRIPT_DIR/etcd"
  require_module "$dir" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
  timed etcd "$ETCD_VERSION" \
    go -C "$dir" build -p "$JOBS" -ldflags "-s -w" -o "$out/etcd" go.etcd.io/etcd/server/v3
  check_version "$out/etcd" "etcd Version: ${ETCD_VERSION#v}" --version
}

build_kubernetes() {
  local out="$1" dir="$SCRIPT_DIR/k8s" cmd ldflags
  require_module "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION"
  require_module "$dir" k8s.io/api "$KUBERNETES_STAGING_VERSION"
  require_module "$dir" k8s.io/component-base "$KUBERNETES_STAGING_VERSION"
  ldflags="$(kube_ldflags)"
  for cmd in kube-apiserver kube-controller-manager kubectl; do
    timed "$cmd" "$KUBERNETES_VERSION" \
      go -C "$dir" build -p "$JOBS" -ldflags "$ldflags" -o "$out/$cmd" "k8s.io/kubernetes/cmd/$cmd"
  done
  check_version "$out/kube-apiserver" "Kubernetes $KUBERNETES_VERSION" --version
  check_version "$out/kube-controller-manager" "Kubernetes $KUBERNETES_VERSION" --version
  check_version "$out/kubectl" "Client Version: $KUBERNETES_VERSION" version --client
}

# kube_ldflags: the version stamps `--version` and the server's /version report.
kube_ldflags() {
  local ldflags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=$K8S_MAJOR"
    ldflags+=" -X $pkg.gitMinor=$K8S_MINOR -X $pkg.gitTreeState=clean"
  done
  echo "$ldflags"
}

build_kubernetes-node() {
  local out="$1" dir="$SCRIPT_DIR/k8s" cmd
  require_module "$dir" k8s.io/kubernetes "$KUBERNETES_VERSION"
  for cmd in kubelet kube-scheduler kube-proxy; do
    timed "$cmd" "$KUBERNETES_VERSION" \
      go -C "$dir" build -p "$JOBS" -ldflags "$(kube_ldflags)" -o "$out/$cmd" "k8s.io/kubernetes/cmd/$cmd"
    check_version "$out/$cmd" "Kubernetes $KUBERNETES_VERSION" --version
  done
}

build_coredns() {
  local out="$1"
  timed coredns "$COREDNS_VERSION" \
    env GOBIN="$out" go install -p "$JOBS" -ldflags "-s -w" "github.com/coredns/coredns@$COREDNS_VERSION"
  check_version "$out/coredns" "CoreDNS-${COREDNS_VERSION#v}" -version
}

build_pause() {
  local out="$1"
  timed pause "$PAUSE_VERSION" go -C "$SCRIPT_DIR/pause" build -ldflags "-s -w" -o "$out/pause" .
  check_version "$out/pause" "pause $PAUSE_VERSION" -version
}

build_minio() {
  local out="$1"
  timed minio "$MINIO_VERSION" \
    env GOBIN="$out" go install -p "$JOBS" -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"
  check_version "$out/minio" "" --version
}

build_mc() {
  local out="$1"
  timed mc "$MC_VERSION" \
    env GOBIN="$out" go install -p "$JOBS" -ldflags "-s -w" "github.com/minio/mc@$MC_VERSION"
  check_version "$out/mc" "" --config-dir "$out/.mc-version-check" --version
  rm -rf "$out/.mc-version-check"
}

build_helm() {
  local out="$1" ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" pkg
  # Helm's default .Capabilities.KubeVersion (template/lint offline) is v1.20;
  # Helm's Makefile sets it to the client-go minor it is built with (1.34 for 3.19).
  for pkg in helm.sh/helm/v3/pkg/chartutil helm.sh/helm/v3/pkg/lint/rules; do
    ldflags+=" -X $pkg.k8sVersionMajor=$K8S_MAJOR -X $pkg.k8sVersionMinor=$K8S_MINOR"
  done
  timed helm "$HELM_VERSION" \
    env GOBIN="$out" go install -p "$JOBS" -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  check_version "$out/helm" "$HELM_VERSION" version --short
}

build_restic() {
  local out="$1"
  timed restic "$RESTIC_VERSION" \
    env GOBIN="$out" go install -p "$JOBS" -ldflags "-s -w" "github.com/restic/restic/cmd/restic@$RESTIC_VERSION"
  check_version "$out/restic" "restic ${RESTIC_VERSION#v}" version
}

build_rclone() {
  local out="$1"
  # Without fs.Version rclone reports itself as <tag>-DEV (as its Makefile does, set the tag).
  timed rclone "$RCLONE_VERSION" \
    env GOBIN="$out" go install -p "$JOBS" -ldflags "-s -w -X github.com/rclone/rclone/fs.Version=$RCLONE_VERSION" \
    "github.com/rclone/rclone@$RCLONE_VERSION"
  check_version "$out/rclone" "rclone $RCLONE_VERSION"$'\n' version
}

build_promtool() {
  local out="$1" dir="$SCRIPT_DIR/promtool"
  # The module's v0.x versions are Prometheus 3.x releases (v0.308.1 is 3.8.1); its exclude directives keep it from
  # `go install`, so it is built from the wrapper module promtool/.
  require_module "$dir" github.com/prometheus/prometheus "$PROMTOOL_VERSION"
  timed promtool "$PROMTOOL_VERSION" \
    go -C "$dir" build -p "$JOBS" -ldflags "-s -w" -o "$out/promtool" github.com/prometheus/prometheus/cmd/promtool
  check_version "$out/promtool" "" --version
}

# ---- properties ------------------------------------------------------------

prop_value() { # Java properties: escape backslashes (paths need nothing else)
  local v="${1//\\/\\\\}"
  printf '%s' "$v"
}

# Merges: keys of tools this script does not know (an older or newer checkout's install.sh shares the cache) are kept
# while the file they name still exists; this script's own keys are rewritten from what is installed.
write_properties() {
  local tmp t b key value
  local -A props=()
  if [[ -f "$PROPS" ]]; then
    while IFS='=' read -r key value; do
      [[ -z "$key" || "$key" == \#* || "$key" == tools.home ]] && continue
      if [[ "$key" == *.version ]] || [[ -e "$value" ]]; then props["$key"]="$value"; fi
    done <"$PROPS"
  fi
  for t in "${ALL_TOOLS[@]}"; do
    for b in $(tool_binaries "$t"); do unset 'props[$b]'; done
    unset 'props[$t.version]'
    is_installed "$t" || continue
    for b in $(tool_binaries "$t"); do props["$b"]="$(prop_value "$(tool_dir "$t")/$b")"; done
    props["$t.version"]="$(tool_version "$t")"
  done
  tmp="$(mktemp "$TOOLS_HOME/.tools.properties.XXXXXX")"
  {
    echo "# Test tools built by e2e/tools/install.sh from e2e/tools/versions.env. Generated; do not edit."
    echo "tools.home=$(prop_value "$TOOLS_HOME")"
    for key in $(printf '%s\n' "${!props[@]}" | sort); do echo "$key=${props[$key]}"; done
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$PROPS"
}

# ---- main ------------------------------------------------------------------

log "tools home: $TOOLS_HOME ($GO_VERSION, GOFLAGS=$GOFLAGS, CGO_ENABLED=0, -p $JOBS)"
FAILED=()
TOTAL_START=$(date +%s)
for tool in "${REQUESTED[@]}"; do
  version="$(tool_version "$tool")"
  dir="$(tool_dir "$tool")"
  if is_installed "$tool"; then
    log "cached: $tool $version ($dir)"
    continue
  fi
  tmp="$TOOLS_HOME/.tmp-$tool-$version-$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  TMP_DIRS+=("$tmp")
  start=$(date +%s)
  rc=0
  set +e
  (
    set -euo pipefail
    CURRENT_TOOL="$tool"
    "build_$tool" "$tmp"
    {
      echo "tool=$tool"
      echo "version=$version"
      echo "go=$GO_VERSION"
      echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
      echo "seconds=$(($(date +%s) - start))"
    } >"$tmp/build-info.txt"
  )
  rc=$?
  set -e
  if [[ $rc -ne 0 ]]; then
    err "$tool $version was NOT installed (see the error above); nothing was written to $dir"
    FAILED+=("$tool")
    rm -rf "$tmp"
    continue
  fi
  # Only a complete build is moved into place (rename within one filesystem).
  rm -rf "$dir"
  mv "$tmp" "$dir"
  log "installed $tool $version in $(($(date +%s) - start))s -> $dir"
done

write_properties
log "wrote $PROPS ($(($(date +%s) - TOTAL_START))s total)"
if [[ ${#FAILED[@]} -gt 0 ]]; then
  die "failed to build: ${FAILED[*]}"
fi
