#!/usr/bin/env bash
# Starts or stops a three-member etcd cluster on loopback, for tests and
# `make run-cluster`.
#   etcd_cluster.sh start DIR BASE_PORT   members on BASE_PORT, +2, +4 (client)
#                                         and +1, +3, +5 (peer); data, logs and
#                                         pids under DIR; prints the client
#                                         endpoints once every member answers
#   etcd_cluster.sh stop DIR              SIGTERM, then SIGKILL, each member
set -euo pipefail

cmd=${1:?usage: etcd_cluster.sh start DIR BASE_PORT | stop DIR}
dir=${2:?DIR}

if [ "$cmd" = stop ]; then
  for pidfile in "$dir"/member-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  exit 0
fi

base=${3:?BASE_PORT}
command -v etcd >/dev/null || { echo "etcd not found: apt-get install etcd-server" >&2; exit 1; }
mkdir -p "$dir"
cluster=""
for i in 0 1 2; do
  cluster+="${cluster:+,}m$i=http://127.0.0.1:$((base + 2 * i + 1))"
done
endpoints=""
for i in 0 1 2; do
  client=$((base + 2 * i))
  peer=$((base + 2 * i + 1))
  endpoints+="${endpoints:+,}127.0.0.1:$client"
  # Raised from etcd's defaults (128 operations, 1.5 MiB per request) so a
  # forced delete of a hub fits one Txn and imports take few chunks.
  nohup etcd --name "m$i" --data-dir "$dir/m$i" \
    --listen-client-urls "http://127.0.0.1:$client" \
    --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$cluster" --initial-cluster-state new \
    --initial-cluster-token "pg-$base" \
    --max-txn-ops 10000 --max-request-bytes 10485760 \
    --logger zap --log-outputs "$dir/m$i.log" \
    >/dev/null 2>&1 &
  echo $! > "$dir/member-$i.pid"
done
for _ in $(seq 300); do
  if ETCDCTL_API=3 etcdctl --endpoints "$endpoints" endpoint health >/dev/null 2>&1; then
    echo "$endpoints"
    exit 0
  fi
  sleep 0.1
done
echo "etcd cluster in $dir did not become healthy; see $dir/m*.log" >&2
exit 1
