#!/usr/bin/env bash
# Issue 25 item 3: the API reference is generated, current and valid.
#  1. docs/api/openapi.json and reference.md are what tools/apidoc/apidoc.py makes of the protos,
#     the gateway policy and the sources now (a proto comment changed without regenerating fails);
#  2. openapi.json is valid OpenAPI 3 by @apidevtools/swagger-parser, every $ref resolved;
#  3. control: a copy with a dangling $ref must be rejected.
# Exit 77 when the npm validator is missing (tools/zhigai test installs it).
set -euo pipefail
repo="$1" modules="$2"
[ -d "$modules/@apidevtools/swagger-parser" ] \
  || { echo "SKIPPED: @apidevtools/swagger-parser not in $modules (tools/zhigai test installs it)"; exit 77; }
/usr/bin/python3 "$repo/tools/apidoc/apidoc.py" --repo "$repo" --check
node "$repo/tests/api/validate_openapi.mjs" "$modules" "$repo/docs/api/openapi.json"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed 's|"#/components/schemas/zhigai.Error"|"#/components/schemas/zhigai.NoSuchError"|' \
  "$repo/docs/api/openapi.json" >"$tmp/broken.json"
if out=$(node "$repo/tests/api/validate_openapi.mjs" "$modules" "$tmp/broken.json"); then
  echo "control: an OpenAPI document with a dangling \$ref passed: $out"; exit 1
fi
grep -q "NoSuchError" <<<"$out" || { echo "control: the dangling \$ref was not named: $out"; exit 1; }
echo "control: a dangling \$ref is rejected"
