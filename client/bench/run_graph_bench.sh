#!/usr/bin/env bash
# Graph queries of partnergraph against PostgreSQL 15 on one synthetic graph.
#
#   bash client/bench/run_graph_bench.sh [BUILD_DIR] [graph_bench flags...]
#
# Runs BUILD_DIR/client/bench/partnergraph_graph_bench, which generates the
# graph (default 100k companies, 1M partnerships, seed 1; scale down with
# e.g. --companies=10000 --partnerships=100000), loads it into a fresh
# partnergraphd and a fresh PostgreSQL 15 cluster, runs the same queries on
# both and prints the table (see graph_bench.cc). Everything lives in one
# temporary directory, removed at the end; the servers it starts are stopped
# on every exit path, Ctrl-C included. Then runs partnergraph_index_bench
# (index_bench.cc) on the store the first run loaded.
set -euo pipefail

build_dir="${1:-build}"
shift || true
server="${build_dir}/server/partnergraphd"
bench="${build_dir}/client/bench/partnergraph_graph_bench"
index_bench="${build_dir}/client/bench/partnergraph_index_bench"
pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"
for binary in "${server}" "${bench}" "${index_bench}" "${pg_bin}/initdb" "${pg_bin}/pg_ctl"; do
  if [[ ! -x "${binary}" ]]; then
    echo "run_graph_bench.sh: ${binary} not found; install the bench packages" \
      "(bash deploy/install-deps.sh bench) and build" >&2
    exit 1
  fi
done

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/partnergraph-graph-bench.XXXXXX")"
chmod 755 "${work_dir}"
bench_pid=""
cleanup() {
  if [[ -n "${bench_pid}" ]] && kill -0 "${bench_pid}" 2>/dev/null; then
    kill -TERM "${bench_pid}" 2>/dev/null || true
    wait "${bench_pid}" 2>/dev/null || true
  fi
  # Whatever the driver could not stop itself.
  if [[ -f "${work_dir}/partnergraphd.log.pid" ]]; then
    pid="$(cat "${work_dir}/partnergraphd.log.pid")"
    kill -TERM "${pid}" 2>/dev/null || true
  fi
  if [[ -f "${work_dir}/pg/data/postmaster.pid" ]]; then
    as=""
    [[ "$(id -u)" -eq 0 ]] && as="runuser -u postgres --"
    ${as} "${pg_bin}/pg_ctl" -D "${work_dir}/pg/data" -m fast -w stop \
      >/dev/null 2>&1 || true
  fi
  rm -rf "${work_dir}"
}
trap cleanup EXIT INT TERM

"${bench}" --server_binary="${server}" --pg_bin="${pg_bin}" \
  --work_dir="${work_dir}" --keep "$@" &
bench_pid=$!
wait "${bench_pid}"
bench_pid=""

# The index against a bare CSR traversal, its memory and rebuild time, and
# the queries in process, on the store the run above loaded (same scale and
# seed; the other flags are graph_bench's own).
index_args=()
for arg in "$@"; do
  case "${arg}" in
    --companies=*|--partnerships=*|--seed=*|--cache_mb=*) index_args+=("${arg}") ;;
  esac
done
echo
echo "=== graph index (partnergraph_index_bench) ==="
"${index_bench}" --store="${work_dir}/pgraph-data" "${index_args[@]}" &
bench_pid=$!
wait "${bench_pid}"
