#!/usr/bin/env bash
# Install what the code-server end-to-end test needs, once; later runs find it cached.
#   bash editors/vscode/e2e/install.sh     -> prints the cache directory's code-server entry point
# Debian packages (root + apt-get): chromium, ripgrep, and the headers code-server's native
# modules compile against. code-server 4.100.3 (the newest for node 20) from npm into
# $SYNTHLS_E2E_CACHE (default ~/.cache/synthls-vscode-e2e), with the workarounds that a machine
# reaching only package registries needs (../../../README and editors/README.md say why):
#   - @vscode/ripgrep's postinstall downloads from GitHub: Debian's rg is linked in instead;
#   - root: npm_config_unsafe_perm=true, or code-server's postinstall refuses;
#   - node-pty's postinstall runs npx: npm_config_yes=true;
#   - prebuilt binaries (argon2, kerberos) come from GitHub: they build from source instead.
# playwright-core comes from this directory's package-lock.json (npm ci).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CS_VERSION=4.100.3
CACHE="${SYNTHLS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/synthls-vscode-e2e}"
CS_DIR="$CACHE/code-server-$CS_VERSION"
CS_PKG="$CS_DIR/node_modules/code-server"
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false

log() { echo "[install] $*" >&2; }

debian_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  [ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
  command -v g++ >/dev/null 2>&1 || missing+=(build-essential)
  command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing ${missing[*]}: install them (Debian: apt-get install -y ${missing[*]})"
    exit 1
  fi
  log "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

code_server() {
  if [ -f "$CS_DIR/.installed" ]; then
    return 0
  fi
  log "npm install code-server@$CS_VERSION into $CS_DIR (native modules build from source: minutes)"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  cd "$CS_DIR"
  echo '{"private": true}' >package.json
  # Its own postinstall would fetch ripgrep from GitHub; do its steps here instead.
  npm install --ignore-scripts "code-server@$CS_VERSION" >&2
  npm rebuild argon2 >&2
  cd "$CS_PKG/lib/vscode"
  npm install --omit=dev --ignore-scripts >&2
  mkdir -p node_modules/@vscode/ripgrep/bin
  ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  npm rebuild --foreground-scripts >&2
  ln -sfn node_modules node_modules.asar
  (cd bin/remote-cli && ln -sf code-linux.sh code-server)
  (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
  cd extensions
  npm install --omit=dev >&2
  printf "auth: none\ncert: false\n" >"$CS_DIR/config.yaml"
  node "$CS_PKG/out/node/entry.js" --config "$CS_DIR/config.yaml" --version >&2
  touch "$CS_DIR/.installed"
}

driver() {
  cd "$HERE"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci (playwright-core)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci >&2
  fi
}

debian_packages
code_server
driver
echo "$CS_PKG/out/node/entry.js"
