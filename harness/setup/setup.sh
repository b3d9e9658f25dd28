#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything kvmatrix needs on a Debian 12 machine:
# Debian packages, the Python tools in .venv, the offline Kubernetes artifact set and the local
# providers' node images. Says up front what it will build and how long that takes, and ends with
# a summary of every step.
# Usage: npm run setup            (after `npm ci`)
#        npm run setup -- --from-scratch [--keep]
#            the newcomer's check: every step and the first use of every cache against new, empty
#            KVMATRIX_CACHE_DIR and KVMATRIX_STATE_DIR folders (about an hour), then the README's
#            cell; the folders are removed afterwards unless --keep
#        KVMATRIX_SETUP_SKIP=artifacts npm run setup   to skip a part (apt, python, artifacts, images)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
skip=",${KVMATRIX_SETUP_SKIP:-},"
node=node_modules/.bin/node

from_scratch=false keep=false
for arg in "$@"; do
  case $arg in
    --from-scratch) from_scratch=true ;;
    --keep) keep=true ;;
    -h | --help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown argument $arg (expected --from-scratch, --keep)" >&2; exit 2 ;;
  esac
done
[[ -x $node ]] || { echo "setup: $node is missing: run npm ci first" >&2; exit 2; }

log() { printf '[setup %(%H:%M:%S)T] %s\n' -1 "$*"; }

timings=$(mktemp "${TMPDIR:-/tmp}/kvmatrix-setup-timings.XXXXXX")
scratch=""
cleanup() {
  rm -f "$timings"
  if [[ -n $scratch && $keep == false ]]; then rm -rf --one-file-system "$scratch"; fi
}
trap cleanup EXIT

if $from_scratch; then
  # On disk (not a tmpfs /tmp): node images and the Go build need gigabytes.
  scratch=$(mktemp -d /var/tmp/kvmatrix-from-scratch.XXXXXX)
  export KVMATRIX_CACHE_DIR=$scratch/cache KVMATRIX_STATE_DIR=$scratch/state
  # Go's own caches too: a warm module or build cache would hide a missing download step.
  export GOMODCACHE=$scratch/go/mod GOCACHE=$scratch/go/build
  log "from scratch: caches in $KVMATRIX_CACHE_DIR, state in $KVMATRIX_STATE_DIR ($($keep && echo kept || echo removed) afterwards)"
fi

# step NAME COMMAND...: runs a step, times it, and records it for the summary; a failure ends
# the set-up with the step's exit status after the summary of what ran.
step() {
  local name=$1 started=$SECONDS rc=0
  shift
  log "step $name"
  "$@" || rc=$?
  printf '%s\t%s\t%s\n' "$name" "$((SECONDS - started))" "$([[ $rc -eq 0 ]] && echo ok || echo "failed (exit $rc)")" >>"$timings"
  if [[ $rc -ne 0 ]]; then
    summary
    log "step $name failed with exit $rc"
    exit "$rc"
  fi
}
summary() {
  echo
  log "summary"
  "$node" harness/setup/setup-report.ts summary "$timings" | sed 's/^/  /'
}

apt_step() {
  mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' harness/setup/apt-packages.txt)
  local missing=() pkg
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    log "Debian packages: all ${#wanted[@]} present"
    return 0
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "  hint: run as root, or: sudo apt-get install ${missing[*]}" >&2
    return 2
  fi
  log "installing ${#missing[@]} Debian packages (about a minute): ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

python_step() {
  local req_hash
  req_hash=$(sha256sum harness/setup/requirements.txt | cut -c1-16)
  if [[ -f .venv/.req-$req_hash ]]; then
    log "Python tools: .venv up to date"
    return 0
  fi
  log "installing Python tools into .venv (harness/setup/requirements.txt; about a minute)"
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r harness/setup/requirements.txt
  rm -f .venv/.req-* && touch ".venv/.req-$req_hash"
}

[[ $skip == *,apt,* ]] || step apt apt_step
[[ $skip == *,python,* ]] || step python python_step

log "plan (what is not cached yet, and how long it takes on a 2-core machine):"
"$node" harness/setup/setup-report.ts plan | sed 's/^/  /'

for hook in harness/setup/setup.d/*.sh; do
  [[ -e $hook ]] || continue
  name=$(basename "$hook" .sh)
  [[ $skip == *,"${name#*-}",* ]] && { log "skipping $name"; continue; }
  step "${name#*-}" bash "$hook"
done

if $from_scratch; then
  # The caches that only a cell fills: the probe image and its mirror copy (every cell), the
  # operator image (the operator cell), then the README's cell itself, end to end.
  step first-use-images "$node" harness/setup/first-use.ts
  step readme-cell npx --no-install kvmatrix run debian12-1.34-containerd-bridge-aio-lifecycle \
    --artifacts "$scratch/readme-cell"
fi

summary
log "done"
