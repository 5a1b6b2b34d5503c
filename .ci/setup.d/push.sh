#!/usr/bin/env bash
# Virtuoso open source for tests/test_push.py (the Oxigraph server comes from PyPI, in the test extra).
# Idempotent and quiet. If apt cannot install it, say why in .ci/.virtuoso-unavailable: the
# Virtuoso tests then skip with that reason instead of failing for a missing program.
set -uo pipefail
cd "$(dirname "$0")/../.."
marker=.ci/.virtuoso-unavailable
rm -f "$marker"
if command -v virtuoso-t >/dev/null 2>&1; then
  exit 0
fi
log=$(mktemp)
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource; } >"$log" 2>&1 \
   || ! command -v virtuoso-t >/dev/null 2>&1; then
  reason="apt-get install virtuoso-opensource failed: $(grep -E '^E:' "$log" | tail -1)"
  echo "warning: $reason" >&2
  echo "$reason" > "$marker"
fi
rm -f "$log"
exit 0
