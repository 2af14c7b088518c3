#!/usr/bin/env bash
# Installs the Debian 12 packages partnergraph builds, tests and runs with.
# graphviz (`dot`) and python3-grpcio with grpc-proto are for tests only:
# they render `partnerctl ... -o dot` and run the README's Python recipe.
# etcd-server and etcd-client are the cluster the etcd engine's tests and
# `make run-cluster` start on loopback.
# Idempotent: returns at once when every package is already installed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev
  libgrpc++-dev libabsl-dev librocksdb-dev libgoogle-perftools-dev
  libgtest-dev libgmock-dev libcli11-dev libyaml-cpp-dev
  prometheus-cpp-dev libssl-dev openssl prometheus
  clang libclang-rt-14-dev
  graphviz python3-grpcio grpc-proto
  etcd-server etcd-client
)
# `install-deps.sh bench` adds what only `make bench-graph` needs: the
# PostgreSQL 15 server it compares against and libpq for its driver.
if [ "${1:-}" = "bench" ]; then
  packages+=(postgresql-15 libpq-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
# Tools of the deployment tests (tests/deploy), checked by command: a
# kubectl, node or npm installed otherwise serves as well, and Debian's
# packages would conflict with it.
for tool in kubectl:kubernetes-client node:nodejs npm:npm; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
