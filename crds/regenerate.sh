#!/usr/bin/env bash
# Regenerates the committed CRD YAML from the Java types (run after changing them; a test fails until you do).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mvn -q -B -f "$here/../pom.xml" -pl crds -am process-classes
for f in "$here"/target/classes/META-INF/fabric8/*-v1.yml; do
  cp "$f" "$here/$(basename "$f" -v1.yml).yaml"
done
# The Helm chart installs the same CRDs; a test fails when the two copies differ.
rm -f "$here/../charts/strata/crds/"*.yaml
cp "$here"/*.yaml "$here/../charts/strata/crds/"
# docs/api-reference.md is generated from the same YAML; ApiReferenceTest fails when it is stale.
mvn -q -B -f "$here/../pom.xml" -pl crds -am test -Dtest=ApiReferenceTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstrata.writeApiReference=true
echo "regenerated: $(cd "$here" && ls *.yaml | tr '\n' ' ')docs/api-reference.md"
