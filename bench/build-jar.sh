#!/usr/bin/env bash
# build-jar.sh REV OUT [PATCH]: builds the runner jar of git revision REV of this repository into OUT, in a scratch
# worktree (removed afterwards), for bench/run.sh --ab-before/--ab-after; with PATCH, after applying it there. Maven
# runs offline when its repository has what REV needs (set STRATA_BENCH_MVN_ONLINE=1 to let it download).
#
#   bench/build-jar.sh 0ad50a8 /tmp/strata-0ad50a8.jar     # main before issue 12
#   bench/build-jar.sh 552eb6c /tmp/strata-552eb6c.jar     # issue 12 merged
#   bench/build-jar.sh HEAD /tmp/no-checks.jar bench/ab/without-identity-checks.patch   # see bench/ab/README.md
set -euo pipefail
[[ $# -eq 2 || $# -eq 3 ]] || { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rev="$1"; out="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
patch="${3:+$(cd "$(dirname "$3")" && pwd)/$(basename "$3")}"
tree="$(mktemp -d)/tree"
trap 'git -C "$repo" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"' EXIT
git -C "$repo" worktree add --detach --quiet "$tree" "$rev"
[[ -z "$patch" ]] || git -C "$tree" apply "$patch"
offline=(-o); [[ "${STRATA_BENCH_MVN_ONLINE:-0}" == 1 ]] && offline=()
(cd "$tree" && mvn -B -q "${offline[@]}" -pl backup-runner -am package -DskipTests)
cp "$tree/backup-runner/target/strata-runner.jar" "$out"
echo "built $out from $(git -C "$repo" rev-parse --short "$rev")${patch:+ with $(basename "$patch")}"
