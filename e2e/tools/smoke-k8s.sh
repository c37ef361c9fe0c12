#!/usr/bin/env bash
# Smoke test for the tools built by install.sh: starts etcd, kube-apiserver and
# kube-controller-manager on free loopback ports with throw-away state, checks
# that the API works and that the Job, garbage-collector, namespace and
# service-account controllers act, then stops everything it started.
#
#   e2e/tools/smoke-k8s.sh            # KEEP=1 keeps the work dir (logs, keys, kubeconfigs)
#
# The flags used here are the reference for the JUnit extension (see README.md).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROPS="$("$SCRIPT_DIR/install.sh" --print)"
[[ -f "$PROPS" ]] || { echo "run $SCRIPT_DIR/install.sh etcd kubernetes first" >&2; exit 1; }
prop() { sed -n "s/^$1=//p" "$PROPS" | tail -n 1; }
ETCD="$(prop etcd)"
APISERVER="$(prop kube-apiserver)"
KCM="$(prop kube-controller-manager)"
KUBECTL="$(prop kubectl)"
for b in "$ETCD" "$APISERVER" "$KCM" "$KUBECTL"; do
  [[ -x "$b" ]] || { echo "missing tool binary '$b'; run install.sh etcd kubernetes" >&2; exit 1; }
done

W="$(mktemp -d "${TMPDIR:-/tmp}/strata-smoke.XXXXXX")"
PIDS=()
cleanup() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  if [[ "${KEEP:-0}" == 1 ]]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT

