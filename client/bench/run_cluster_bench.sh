#!/usr/bin/env bash
# partnergraphd on etcd against etcd alone, on one three-member cluster.
#
#   bash client/bench/run_cluster_bench.sh [BUILD_DIR] [cluster_bench flags...]
#
# Starts a fresh three-member etcd cluster on loopback
# (tests/etcd/etcd_cluster.sh) in BUILD_DIR/cluster-bench and two
# partnergraphd replicas of it (--store=etcd, each on a free port; extra
# replica flags in PARTNERGRAPHD_ARGS, e.g. "--nosync --etcd_writers=64"),
# runs BUILD_DIR/client/bench/partnergraph_cluster_bench against the cluster
# and the replicas (extra arguments go to it, e.g. --seconds=5) and prints
# its tables (see cluster_bench.cc). Then stops everything and removes the
# directory, on every exit path, Ctrl-C included. The etcd client ports are
# the first free BASE, BASE+2, BASE+4 from 21790 on (CLUSTER_BENCH_PORT sets
# BASE).
set -euo pipefail

build_dir="${1:-build}"
shift || true
here="$(cd "$(dirname "$0")/../.." && pwd)"
cluster="${here}/tests/etcd/etcd_cluster.sh"
server="${build_dir}/server/partnergraphd"
bench="${build_dir}/client/bench/partnergraph_cluster_bench"
for binary in "${server}" "${bench}"; do
  if [[ ! -x "${binary}" ]]; then
    echo "run_cluster_bench.sh: ${binary} not found; build first" \
      "(make bench-cluster)" >&2
    exit 1
  fi
done

work_dir="${build_dir}/cluster-bench"
pids=()
bench_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n "${bench_pid}" ]] && kill -0 "${bench_pid}" 2>/dev/null; then
    kill -TERM "${bench_pid}" 2>/dev/null || true
    wait "${bench_pid}" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do kill -TERM "${pid}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "${pid}" 2>/dev/null || true; done
  bash "${cluster}" stop "${work_dir}/etcd" || true
  rm -rf "${work_dir}"
}
trap cleanup EXIT INT TERM

# A leftover of an interrupted run: its members first, then its files.
bash "${cluster}" stop "${work_dir}/etcd" || true
rm -rf "${work_dir}"
mkdir -p "${work_dir}"

# The first base port whose six ports (client and peer of three members)
# nobody listens on.
port_free() {
  ! ss -Htln "( sport = :$1 )" 2>/dev/null | grep -q .
}
base="${CLUSTER_BENCH_PORT:-}"
if [[ -z "${base}" ]]; then
  for candidate in $(seq 21790 8 23790); do
    free=1
    for offset in 0 1 2 3 4 5; do
      port_free $((candidate + offset)) || { free=0; break; }
    done
    if [[ "${free}" -eq 1 ]]; then base="${candidate}"; break; fi
  done
fi
if [[ -z "${base}" ]]; then
  echo "run_cluster_bench.sh: no six free ports from 21790 to 23795" >&2
  exit 1
fi
endpoints="$(bash "${cluster}" start "${work_dir}/etcd" "${base}")"

# Starts replica $1 and sets `address` to the HOST:PORT it prints:
# "partnergraphd: listening on HOST:PORT (...)".
start_replica() {
  local name="$1" log="${work_dir}/replica-$1.log"
  # shellcheck disable=SC2086 # PARTNERGRAPHD_ARGS is a list of flags
  "${server}" --store=etcd --etcd_endpoints="${endpoints}" \
    --data_dir="${work_dir}/replica-${name}" --listen=127.0.0.1:0 \
    --plaintext ${PARTNERGRAPHD_ARGS:-} 2>"${log}" &
  local pid=$!
  pids+=("${pid}")
  address=""
  for _ in $(seq 1 600); do
    address="$(sed -n 's/.*listening on \([^ ]*:[0-9][0-9]*\).*/\1/p' \
      "${log}" | head -n 1)"
    [[ -n "${address}" ]] && return 0
    if ! kill -0 "${pid}" 2>/dev/null; then
      echo "run_cluster_bench.sh: replica ${name} exited:" >&2
      cat "${log}" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "run_cluster_bench.sh: replica ${name} printed no address:" >&2
  cat "${log}" >&2
  exit 1
}
start_replica a
replica_a="${address}"
start_replica b
replica_b="${address}"
echo "etcd members ${endpoints}; replicas ${replica_a} and ${replica_b}" \
  "${PARTNERGRAPHD_ARGS:+(${PARTNERGRAPHD_ARGS})}"

"${bench}" --etcd_endpoints="${endpoints}" \
  --replicas="${replica_a},${replica_b}" "$@" &
bench_pid=$!
status=0
wait "${bench_pid}" || status=$?
bench_pid=""
exit "${status}"
