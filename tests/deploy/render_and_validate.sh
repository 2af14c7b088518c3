#!/usr/bin/env bash
# Renders a kustomization with `kubectl kustomize` (kubectl from $KUBECTL,
# else PATH; Debian's 1.20 works) and runs deploy/validate/validate.js on
# the result with the remaining arguments.
#
# usage: render_and_validate.sh SOURCE_DIR KUSTOMIZATION_DIR [validate.js flags]
set -euo pipefail
src=$1
dir=$2
shift 2
kubectl=${KUBECTL:-kubectl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$kubectl" kustomize "$dir" >"$tmp/rendered.yaml" 2>"$tmp/kustomize.err"; then
  echo "FAIL: $kubectl kustomize $dir:" >&2
  cat "$tmp/kustomize.err" >&2
  exit 1
fi
echo "rendered $dir: $(grep -c '^kind:' "$tmp/rendered.yaml") objects"
node "$src/deploy/validate/validate.js" "$@" "$tmp/rendered.yaml"
