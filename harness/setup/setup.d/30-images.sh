#!/usr/bin/env bash
# Builds the golden node images of the local providers (issue 5) so that tests and runs don't
# pay for debootstrap: the Debian 12 rootfs/qcow2 (2-3 minutes, cached by the hash of
# harness/images/build-node-image.sh) and its podman image. Fast when nothing changed.
# KVMATRIX_IMAGE_OS="debian12 debian13" builds Debian 13 (trixie) too (cold: about 8 min at
# load 20); without it a debian13 cell builds its image on demand at its first run.
# Skip with KVMATRIX_SETUP_SKIP=images.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
if [[ $(id -u) -ne 0 ]]; then
  echo "30-images: not root: skipping node images (local providers need root)" >&2
  exit 0
fi
# The qemu template snapshot (vCPUs x MiB) that the qemu provider's tests resume their VMs from:
# booted and saved once per size (cold: about 100 s under TCG at load 16). Cached beside the image.
# KVMATRIX_SETUP_QEMU_SNAPSHOT=none skips it (then run the tests with KVMATRIX_TEST_QEMU_VMS=0).
snapshot=${KVMATRIX_SETUP_QEMU_SNAPSHOT:-2x1024}
read -r -a oses <<<"${KVMATRIX_IMAGE_OS:-debian12}"
args=(images build --os "${oses[@]}")
[[ $snapshot != none ]] && args+=(--qemu-snapshot "$snapshot")
exec node_modules/.bin/node harness/bin/kvmatrix.ts "${args[@]}"
