#!/usr/bin/env bash
# Build, test and package the VS Code extension from a fresh clone (registries only, node >= 20).
#   bash editors/build_vsix.sh            -> editors/vscode/synthls.vsix
# SYNTHLS_PYTHON names the interpreter that has synthls installed (default: python3); the
# launch test starts the real server with it.
set -euo pipefail
cd "$(dirname "$0")/vscode"
npm ci --no-audit --no-fund
npm run build
npm test
npm run package
ls -l synthls.vsix
