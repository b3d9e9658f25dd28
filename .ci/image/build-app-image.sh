#!/usr/bin/env bash
# The CI job image plus a checkout of kvmatrix with its production dependencies, run as
# `kvmatrix` (the shared artifact mirror's Deployment, .ci/mirror). The caller
# (harness/src/ci/ci-image.ts) prepares the checkout and names the image.
# Usage: build-app-image.sh <base image> <tag> <prepared checkout>
set -euo pipefail
base=${1:?base image (the CI job image)}
tag=${2:?image tag}
app=${3:?prepared checkout}

ctr=$(buildah from --pull-never "$base")
trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah copy --quiet "$ctr" "$app" /opt/kvmatrix/app >/dev/null
buildah config \
  --workingdir /opt/kvmatrix/app \
  --entrypoint '["node", "--disable-warning=ExperimentalWarning", "/opt/kvmatrix/app/harness/bin/kvmatrix.ts"]' \
  --cmd '["--help"]' \
  --label org.opencontainers.image.title="kvmatrix" "$ctr"
buildah commit --quiet --rm "$ctr" "containers-storage:$tag" >/dev/null
trap - EXIT
echo "build-app-image: $tag"
