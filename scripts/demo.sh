#!/usr/bin/env bash
# `npm start`: works on a fresh clone. Installs what is missing (npm packages, Node 24 + code-server
# for the VS Code server, Chromium), builds and packages the extension, then starts the demo.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
npm run --silent package
npm run --silent compile-tests
exec node out/scripts/demo.js
