#!/usr/bin/env bash
# What the serve tests need besides Python: Chromium (headless browser test) and, from npm,
# Comunica (an independent SPARQL client), playwright-core (drives Chromium) and YASGUI (the
# query editor, which the tests serve with `igokg serve --assets`: the machine may have no
# way to the CDN), installed into the project-local .cache/npm (gitignored). Idempotent and quiet.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Install only what is missing: a machine may already have Node.js with its own npm (NodeSource),
# which Debian's npm package conflicts with.
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
if [ "${#want[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${want[@]}" >/dev/null
fi

# Comunica 4 (5 needs Node >= 22; Debian 12 has Node 18/20).
want_comunica=4.5.0
want_playwright=1.65.1
# keep in step with YASGUI_VERSION and the hashes in src/igokg/serve/assets.py (tests/serve/test_assets.py checks)
want_yasgui=4.6.2
dir=.cache/npm
have() { [ -f "$dir/node_modules/$1/package.json" ] && grep -q "\"version\": \"$2\"" "$dir/node_modules/$1/package.json"; }
if ! have @comunica/query-sparql "$want_comunica" || ! have playwright-core "$want_playwright" \
   || ! have @zazuko/yasgui "$want_yasgui"; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"igokg-test-tools","private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --silent --no-audit --no-fund --loglevel=error \
    "@comunica/query-sparql@$want_comunica" "playwright-core@$want_playwright" "@zazuko/yasgui@$want_yasgui" >/dev/null)
fi
