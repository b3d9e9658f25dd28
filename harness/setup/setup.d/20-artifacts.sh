#!/usr/bin/env bash
# Builds the offline Kubernetes artifact set from the Go module proxy (harness/src/artifacts):
# binaries and images for every version in KVMATRIX_ARTIFACT_VERSIONS (default "1.34 1.33": N, which
# the test control plane and the deploy cells use, then N-1, which upgrade cells start from).
# Cached per version: a second run takes about a second. Skip with KVMATRIX_SETUP_SKIP=artifacts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."

# KVMATRIX_ARTIFACT_ONLY narrows the components (e.g. kubernetes,etcd for the test control plane
# alone); images are packed only when everything is built.
versions=${KVMATRIX_ARTIFACT_VERSIONS:-1.34 1.33}
only=()
[[ -n ${KVMATRIX_ARTIFACT_ONLY:-} ]] && only=(--only "$KVMATRIX_ARTIFACT_ONLY")
for version in $versions; do
  npx --no-install kvmatrix artifacts build --kubernetes "$version" "${only[@]}"
done
