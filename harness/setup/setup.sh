#!/usr/bin/env bash
# One-time (and idempotent) set-up of everything kvmatrix needs on a Debian 12 machine:
# Debian packages, the Python tools in .venv, and the offline Kubernetes artifact set.
# Usage: npm run setup            (after `npm ci`)
#        KVMATRIX_SETUP_SKIP=artifacts npm run setup   to skip a part (apt, python, artifacts)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
skip=",${KVMATRIX_SETUP_SKIP:-},"

log() { printf '[setup %(%H:%M:%S)T] %s\n' -1 "$*"; }

if [[ $skip != *,apt,* ]]; then
  mapfile -t wanted < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' harness/setup/apt-packages.txt)
  missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
      echo "setup: missing Debian packages: ${missing[*]}" >&2
      echo "  hint: run as root, or: sudo apt-get install ${missing[*]}" >&2
      exit 2
    fi
    log "installing Debian packages: ${missing[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    log "Debian packages: all ${#wanted[@]} present"
  fi
fi

if [[ $skip != *,python,* ]]; then
  req_hash=$(sha256sum harness/setup/requirements.txt | cut -c1-16)
  if [[ ! -f .venv/.req-$req_hash ]]; then
    log "installing Python tools into .venv (harness/setup/requirements.txt)"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r harness/setup/requirements.txt
    rm -f .venv/.req-* && touch ".venv/.req-$req_hash"
  else
    log "Python tools: .venv up to date"
  fi
fi

for hook in harness/setup/setup.d/*.sh; do
  [[ -e $hook ]] || continue
  name=$(basename "$hook" .sh)
  [[ $skip == *,"${name#*-}",* ]] && { log "skipping $name"; continue; }
  log "running $hook"
  bash "$hook"
done
log "done"
