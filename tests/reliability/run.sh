#!/usr/bin/env bash
# Fault-injection suite (issue 11): called by `tools/zhigai check --faults`.
#   tests/reliability/run.sh <build dir> [report file]
# Starts its own PostgreSQL cluster and stack (faults.py), bounded in time (about 90 s; hard
# stop at 10 minutes), and writes the figures to docs/reliability.md unless told otherwise.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="${1:-$ROOT/build}"
REPORT="${2:-$ROOT/docs/reliability.md}"
/usr/bin/python3 -c 'import grpc' 2>/dev/null \
  || { echo "reliability: python3-grpcio is not installed (apt-get install python3-grpcio)" >&2; exit 3; }
for b in services/registry/zhigai-registry services/gateway/zhigai-gateway tools/admin/zhigai-admin; do
  [ -x "$BUILD/$b" ] || { echo "reliability: $BUILD/$b is not built" >&2; exit 3; }
done
exec timeout --kill-after=20 600 /usr/bin/python3 "$ROOT/tests/reliability/faults.py" \
  --build "$BUILD" --report "$REPORT"
