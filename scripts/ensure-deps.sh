#!/usr/bin/env bash
# Runs before `npm test` and `npm start`, so both work on a fresh clone: installs npm packages
# when node_modules is missing, and the pinned test dependencies (cached; seconds once installed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ -d node_modules ]] || npm ci
bash scripts/install-test-deps.sh
