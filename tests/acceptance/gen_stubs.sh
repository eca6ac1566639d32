#!/usr/bin/env bash
# Generates the Python stubs of every zhigai proto into <out>/ (default build/acceptance-py),
# as an outside system integrating with zhigai would. Generated code is never committed.
# Uses Debian's interpreter explicitly: a pyenv python3 first on PATH has no grpc_tools.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT="${1:-$ROOT/build/acceptance-py}"
PY=/usr/bin/python3
"$PY" -c 'import grpc_tools.protoc' 2>/dev/null \
  || { echo "gen_stubs: python3-grpc-tools is not installed (apt-get install python3-grpc-tools)" >&2; exit 3; }
mkdir -p "$OUT"
# Well-known types (field_mask.proto): from the compiler's bundle, else Debian's headers.
WKT=$("$PY" -c 'import grpc_tools, os; print(os.path.join(os.path.dirname(grpc_tools.__file__), "_proto"))')
[ -f "$WKT/google/protobuf/field_mask.proto" ] || WKT=/usr/include
mapfile -t FILES < <(cd "$ROOT/protos" && ls zhigai/*/v1/*.proto)
# google.type and google.api, which the API imports (protos/googleapis.txt), from Debian's jar.
GAPI=$("$ROOT/tools/googleapis-protos" "$OUT/.googleapis-protos")
mapfile -t GFILES < <(grep '^google/' "$ROOT/protos/googleapis.txt")
# Debian 12's python3-grpc-tools bundles an old protoc that rejects proto3 `optional`
# (review.proto uses it); Debian's own protoc 3.21 with grpc_python_plugin (both installed with
# the C++ toolchain) generates the same modules, so it is preferred when present.
if [ -x /usr/bin/protoc ] && [ -x /usr/bin/grpc_python_plugin ]; then
  /usr/bin/protoc -I"$ROOT/protos" -I"$GAPI" -I/usr/include --python_out="$OUT" \
    --grpc_python_out="$OUT" --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
    "${FILES[@]}"
else
  "$PY" -m grpc_tools.protoc -I"$ROOT/protos" -I"$GAPI" -I"$WKT" \
    --python_out="$OUT" --grpc_python_out="$OUT" "${FILES[@]}"
fi
# google.rpc Status and ErrorInfo, so clients read the reason a refusal carries (Debian's
# python3 has no googleapis-common-protos; `google` is a namespace package, so these join it).
RPC=/usr/share/gocode/src/github.com/gogo/googleapis
/usr/bin/protoc -I"$RPC" -I/usr/include --python_out="$OUT" \
  google/rpc/status.proto google/rpc/error_details.proto
/usr/bin/protoc -I"$GAPI" -I/usr/include --python_out="$OUT" "${GFILES[@]}"
# Packages for the import system (protoc writes modules only).
find "$OUT/zhigai" -type d -exec sh -c 'touch "$1/__init__.py"' _ {} \;
echo "$OUT"
