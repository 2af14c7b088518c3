#!/usr/bin/env bash
# Installs the validator's npm dependencies, exactly as package-lock.json
# pins them, into deploy/validate/node_modules when they are missing or
# older than the lock file. Safe to run concurrently (flock).
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "node not found: run deploy/install-deps.sh" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm not found: run deploy/install-deps.sh" >&2; exit 1; }
exec 9>.npm-install.lock
flock 9
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] &&
   node -e "require('kubernetes-models/apps/v1'); require('yaml')" 2>/dev/null; then
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
