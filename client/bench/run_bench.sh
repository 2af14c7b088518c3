#!/usr/bin/env bash
# Benchmarks a fresh partnergraphd with partnergraph_loadgen.
#
#   bash client/bench/run_bench.sh [BUILD_DIR] [loadgen flags...]
#
# Starts BUILD_DIR/server/partnergraphd on a free loopback port with an empty
# temporary data directory, runs BUILD_DIR/client/bench/partnergraph_loadgen
# against it (extra arguments go to the loadgen, e.g. --duration=5s), prints
# its table, then stops the server and removes the data directory.
set -euo pipefail

build_dir="${1:-build}"
shift || true
server="${build_dir}/server/partnergraphd"
loadgen="${build_dir}/client/bench/partnergraph_loadgen"
for binary in "${server}" "${loadgen}"; do
  if [[ ! -x "${binary}" ]]; then
    echo "run_bench.sh: ${binary} not found; build first (make build)" >&2
    exit 1
  fi
done

work_dir="$(mktemp -d "${TMPDIR:-/tmp}/partnergraph-bench.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "${server_pid}" ]] && kill -0 "${server_pid}" 2>/dev/null; then
    kill -TERM "${server_pid}" 2>/dev/null || true
    wait "${server_pid}" 2>/dev/null || true
  fi
  rm -rf "${work_dir}"
}
trap cleanup EXIT INT TERM

"${server}" --listen=127.0.0.1:0 --plaintext --data_dir="${work_dir}/data" \
  2>"${work_dir}/server.log" &
server_pid=$!

# The server prints "partnergraphd: listening on 127.0.0.1:PORT (...)".
port=""
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' \
    "${work_dir}/server.log" | head -n 1)"
  [[ -n "${port}" ]] && break
  if ! kill -0 "${server_pid}" 2>/dev/null; then
    echo "run_bench.sh: partnergraphd exited:" >&2
    cat "${work_dir}/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "${port}" ]]; then
  echo "run_bench.sh: partnergraphd printed no port:" >&2
  cat "${work_dir}/server.log" >&2
  exit 1
fi

echo "partnergraphd pid ${server_pid} on 127.0.0.1:${port}, data in ${work_dir}/data"
status=0
"${loadgen}" --server="127.0.0.1:${port}" "$@" || status=$?
exit "${status}"
