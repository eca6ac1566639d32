#!/usr/bin/env bash
# `tools/zhigai down` and `status` with nothing running, in a state folder of their own: both
# exit 0, and status reports PostgreSQL stopped. (A `local` that read its own first assignment
# once made `down` stop at "unbound variable" before it had stopped anything.)
set -euo pipefail
repo="$1"
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
ZHIGAI_TOOL_STATE="$state" "$repo/tools/zhigai" down
out=$(ZHIGAI_TOOL_STATE="$state" "$repo/tools/zhigai" status)
if ! grep -Eq '^postgresql +127\.0\.0\.1:[0-9]+ +- +stopped$' <<<"$out"; then
  echo "status did not report PostgreSQL stopped:"
  echo "$out"
  exit 1
fi
echo "down and status: ok"
