#!/usr/bin/env bash
# Starts the real partnergraphd with an overlay's flags, exactly as the pod
# would get them (its args and the --flagfile files of the rendered
# ConfigMap), except that addresses become 127.0.0.1:0, directories
# temporary ones, and Secret files test material made here (a CA, a server
# certificate, a client certificate, a token file made by partnerctl). Then
# partnerctl reads the store through it (with TLS and a token where the
# overlay sets them) and SIGTERM stops it with exit status 0.
#
# When the overlay's flags say --store=etcd, a three-member etcd cluster is
# started on loopback for the test (tests/etcd/etcd_cluster.sh, on the first
# free ports from 28200, clear of the ctest etcd fixture's 24000..28100) and
# --etcd_endpoints points at it instead of the pods' names. Then a company
# written through the server must reach a second replica started with the
# same flags on an empty store of its own, through etcd.
#
# usage: overlay_server_test.sh SOURCE_DIR OVERLAY_DIR PARTNERGRAPHD PARTNERCTL
set -euo pipefail
src=$1
overlay=$2
partnergraphd=$3
partnerctl=$4
kubectl=${KUBECTL:-kubectl}
tmp=$(mktemp -d)
server_pid=
replica_pid=
etcd_dir=
cleanup() {
  for pid in $server_pid $replica_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  if [ -n "$etcd_dir" ]; then bash "$src/tests/etcd/etcd_cluster.sh" stop "$etcd_dir" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$kubectl" kustomize "$overlay" >"$tmp/rendered.yaml" 2>"$tmp/kustomize.err" \
  || { cat "$tmp/kustomize.err" >&2; exit 1; }

# Test TLS material: a CA signing the server's certificate (for 127.0.0.1)
# and a client certificate; a token in the server's token-file format.
mkdir -p "$tmp/pki"
cd "$tmp/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=test-ca \
  -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
  -extfile server.ext -out server.crt 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=test-client -keyout client.key -out client.csr 2>/dev/null
printf 'extendedKeyUsage=clientAuth\n' >client.ext
openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
  -extfile client.ext -out client.crt 2>/dev/null
"$partnerctl" token new --role=admin --name=test --out="$tmp/pki/admin.token" >"$tmp/pki/tokens"
cd - >/dev/null

# The loopback etcd's client endpoints, for --etcd_endpoints (used only when
# the overlay sets it): the members listen on BASE, +2, +4 (client) and +1,
# +3, +5 (peer). BASE is the first from 28200 (step 10) whose six ports
# take no connection.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
etcd_base=
for base in $(seq 28200 10 28390); do
  free=1
  for i in 0 1 2 3 4 5; do port_free $((base + i)) || { free=0; break; }; done
  if [ "$free" = 1 ]; then etcd_base=$base; break; fi
done
[ -n "$etcd_base" ] || etcd_base=28200
etcd_endpoints="127.0.0.1:$etcd_base,127.0.0.1:$((etcd_base + 2)),127.0.0.1:$((etcd_base + 4))"

mapfile -t args < <(node "$(dirname "$0")/overlay_server_args.js" "$tmp/rendered.yaml" "$tmp" \
  listen=127.0.0.1:0 health_listen=127.0.0.1:0 metrics_listen=127.0.0.1:0 \
  data_dir="$tmp/data" backup_dir="$tmp/backups" \
  tls_cert="$tmp/pki/server.crt" tls_key="$tmp/pki/server.key" client_ca="$tmp/pki/ca.crt" \
  token_file="$tmp/pki/tokens" etcd_endpoints="$etcd_endpoints")
[ ${#args[@]} -gt 0 ] || { echo "FAIL: no server arguments from the overlay" >&2; exit 1; }
echo "partnergraphd ${args[*]}"
echo "flag files:"; cat "$tmp"/flagfile-* | grep -v '^#' | sed 's/^/  /'

# The value a flag takes, as Abseil reads it: the last occurrence, the flag
# files first (in order), then the arguments after --flagfile.
flag_value() {
  { cat "$tmp"/flagfile-* 2>/dev/null; printf '%s\n' "${args[@]}"; } |
    sed -n "s/^--$1=\(.*\)$/\1/p" | tail -1
}
store=$(flag_value store)
if [ "$store" = etcd ]; then
  command -v etcd >/dev/null || { echo "FAIL: --store=etcd needs etcd on PATH (Debian: apt-get install etcd-server etcd-client)" >&2; exit 1; }
  etcd_dir=$tmp/etcd
  if ! started=$(bash "$src/tests/etcd/etcd_cluster.sh" start "$etcd_dir" "$etcd_base"); then
    echo "FAIL: no etcd cluster on 127.0.0.1:$etcd_base..$((etcd_base + 5)):" >&2
    tail -n 5 "$etcd_dir"/m*.log >&2 || true
    exit 1
  fi
  [ "$started" = "$etcd_endpoints" ] || { echo "FAIL: etcd answers on $started, want $etcd_endpoints" >&2; exit 1; }
  [ "$(flag_value etcd_endpoints)" = "$etcd_endpoints" ] ||
    { echo "FAIL: --etcd_endpoints is not the loopback cluster's" >&2; exit 1; }
  echo "ok: etcd cluster for --store=etcd on $etcd_endpoints (the overlay names $(grep -h -- '^--etcd_endpoints=' "$tmp"/flagfile-* | tail -1 | cut -d= -f2- | tr ',' ' ' | wc -w) members)"
fi

# Starts partnergraphd with the overlay's arguments and EXTRA...; sets
# started_pid and started_port. LOG is its stderr.
start_server() {
  local log=$1
  shift
  "$partnergraphd" "${args[@]}" "$@" 2>"$log" &
  started_pid=$!
  started_port=
  for _ in $(seq 1 300); do
    started_port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$log" 2>/dev/null | head -1)
    [ -n "$started_port" ] && break
    kill -0 "$started_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$started_port" ]; then
    echo "FAIL: partnergraphd did not start with the overlay's flags:" >&2
    cat "$log" >&2
    exit 1
  fi
}

# Sends SIGTERM to PID and wants exit status 0.
stop_server() {
  local pid=$1 log=$2 status=0
  kill -TERM "$pid"
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL: partnergraphd exited $status after SIGTERM:" >&2
    cat "$log" >&2
    exit 1
  fi
}

start_server "$tmp/server.log"
server_pid=$started_pid
port=$started_port
echo "ok: partnergraphd serves on 127.0.0.1:$port with the overlay's flags"

client=(--server="127.0.0.1:$port")
if grep -q -- '^--tls_cert=' "$tmp"/flagfile-* 2>/dev/null || grep -q -- '^--tls_cert=' <<<"$(printf '%s\n' "${args[@]}")"; then
  client+=(--tls-ca="$tmp/pki/ca.crt" --tls-cert="$tmp/pki/client.crt" --tls-key="$tmp/pki/client.key")
  # Without a client certificate the server must refuse the call.
  if "$partnerctl" --server="127.0.0.1:$port" --tls-ca="$tmp/pki/ca.crt" \
       --token-file="$tmp/pki/admin.token" company list >/dev/null 2>"$tmp/nocert.err"; then
    echo "FAIL: a client without a certificate was served" >&2
    exit 1
  fi
  echo "ok: a client without a certificate is refused"
fi
if grep -q -- '^--token_file=' <<<"$(printf '%s\n' "${args[@]}")" ; then
  # Without the token the server must refuse the call.
  if "$partnerctl" "${client[@]}" company list >/dev/null 2>"$tmp/notoken.err"; then
    echo "FAIL: a client without a token was served" >&2
    exit 1
  fi
  echo "ok: a client without a token is refused: $(head -1 "$tmp/notoken.err")"
  client+=(--token-file="$tmp/pki/admin.token")
fi
if ! "$partnerctl" "${client[@]}" company list >/dev/null 2>"$tmp/list.err"; then
  echo "FAIL: partnerctl ${client[*]} company list:" >&2
  cat "$tmp/list.err" "$tmp/server.log" >&2
  exit 1
fi
echo "ok: partnerctl ${client[*]#--server=*} company list"

if [ "$store" = etcd ]; then
  # A write through this replica, then a second replica with the same flags
  # and an empty store of its own: it rebuilds from etcd and serves the write.
  if ! "$partnerctl" "${client[@]}" company create deploy-check --display-name "Deploy Check" \
       >/dev/null 2>"$tmp/create.err"; then
    echo "FAIL: partnerctl company create on the etcd store:" >&2
    cat "$tmp/create.err" "$tmp/server.log" >&2
    exit 1
  fi
  echo "ok: partnerctl company create deploy-check (one etcd Txn)"
  start_server "$tmp/replica.log" --data_dir="$tmp/data-replica"
  replica_pid=$started_pid
  replica_client=("${client[@]}")
  replica_client[0]="--server=127.0.0.1:$started_port"
  seen=
  for _ in $(seq 1 100); do
    if "$partnerctl" "${replica_client[@]}" company get deploy-check >/dev/null 2>"$tmp/get.err"; then
      seen=1
      break
    fi
    sleep 0.1
  done
  if [ -z "$seen" ]; then
    echo "FAIL: the second replica (127.0.0.1:$started_port) does not serve deploy-check:" >&2
    cat "$tmp/get.err" "$tmp/replica.log" >&2
    exit 1
  fi
  echo "ok: a second replica on an empty --data_dir serves deploy-check from etcd"
  stop_server "$replica_pid" "$tmp/replica.log"
  replica_pid=
fi

stop_server "$server_pid" "$tmp/server.log"
server_pid=
echo "ok: SIGTERM stops it with exit status 0"
