#!/usr/bin/env bash
# Sourced by install-test-deps.sh. `npm test` and `npm start` run that script as an npm lifecycle
# script, and npm exports its own state to it: npm_config_user_agent names npm's Node (v20 here),
# npm_config_nodedir / npm_config_node_gyp point native builds at that Node's headers, NODE and
# npm_node_execpath name its binary, and node_modules/.bin plus npm's node-gyp-bin lead PATH.
# A nested `npm install` run under Node 24 inherits all of it: code-server's install script reads the
# Node major from npm_config_user_agent and refuses ("requires node v24"). The nested installs must
# start from the user's environment, as if typed in a fresh shell: their npm reads the user's and the
# global npmrc again by itself.
#
# Kept: settings a user may have put in the environment to reach the registry at all (registry,
# proxies, certificates). Everything else npm-shaped goes.

# Names of the npm settings that only say how to reach the registry; they may stay.
_BOUNCER_NPM_KEEP='^npm_config_(registry|_?@[^=]*:registry|cafile|ca|cert|key|proxy|https_proxy|http_proxy|noproxy|no_proxy|strict_ssl)$'

clean_npm_env() {
  local name
  while IFS= read -r name; do
    [[ "$name" =~ $_BOUNCER_NPM_KEEP ]] && continue
    unset "$name"
  done < <(compgen -e | grep -iE '^(npm_|NODE$|INIT_CWD$|NODE_GYP_FORCE_PYTHON$)' || true)
  # npm run prepends every node_modules/.bin up the tree and its own node-gyp-bin to PATH.
  local entry kept=()
  local IFS=':'
  for entry in $PATH; do
    [[ "$entry" == */node_modules/.bin || "$entry" == */node-gyp-bin ]] && continue
    kept+=("$entry")
  done
  PATH="${kept[*]}"
  export PATH
}
