#!/usr/bin/env bash
# The dev overlay's demo Job runs `partnerctl apply -f demo-records.yaml`.
# This runs the same command, with the real binaries, against a real
# partnergraphd (plaintext, 127.0.0.1, a free port, a temporary store):
# the first apply creates every record, the second changes nothing, and
# the stored partnership carries the article's facts.
#
# usage: demo_records_test.sh SOURCE_DIR PARTNERGRAPHD PARTNERCTL
set -euo pipefail
src=$1
partnergraphd=$2
partnerctl=$3
records=$src/deploy/k8s/overlays/dev/demo-records.yaml
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
failures=0
passes=0
pass() { passes=$((passes + 1)); echo "ok: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

"$partnergraphd" --plaintext --listen=127.0.0.1:0 --data_dir="$tmp/data" 2>"$tmp/server.log" &
server_pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$tmp/server.log" 2>/dev/null | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "FAIL: partnergraphd did not start:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi
ctl() { "$partnerctl" --server="127.0.0.1:$port" --timeout=30s "$@"; }

companies=$(grep -c '^  - name: ' <(sed -n '/^companies:/,/^partnerships:/p' "$records"))
partnerships=$(grep -c '^  - name: ' <(sed -n '/^partnerships:/,$p' "$records"))

if ctl apply -f "$records" 2>"$tmp/apply1.err"; then
  created=$(grep -c ' created$' "$tmp/apply1.err" || true)
  [ "$created" -eq $((companies + partnerships)) ] \
    && pass "first apply created $companies companies and $partnerships partnerships" \
    || fail "first apply: want $((companies + partnerships)) created, got: $(cat "$tmp/apply1.err")"
else
  fail "first apply failed: $(cat "$tmp/apply1.err")"
fi

if ctl apply -f "$records" 2>"$tmp/apply2.err"; then
  unchanged=$(grep -c ' unchanged$' "$tmp/apply2.err" || true)
  [ "$unchanged" -eq $((companies + partnerships)) ] \
    && pass "second apply left all $unchanged records unchanged" \
    || fail "second apply: want every record unchanged, got: $(cat "$tmp/apply2.err")"
else
  fail "second apply failed: $(cat "$tmp/apply2.err")"
fi

if p=$(ctl -o json partnership get micron-anthropic-2025 2>"$tmp/get.err"); then
  for want in '"companies/micron"' '"companies/anthropic"' '"STRATEGIC_ALLIANCE"' \
              '"SUPPLY_AGREEMENT"' '"TECHNOLOGY_INTEGRATION"' '"UNDISCLOSED"' '"changePercent": 5.58' \
              '"ticker": "NASDAQ:MU"' '"announcedOn": "2025-11-20"'; do
    grep -qF -- "$want" <<<"$p" && pass "partnership holds $want" || fail "partnership lacks $want: $p"
  done
else
  fail "partnership get: $(cat "$tmp/get.err")"
fi

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
