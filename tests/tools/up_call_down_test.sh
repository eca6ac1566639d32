#!/usr/bin/env bash
# `tools/zhigai up`, a call through the gateway, `status`, the demo (twice: the second is refused)
# and `down --wipe`, in a state folder of their own, as a new user runs them. The services refuse unknown ZHIGAI_ settings, and the state
# folder's variable once was one: every service refused to start. Skipped (77) when the fixed
# ports of a developer's own running system are taken.
set -euo pipefail
repo="$1" build="$2"
for port in 7100 7101 7102 7103 7104 7105 7106 7180 8100; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "SKIP: port $port is in use (a running zhigai?)"
    exit 77
  fi
done
state=$(mktemp -d)
chmod 755 "$state"  # the cluster runs as 'postgres' when the test runs as root
export ZHIGAI_TOOL_STATE="$state" ZHIGAI_TOOL_BUILD_DIR="$build"
export ZHIGAI_TOOL_PG_PORT=$((20000 + RANDOM % 10000))
cleanup() { "$repo/tools/zhigai" down >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT

"$repo/tools/zhigai" up >"$state/up.out" 2>&1 || { cat "$state/up.out"; exit 1; }

status=$("$repo/tools/zhigai" status)
for name in gateway registry review tracking training feedback evaluation; do
  if ! grep -Eq "^$name +127\.0\.0\.1:[0-9]+ +http://\S+ +ready$" <<<"$status"; then
    echo "status does not show $name ready:"; echo "$status"; exit 1
  fi
done
grep -Eq '^postgresql +127\.0\.0\.1:[0-9]+ +- +ready$' <<<"$status" \
  || { echo "status does not show PostgreSQL ready:"; echo "$status"; exit 1; }

# Tokens: a known role gets a JWT; an unknown role, or PUBLIC (which sends none), is refused.
"$repo/tools/zhigai" token --as EXPERT | grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' \
  || { echo "token --as EXPERT printed no JWT"; exit 1; }
for bad in MAYOR PUBLIC; do
  if err=$("$repo/tools/zhigai" token --as "$bad" 2>&1); then echo "token --as $bad succeeded"; exit 1; fi
  grep -q "not a role that signs in" <<<"$err" || { echo "token --as $bad: $err"; exit 1; }
done

# The README's first call: the public directory, anonymous, through the gateway.
out=$("$repo/tools/zhigai" call RegistryService/ListDirectoryEntries '{"year": 2026}')
grep -q '{' <<<"$out" || { echo "the first call printed no JSON: $out"; exit 1; }

# The demo plays a year; a second one on the same system is refused before it changes anything.
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
  "$repo/tools/zhigai" demo --small >"$state/demo1.out" 2>&1 || { tail -30 "$state/demo1.out"; exit 1; }
  grep -q 'Where to look' "$state/demo1.out" || { tail -30 "$state/demo1.out"; exit 1; }
  rc=0; "$repo/tools/zhigai" demo --small --seed 3 >"$state/demo2.out" 2>&1 || rc=$?
  if [ "$rc" -ne 2 ] || ! grep -q 'already holds the programme year' "$state/demo2.out"; then
    echo "a second demo was not refused cleanly (exit $rc):"; tail -30 "$state/demo2.out"; exit 1
  fi
fi

"$repo/tools/zhigai" down --wipe >/dev/null 2>&1
[ ! -e "$state/pg" ] || { echo "down --wipe left $state/pg"; exit 1; }
status=$("$repo/tools/zhigai" status)
if grep -Eq 'ready' <<<"$status"; then echo "still running after down:"; echo "$status"; exit 1; fi
if pgrep -f "$state" >/dev/null; then echo "a process of $state outlived down"; exit 1; fi
echo "up, call, status, demo twice and down --wipe: ok"
