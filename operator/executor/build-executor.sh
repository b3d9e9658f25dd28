#!/usr/bin/env bash
# Builds the executor image (ansible-core + the repository's playbooks/) with buildah from a
# Debian rootfs made by debootstrap, and writes it as an OCI archive. Needs root, buildah,
# debootstrap; reaches only Debian's mirror and PyPI.
#
#   operator/executor/build-executor.sh [--output FILE] [--tag TAG] [--mirror URL]
#
# Load the result where the Jobs run, e.g.  skopeo copy oci-archive:FILE containers-storage:IMAGE
# or push it to the artifact registry mirror:  skopeo copy oci-archive:FILE docker://HOST:PORT/IMAGE
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
output="$root/artifacts/kvmatrix-executor.oci.tar"
tag=latest
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
while (($#)); do
  case $1 in
    --output) output=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "build-executor: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-executor: $tool is not installed (apt-get install $tool)" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "build-executor: run as root (debootstrap and buildah mount need it)" >&2; exit 2; }

ansible_pin=$(grep -E '^ansible-core==' "$root/harness/setup/requirements.txt" || echo 'ansible-core==2.17.14')
image="localhost/kvmatrix-executor:$tag"
log() { printf '[executor %(%H:%M:%S)T] %s\n' -1 "$*"; }

export STORAGE_DRIVER=${STORAGE_DRIVER:-vfs}
ctr=$(buildah from --name "kvm-operator-executor-$$" scratch)
cleanup() { buildah umount "$ctr" >/dev/null 2>&1 || true; buildah rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM
mnt=$(buildah mount "$ctr")

log "debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase \
  --include=python3,python3-venv,openssh-client,ca-certificates,rsync \
  bookworm "$mnt" "$mirror" >/dev/null

log "installing $ansible_pin into /opt/ansible"
# The wheels are fetched by the build host's pip (which knows the host's proxy and CA settings)
# for the rootfs's Python (bookworm: 3.11, x86_64) and installed inside with no index.
wheels="$mnt/tmp/kvm-wheels"
mkdir -p "$wheels"
python3 -m pip download --quiet --disable-pip-version-check --dest "$wheels" \
  --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
  --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 \
  "$ansible_pin"
chroot "$mnt" python3 -m venv /opt/ansible
chroot "$mnt" /usr/bin/env -i PATH=/usr/bin:/bin /opt/ansible/bin/pip install --quiet --no-cache-dir \
  --disable-pip-version-check --no-index --find-links /tmp/kvm-wheels "$ansible_pin"
rm -rf "$wheels"
chroot "$mnt" /opt/ansible/bin/ansible-playbook --version | head -1

log "copying playbooks/"
mkdir -p "$mnt/opt/kvmatrix"
cp -a "$root/playbooks" "$mnt/opt/kvmatrix/playbooks"
cat > "$mnt/opt/kvmatrix/ansible.cfg" <<'CFG'
[defaults]
host_key_checking = False
stdout_callback = default
forks = 20
timeout = 30
[ssh_connection]
pipelining = True
CFG

log "trimming apt lists and caches"
rm -rf "$mnt"/var/lib/apt/lists/* "$mnt"/var/cache/apt/*.bin "$mnt"/usr/share/doc "$mnt"/usr/share/man

buildah config \
  --env PATH=/opt/ansible/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env ANSIBLE_CONFIG=/opt/kvmatrix/ansible.cfg \
  --workingdir /opt/kvmatrix \
  --entrypoint '[]' --cmd ansible-playbook \
  --label org.opencontainers.image.title=kvmatrix-executor \
  --label "org.opencontainers.image.description=ansible-core and the kvmatrix playbooks, run by the kvmatrix operator as Jobs" \
  "$ctr"
buildah umount "$ctr" >/dev/null
buildah commit --quiet --rm "$ctr" "$image" >/dev/null
trap - EXIT INT TERM
mkdir -p "$(dirname "$output")"
rm -f "$output"
buildah push --quiet "$image" "oci-archive:$output:$image"
buildah rmi "$image" >/dev/null
log "wrote $output ($image, $(du -h "$output" | cut -f1))"
