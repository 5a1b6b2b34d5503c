#!/usr/bin/env bash
# Virtuoso open source for tests/push (the Oxigraph server comes from PyPI, in the test extra).
#
# Only the server binaries (Debian's virtuoso-opensource-7-bin): the tests start `virtuoso-t`
# on a fresh database of their own. The full `virtuoso-opensource` package would also create
# a system database and start a service on ports 1111/8890 that nothing uses.
#
# Idempotent. If Virtuoso cannot be installed this fails, and CI stops here: under CI the push
# tests fail on a missing Virtuoso rather than skip (tests/support/push_servers.py).
set -euo pipefail

if command -v virtuoso-t >/dev/null 2>&1; then
  exit 0
fi

run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may be running its first unattended upgrade: wait for dpkg's lock, and retry
# the whole step when a mirror hiccups.
apt_opts=(-qq -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for attempt in 1 2 3; do
  if { run apt-get "${apt_opts[@]}" update \
       && run apt-get "${apt_opts[@]}" install -y --no-install-recommends virtuoso-opensource-7-bin; } >"$log" 2>&1; then
    break
  fi
  if [ "$attempt" -eq 3 ]; then
    tail -20 "$log" >&2
    echo "error: apt-get could not install virtuoso-opensource-7-bin (Virtuoso); the push tests need it" >&2
    exit 1
  fi
  sleep $((attempt * 15))
done

if ! command -v virtuoso-t >/dev/null 2>&1; then
  echo "error: virtuoso-opensource-7-bin is installed but virtuoso-t is not on PATH" >&2
  exit 1
fi
echo "installed: $(virtuoso-t +help 2>&1 | head -1 || true)"
