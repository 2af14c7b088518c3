#!/usr/bin/env bash
# Checks deploy/Dockerfile without a container engine:
#   - the build stage runs exactly the project's own commands
#     (bash deploy/install-deps.sh, make build), which `make test` runs too;
#   - the runtime stage installs only deploy/runtime-packages.txt, runs as a
#     non-root uid (the one the Kubernetes manifests use), has partnergraphd
#     as entrypoint and partnerctl beside it;
#   - every shared library the built binaries load (ldd) comes from a package
#     of deploy/runtime-packages.txt (dpkg -S), and every listed package
#     provides one.
#
# usage: image_test.sh SOURCE_DIR BUILD_DIR PARTNERGRAPHD PARTNERCTL
set -euo pipefail

src=$1
build=$2
binaries=("$3" "$4")
dockerfile=$src/deploy/Dockerfile
packages_file=$src/deploy/runtime-packages.txt
failures=0
passes=0

pass() { passes=$((passes + 1)); echo "ok: $*"; }
fail() { failures=$((failures + 1)); echo "FAIL: $*" >&2; }

# Dockerfile instructions of one stage, one a line: continuation lines
# joined, comments and blank lines dropped, whitespace squeezed.
stage() {
  awk -v want="$1" '
    /^[[:space:]]*#/ { next }
    { line = line $0 }
    /\\$/ { sub(/\\$/, "", line); next }
    {
      gsub(/[[:space:]]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
      if (line != "") {
        if (toupper(line) ~ /^FROM /) { n = split(line, w, " "); name = (n >= 4 ? w[4] : "") }
        if (name == want) print line
      }
      line = ""
    }' "$dockerfile"
}

build_stage=$(stage build)
runtime_stage=$(stage runtime)

# --- build stage ---------------------------------------------------------
from=$(grep '^FROM ' <<<"$build_stage" || true)
[ "$from" = "FROM debian:bookworm AS build" ] \
  && pass "build stage is FROM debian:bookworm" \
  || fail "build stage: want 'FROM debian:bookworm AS build', got '$from'"

runs=$(grep '^RUN ' <<<"$build_stage" | sed 's/^RUN //' || true)
want_runs=$'bash deploy/install-deps.sh\nmake build'
[ "$runs" = "$want_runs" ] \
  && pass "build stage runs exactly: bash deploy/install-deps.sh; make build" \
  || fail "build stage RUN commands: want [$want_runs], got [$runs]"

# `make test` runs what `make build` runs (install-deps.sh, configure, build).
build_cmds=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -n -C "$src" build 2>/dev/null | sed 's/^[[:space:]]*//')
test_cmds=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -n -C "$src" test 2>/dev/null | sed 's/^[[:space:]]*//')
if ! grep -qx 'bash deploy/install-deps.sh' <<<"$build_cmds"; then
  fail "make build does not run 'bash deploy/install-deps.sh': [$build_cmds]"
else
  missing=$(grep -vxF -f <(printf '%s\n' "$test_cmds") <<<"$build_cmds" || true)
  [ -z "$missing" ] \
    && pass "make test runs every command of make build ($(wc -l <<<"$build_cmds") commands)" \
    || fail "make test does not run these commands of make build: $missing"
fi

# --- runtime stage -------------------------------------------------------
from=$(grep '^FROM ' <<<"$runtime_stage" || true)
[ "$from" = "FROM debian:bookworm-slim AS runtime" ] \
  && pass "runtime stage is FROM debian:bookworm-slim" \
  || fail "runtime stage: want 'FROM debian:bookworm-slim AS runtime', got '$from'"

grep -qx 'COPY deploy/runtime-packages.txt /tmp/runtime-packages.txt' <<<"$runtime_stage" \
  && grep -q "xargs apt-get install -y --no-install-recommends" <<<"$runtime_stage" \
  && pass "runtime stage installs deploy/runtime-packages.txt" \
  || fail "runtime stage: want deploy/runtime-packages.txt copied and installed with xargs apt-get install"
installs=$(grep -o 'apt-get install[^&]*' <<<"$runtime_stage" || true)
[ "$installs" = "apt-get install -y --no-install-recommends " ] \
  && pass "runtime stage names no package outside deploy/runtime-packages.txt" \
  || fail "runtime stage: apt-get install must take its packages from deploy/runtime-packages.txt only, got: $installs"

user=$(grep '^USER ' <<<"$runtime_stage" | tail -1 | cut -d' ' -f2 || true)
uid=${user%%:*}
if [[ "$uid" =~ ^[0-9]+$ ]] && [ "$uid" -ne 0 ]; then
  pass "runtime stage runs as numeric non-root uid $uid"
