#!/usr/bin/env bash
# Regenerates the committed CRD YAML from the Java types (run after changing them; a test fails until you do).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The generator writes target/classes/META-INF/fabric8/*-v1.yml; CommittedCrdsTest copies each to crds/<name>.yaml with its
# printer columns in the order the Java type declares them (the generator sorts them by JSON path; see PrinterColumns).
mvn -q -B -f "$here/../pom.xml" -pl crds -am test -Dtest=CommittedCrdsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstrata.writeCrds=true
# The Helm chart installs the same CRDs; a test fails when the two copies differ.
rm -f "$here/../charts/strata/crds/"*.yaml
cp "$here"/*.yaml "$here/../charts/strata/crds/"
# docs/api-reference.md is generated from the same YAML; ApiReferenceTest fails when it is stale.
mvn -q -B -f "$here/../pom.xml" -pl crds -am test -Dtest=ApiReferenceTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstrata.writeApiReference=true
echo "regenerated: $(cd "$here" && ls *.yaml | tr '\n' ' ')docs/api-reference.md"