log() { printf '[smoke %s] %s\n' "$(date +%T)" "$*"; }
fail() {
  log "FAILED: $*"
  for f in "$W"/*.log; do echo "---- tail $f"; tail -n 30 "$f"; done
  exit 1
}

USED_PORTS=" "
free_port() { # a currently unused loopback TCP port
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    [[ "$USED_PORTS" == *" $p "* ]] && continue
    [[ -z "$(ss -Htln "sport = :$p")" ]] || continue
    USED_PORTS+="$p "
    echo "$p"
    return
  done
}

# wait_for <seconds> <description> <command...>
wait_for() {
  local timeout="$1" what="$2" start=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS - start < timeout)) || fail "timed out after ${timeout}s waiting for $what"
    sleep 0.5
  done
  log "ok: $what ($((SECONDS - start))s)"
}

ETCD_CLIENT_PORT="$(free_port)"
ETCD_PEER_PORT="$(free_port)"
API_PORT="$(free_port)"
KCM_PORT="$(free_port)"

# --- credentials --------------------------------------------------------------
openssl genrsa -out "$W/sa.key" 2048 2>/dev/null
openssl rsa -in "$W/sa.key" -pubout -out "$W/sa.pub" 2>/dev/null
ADMIN_TOKEN="$(openssl rand -hex 24)"
KCM_TOKEN="$(openssl rand -hex 24)"
# token,user,uid[,"group1,group2"]
cat >"$W/tokens.csv" <<EOF
$ADMIN_TOKEN,strata-admin,strata-admin,"system:masters"
$KCM_TOKEN,system:kube-controller-manager,system:kube-controller-manager
EOF

# --- etcd -----------------------------------------------------------------------
log "starting etcd on 127.0.0.1:$ETCD_CLIENT_PORT"
"$ETCD" \
  --name=strata-e2e \
  --data-dir="$W/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster="strata-e2e=http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster-state=new \
  --unsafe-no-fsync=true \
  --log-level=warn \
  >"$W/etcd.log" 2>&1 &
PIDS+=($!)
wait_for 30 "etcd /health" sh -c "curl -fsS http://127.0.0.1:$ETCD_CLIENT_PORT/health | grep -q '\"health\":\"true\"'"

# --- kube-apiserver ---------------------------------------------------------------
log "starting kube-apiserver on https://127.0.0.1:$API_PORT"
"$APISERVER" \
  --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --bind-address=127.0.0.1 \
  --advertise-address=127.0.0.1 \
  --secure-port="$API_PORT" \
  --cert-dir="$W/apiserver-certs" \
  --authorization-mode=RBAC \
  --token-auth-file="$W/tokens.csv" \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$W/sa.pub" \
  --service-account-signing-key-file="$W/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --endpoint-reconciler-type=none \
  --allow-privileged=true \
  --profiling=false \
  >"$W/kube-apiserver.log" 2>&1 &
PIDS+=($!)
wait_for 120 "kube-apiserver /readyz" \
  curl -fsS --cacert "$W/apiserver-certs/apiserver.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "https://127.0.0.1:$API_PORT/readyz"

k() { "$KUBECTL" --server "https://127.0.0.1:$API_PORT" --insecure-skip-tls-verify --token "$ADMIN_TOKEN" "$@"; }
# exists / gone <kubectl get args>: tell NotFound apart from a failing kubectl.
exists() { [[ -n "$(k get "$@" --ignore-not-found -o name)" ]]; }
gone() { local out; out="$(k get "$@" --ignore-not-found -o name)" && [[ -z "$out" ]]; }

log "kubectl get ns:"
k get ns
k version | sed 's/^/  /'
K8S_VERSION="$(prop kubernetes.version)"
k version -o json | grep -q "\"gitVersion\": \"$K8S_VERSION\"" || fail "server /version does not report $K8S_VERSION"

# --- kube-controller-manager ---------------------------------------------------
cat >"$W/kcm.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: strata-e2e
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $W/apiserver-certs/apiserver.crt
users:
- name: kube-controller-manager
  user:
    token: $KCM_TOKEN
contexts:
- name: strata-e2e
  context:
    cluster: strata-e2e
    user: kube-controller-manager
current-context: strata-e2e
EOF
log "starting kube-controller-manager (healthz on https://127.0.0.1:$KCM_PORT)"
"$KCM" \
  --kubeconfig="$W/kcm.kubeconfig" \
  --bind-address=127.0.0.1 \
  --secure-port="$KCM_PORT" \
  --cert-dir="$W/kcm-certs" \
  --leader-elect=false \
  --use-service-account-credentials=true \
  --service-account-private-key-file="$W/sa.key" \
  --root-ca-file="$W/apiserver-certs/apiserver.crt" \
  --controllers=serviceaccount-token-controller,serviceaccount-controller,namespace-controller,garbage-collector-controller,job-controller,cronjob-controller,replicaset-controller,deployment-controller,statefulset-controller,root-ca-certificate-publisher-controller \
  >"$W/kube-controller-manager.log" 2>&1 &
PIDS+=($!)
wait_for 60 "kube-controller-manager /healthz" curl -fsSk "https://127.0.0.1:$KCM_PORT/healthz"

# --- controllers act ----------------------------------------------------------
k create namespace smoke >/dev/null
wait_for 60 "serviceaccount controller created smoke/default" exists -n smoke serviceaccount default
wait_for 60 "root-ca publisher created smoke/kube-root-ca.crt" exists -n smoke configmap kube-root-ca.crt

k -n smoke create configmap owner >/dev/null
OWNER_UID="$(k -n smoke get configmap owner -o jsonpath='{.metadata.uid}')"
k -n smoke apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: dependent
  ownerReferences:
  - apiVersion: v1
    kind: ConfigMap
    name: owner
    uid: $OWNER_UID
EOF
exists -n smoke configmap dependent || fail "configmap smoke/dependent was not created"
k -n smoke delete configmap owner --cascade=background >/dev/null
wait_for 60 "garbage collector deleted smoke/dependent" gone -n smoke configmap dependent

k -n smoke create job smoke --image=busybox -- true >/dev/null
wait_for 60 "job controller created a pod for job smoke/smoke" exists -n smoke pods -l job-name=smoke

k delete namespace smoke --wait=false >/dev/null
wait_for 120 "namespace controller finished deleting namespace smoke" gone namespace smoke

log "error lines logged: kube-apiserver $(grep -c '^E' "$W/kube-apiserver.log" || true), kube-controller-manager $(grep -c '^E' "$W/kube-controller-manager.log" || true)"
log "all smoke checks passed"