else
  fail "runtime stage USER: want a numeric non-root uid (runAsNonRoot checks it), got '$user'"
fi
for manifest in "$src/deploy/k8s/base/statefulset.yaml" "$src/deploy/k8s/overlays/dev/load-demo-job.yaml"; do
  run_as=$(grep -m1 -o 'runAsUser: [0-9]*' "$manifest" | cut -d' ' -f2 || true)
  [ "$run_as" = "$uid" ] \
    && pass "$(basename "$manifest") runAsUser matches the image uid $uid" \
    || fail "$manifest: runAsUser '$run_as' differs from the image's USER uid '$uid'"
done

grep -qx 'ENTRYPOINT \["/usr/local/bin/partnergraphd"\]' <<<"$runtime_stage" \
  && pass "entrypoint is partnergraphd" \
  || fail "runtime stage: want ENTRYPOINT [\"/usr/local/bin/partnergraphd\"]"
for pair in server/partnergraphd client/partnerctl; do
  name=${pair#*/}
  grep -qx "COPY --from=build /src/build/$pair /usr/local/bin/$name" <<<"$runtime_stage" \
    && pass "runtime stage has /usr/local/bin/$name from build/$pair" \
    || fail "runtime stage: want COPY --from=build /src/build/$pair /usr/local/bin/$name"
done
# The image copies from the Makefile's build tree layout; so does this build.
for i in 0 1; do
  rel=$(realpath --relative-to="$build" "${binaries[$i]}")
  case "$rel" in
    server/partnergraphd|client/partnerctl) pass "built binary at $rel, where the image copies it from" ;;
    *) fail "${binaries[$i]}: at $rel in the build tree; the Dockerfile copies server/partnergraphd and client/partnerctl" ;;
  esac
done

# --- runtime libraries -----------------------------------------------------
mapfile -t listed < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$packages_file" | grep -v '^$')
[ ${#listed[@]} -gt 0 ] || fail "$packages_file lists no package"

# Every library the binaries load, once.
libs=()
for bin in "${binaries[@]}"; do
  if ! ldd_out=$(ldd "$bin" 2>&1); then
    fail "ldd $bin: $ldd_out"
    continue
  fi
  if grep -q 'not found' <<<"$ldd_out"; then
    fail "ldd $bin: $(grep 'not found' <<<"$ldd_out" | tr '\n' ' ')"
  fi
  mapfile -t -O ${#libs[@]} libs < <(awk '/=> \// {print $3} /^[[:space:]]*\/[^ ]+ \(/ {print $1}' <<<"$ldd_out")
done
mapfile -t libs < <(printf '%s\n' "${libs[@]}" | sort -u)

# Maps each library to the package owning it with one dpkg -S per spelling
# of its path (as ldd prints it, resolved, and across the /usr merge).
declare -A owner=()
spellings() {
  local lib=$1 real
  real=$(readlink -f "$lib")
  printf '%s\n' "$lib" "$real" "${lib#/usr}" "/usr$lib" "${real#/usr}" "/usr$real"
}
for round in 1 2 3 4 5 6; do
  queries=()
  declare -A asked=()
  for lib in "${libs[@]}"; do
    [ -n "${owner[$lib]:-}" ] && continue
    q=$(spellings "$lib" | sed -n "${round}p")
    queries+=("$q")
    asked[$q]=$lib
  done
  [ ${#queries[@]} -eq 0 ] && break
  while IFS= read -r line; do
    pkg=${line%%: *}
    path=${line#*: }
    [ -n "${asked[$path]:-}" ] && owner[${asked[$path]}]=${pkg%%:*}
  done < <(dpkg -S "${queries[@]}" 2>/dev/null || true)
  unset asked
done

declare -A needed=()
for lib in "${libs[@]}"; do
  if [ -z "${owner[$lib]:-}" ]; then
    fail "the binaries load $lib, which no Debian package provides (dpkg -S)"
    continue
  fi
  needed[${owner[$lib]}]+="$(basename "$lib") "
done

for pkg in $(printf '%s\n' "${!needed[@]}" | sort); do
  if grep -qxF "$pkg" <<<"$(printf '%s\n' "${listed[@]}")"; then
    pass "runtime package $pkg listed (provides ${needed[$pkg]% })"
  else
    fail "the binaries load ${needed[$pkg]% } from $pkg, which deploy/runtime-packages.txt does not list"
  fi
done
for pkg in "${listed[@]}"; do
  [ -n "${needed[$pkg]:-}" ] \
    || fail "deploy/runtime-packages.txt lists $pkg, which provides no library the binaries load"
done

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
