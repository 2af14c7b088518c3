#!/usr/bin/env bash
# Starts the real partnergraphd with an overlay's flags, exactly as the pod
# would get them (its args and the --flagfile files of the rendered
# ConfigMap), except that addresses become 127.0.0.1:0, directories
# temporary ones, and Secret files test material made here (a CA, a server
# certificate, a client certificate, a token file made by partnerctl). Then
# partnerctl reads the store through it (with TLS and a token where the
# overlay sets them) and SIGTERM stops it with exit status 0.
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
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
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

mapfile -t args < <(node "$(dirname "$0")/overlay_server_args.js" "$tmp/rendered.yaml" "$tmp" \
  listen=127.0.0.1:0 health_listen=127.0.0.1:0 metrics_listen=127.0.0.1:0 \
  data_dir="$tmp/data" backup_dir="$tmp/backups" \
  tls_cert="$tmp/pki/server.crt" tls_key="$tmp/pki/server.key" client_ca="$tmp/pki/ca.crt" \
  token_file="$tmp/pki/tokens")
[ ${#args[@]} -gt 0 ] || { echo "FAIL: no server arguments from the overlay" >&2; exit 1; }
echo "partnergraphd ${args[*]}"
echo "flag files:"; cat "$tmp"/flagfile-* | grep -v '^#' | sed 's/^/  /'

"$partnergraphd" "${args[@]}" 2>"$tmp/server.log" &
server_pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$tmp/server.log" 2>/dev/null | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "FAIL: partnergraphd did not start with the overlay's flags:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi
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

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=
if [ "$status" -ne 0 ]; then
  echo "FAIL: partnergraphd exited $status after SIGTERM:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi
echo "ok: SIGTERM stops it with exit status 0"
