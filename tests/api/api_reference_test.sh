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

# AIP-123/142/203 (issue 25 item 1): typed instants and dates, resources, field behaviour.
/usr/bin/python3 "$repo/tools/apidoc/aip_check.py" --repo "$repo"
# Control: a copy whose Event.create_time is a string again, and whose Event.name lost its
# OUTPUT_ONLY, must be refused naming both.
mkdir -p "$tmp/copy/tools"
cp -r "$repo/protos" "$tmp/copy/"
cp -r "$repo/tools/apidoc" "$repo/tools/googleapis-protos" "$tmp/copy/tools/"
training="$tmp/copy/protos/zhigai/training/v1/training.proto"
sed -i 's/^  google.protobuf.Timestamp create_time = 28 \[(google.api.field_behavior) = OUTPUT_ONLY\];/  string create_time = 28;/' "$training"
sed -i '/^message Event {/,/^}/s/^  string name = 1 \[(google.api.field_behavior) = OUTPUT_ONLY\];/  string name = 1;/' "$training"
if out=$(/usr/bin/python3 "$tmp/copy/tools/apidoc/aip_check.py" --repo "$tmp/copy" 2>&1); then
  echo "control: a string create_time and a name without OUTPUT_ONLY passed: $out"; exit 1
fi
grep -q "zhigai.training.v1.Event.create_time: AIP-142" <<<"$out" \
  || { echo "control: the string create_time was not named: $out"; exit 1; }
grep -q "zhigai.training.v1.Event.name: AIP-203" <<<"$out" \
  || { echo "control: the name without OUTPUT_ONLY was not named: $out"; exit 1; }
echo "control: a string instant and a resource name without OUTPUT_ONLY are refused"
