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

# Container runtimes built from Go modules (containerd 2.x for the `containerd2` runtime of the
# matrix), each its own cached set beside the Kubernetes ones: building or changing one never
# rebuilds a Kubernetes set. Cold: about 13 min at load 20; cached: a second. Skip with
# KVMATRIX_ARTIFACT_RUNTIMES="".
runtimes=${KVMATRIX_ARTIFACT_RUNTIMES-containerd2}
for runtime in $runtimes; do
  npx --no-install kvmatrix artifacts build --runtime "$runtime"
done

# The e2e tools (e2e.test, ginkgo, agnhost and the e2e test images) are for the e2e and
# conformance checks of cells that run them; no test of `npm test` needs them, and e2e.test adds
# a long build on a fresh machine, so they are built only when asked:
# KVMATRIX_ARTIFACT_E2E="1.34" (or "1.34 1.33").
for version in ${KVMATRIX_ARTIFACT_E2E:-}; do
  npx --no-install kvmatrix artifacts build --kubernetes "$version" --only e2e,ginkgo,agnhost
done
