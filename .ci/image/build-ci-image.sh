#!/usr/bin/env bash
# Builds the CI job image of kvmatrix from Debian's packages and the project's own pins: Debian 12
# (debootstrap, .ci/image/packages.txt), Node.js from the `node` npm package of package-lock.json,
# npm from the npm registry, the Python tools of harness/setup/requirements.txt in
# /opt/kvmatrix/venv, and Go from the Go module proxy (golang.org/toolchain) for the artifact job.
# The caller (harness/src/ci/ci-image.ts) names the image by the hash of its inputs and skips the
# build when containers-storage already holds that tag.
# Usage: build-ci-image.sh <image tag> <node binary> <npm version> <out dir> [deb-cache-dir]
set -euo pipefail

tag=${1:?image tag}
node_bin=${2:?path of the node binary to install}
npm_version=${3:?npm version}
out=${4:?output directory (an OCI archive of the image is written there)}
debcache=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
mirror=${KVMATRIX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
goproxy=${GOPROXY:-https://proxy.golang.org}
goproxy=${goproxy%%,*}
go_version=go1.26.8

[[ $(id -u) -eq 0 ]] || { echo "build-ci-image: must run as root (debootstrap, chroot)" >&2; exit 2; }
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/packages.txt")

work=$(mktemp -d "${TMPDIR:-/tmp}/kvmatrix-ci-image.XXXXXX")
cleanup() {
  local m
  for m in proc sys dev/pts dev; do umount -R "$work/rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
root=$work/rootfs

args=(--variant=minbase --include="$(IFS=,; echo "${packages[*]}")")
if [[ -n $debcache ]]; then mkdir -p "$debcache"; args+=(--cache-dir="$debcache"); fi
echo "build-ci-image: debootstrap bookworm (${#packages[@]} packages) from $mirror"
debootstrap "${args[@]}" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

echo "build-ci-image: Node.js $("$node_bin" --version) and npm $npm_version"
install -D -m 755 "$node_bin" "$root/usr/local/bin/node"
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
install -d "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" --strip-components=1 -C "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

echo "build-ci-image: Python tools (harness/setup/requirements.txt) in /opt/kvmatrix/venv"
install -D -m 644 "$repo/harness/setup/requirements.txt" "$root/opt/kvmatrix/requirements.txt"
cp /etc/resolv.conf "$root/etc/resolv.conf"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
chroot "$root" python3 -m venv /opt/kvmatrix/venv
# The build host's CA bundle (it may sit behind a TLS-inspecting proxy) for this one download; the
# image keeps Debian's own bundle.
cp "${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" "$root/tmp/build-ca.crt"
ca=/tmp/build-ca.crt
chroot "$root" env PIP_CERT=$ca REQUESTS_CA_BUNDLE=$ca SSL_CERT_FILE=$ca \
  /opt/kvmatrix/venv/bin/pip install -q --no-cache-dir --disable-pip-version-check \
  -r /opt/kvmatrix/requirements.txt
rm -f "$root/tmp/build-ca.crt"
for m in dev/pts dev sys proc; do umount "$root/$m"; done

echo "build-ci-image: $go_version from the Go module proxy ($goproxy)"
curl -fsSL -o "$work/go.zip" "$goproxy/golang.org/toolchain/@v/v0.0.1-$go_version.linux-amd64.zip"
unzip -q "$work/go.zip" -d "$work/go"
mv "$work/go/golang.org/toolchain@v0.0.1-$go_version.linux-amd64" "$root/usr/local/go"
chmod -R a+rX "$root/usr/local/go"
chmod 755 "$root/usr/local/go/bin/"* "$root/usr/local/go/pkg/tool/linux_amd64/"*

# podman in a job: the vfs driver needs nothing from the host's kernel, cgroupfs whatever PID 1 is.
install -d "$root/etc/containers"
printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
  >"$root/etc/containers/storage.conf"
printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n' \
  >"$root/etc/containers/containers.conf"
printf 'kvmatrix CI job image %s\n' "$tag" >"$root/etc/kvmatrix-ci-image"
# shellcheck disable=SC2016 # dpkg-query expands the ${...} fields itself
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$root/opt/kvmatrix/packages.txt"
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/usr/share/doc" \
  "$root/usr/share/man" "$root/usr/share/info" "$root/usr/local/go/test" "$root/usr/local/go/api"
: >"$root/etc/resolv.conf"
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'en*' -exec rm -rf {} +

echo "build-ci-image: committing $tag"
tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
ctr=$(buildah from scratch)
buildah add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
buildah config \
  --env PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env KVMATRIX_VENV=/opt/kvmatrix/venv --env LANG=C.UTF-8 \
  --label org.opencontainers.image.title="kvmatrix CI job image" \
  --label org.opencontainers.image.source=kvmatrix/.ci/image \
  --workingdir / --cmd /bin/bash "$ctr"
buildah commit --quiet --rm "$ctr" "containers-storage:$tag" >/dev/null
mkdir -p "$out"
rm -f "$out/ci-image.oci.tar"
skopeo copy --quiet "containers-storage:$tag" "oci-archive:$out/ci-image.oci.tar:$tag"
echo "build-ci-image: done: $tag ($(du -sh "$out/ci-image.oci.tar" | cut -f1) compressed OCI archive)"
