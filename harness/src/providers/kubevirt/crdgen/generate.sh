#!/usr/bin/env bash
# Regenerates the KubeVirt and CDI CustomResourceDefinitions that kvmatrix's tests install, from
# the operators' own Go code at the versions pinned in kubevirt/go.mod and cdi/go.mod.
# Usage: harness/src/providers/kubevirt/crdgen/generate.sh [outdir]
# Needs Go >= 1.24 and the Go module proxy (first build: ~15 min of CPU on 2 cores, then cached).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/../test/fixtures/crds}
mkdir -p "$out"
# The proxy's checksum database here does not answer for these two modules (404); their hashes
# are pinned in go.sum instead, which `go` still verifies.
export GONOSUMDB=kubevirt.io/kubevirt,kubevirt.io/containerized-data-importer
export GOFLAGS=-mod=readonly
(cd "$here/kubevirt" && nice -n 15 go run .) >"$out/kubevirt.yaml.tmp"
(cd "$here/cdi" && nice -n 15 go run .) >"$out/cdi.yaml.tmp"
mv "$out/kubevirt.yaml.tmp" "$out/kubevirt.yaml"
mv "$out/cdi.yaml.tmp" "$out/cdi.yaml"
echo "wrote $out/kubevirt.yaml and $out/cdi.yaml"
