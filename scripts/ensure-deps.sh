#!/usr/bin/env bash
# Runs before `npm test` and `npm start`, so both work on a fresh clone: installs npm packages
# when node_modules is missing or no longer matches package-lock.json, then the pinned test
# dependencies (cached; seconds once installed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat node_modules/.lock-sha256 2>/dev/null || true)
if [[ "$want" != "$have" ]]; then
  npm ci --no-audit --no-fund
  echo "$want" >node_modules/.lock-sha256
fi
bash scripts/install-test-deps.sh
