#!/usr/bin/env bash
# `make run-cluster`: partnergraph on etcd, on this machine. Starts three etcd
# members on loopback (client ports 2379, 2381, 2383) and two partnergraphd
# replicas of them, A on 127.0.0.1:50051 and B on 127.0.0.1:50052, with
# their local stores under DIR. Ctrl-C stops everything; the data stays in
# DIR for the next start (remove DIR to begin again).
#   run-cluster.sh BUILD_DIR DIR
set -euo pipefail

build=${1:?BUILD_DIR}
dir=${2:?DIR}
here=$(cd "$(dirname "$0")/.." && pwd)
daemon="$build/server/partnergraphd"
mkdir -p "$dir"

endpoints=$(bash "$here/tests/etcd/etcd_cluster.sh" start "$dir/etcd" 2379)
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash "$here/tests/etcd/etcd_cluster.sh" stop "$dir/etcd"
}
trap stop INT TERM EXIT

port=50051
for replica in a b; do
  "$daemon" --store=etcd --etcd_endpoints="$endpoints" \
    --data_dir="$dir/replica-$replica" --listen="127.0.0.1:$port" --plaintext \
    2>&1 | sed -u "s/^/[replica $replica] /" &
  pids+=($!)
  port=$((port + 1))
done
cat >&2 <<MSG
etcd members: $endpoints (logs in $dir/etcd)
replica A: 127.0.0.1:50051   replica B: 127.0.0.1:50052
  partnerctl -s 127.0.0.1:50051 company create micron --display-name "Micron Technology"
  partnerctl -s 127.0.0.1:50052 company get micron
Ctrl-C stops the replicas and etcd.
MSG
wait
