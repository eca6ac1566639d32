#!/usr/bin/env bash
# Creates the Secrets the dev overlay refers to, with random values, unless they exist already
# (so re-running keeps the passwords the database was provisioned with). Nothing secret is
# written to the repository or passed on a command line: values go through files in a private
# temporary folder.
#   k8s/overlays/dev/create-secrets.sh [namespace]      (default zhigai-dev)
set -euo pipefail
NS="${1:-zhigai-dev}"
SERVICES=(registry review tracking training feedback evaluation)

tmp=$(mktemp -d); chmod 700 "$tmp"; trap 'rm -rf "$tmp"' EXIT
rand() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }

kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl apply -f "$(dirname "$0")/namespace.yaml"

# ensure <secret> <key>=<value-file>...
ensure() {
  local name="$1"; shift
  if kubectl -n "$NS" get secret "$name" >/dev/null 2>&1; then
    echo "secret $name exists, kept"; return
  fi
  local args=()
  for kv in "$@"; do args+=(--from-file="$kv"); done
  kubectl -n "$NS" create secret generic "$name" "${args[@]}"
}

# The development identity provider (issue 22 item 6), so tokens of `tools/zhigai token` work
# against the dev cluster: its public keys (jwks.json, written by `zhigai-admin dev-idp-init`,
# which `tools/zhigai token` runs the first time) and the repository's claims mapping go into
# the ConfigMap gateway-files; the private key stays on the developer's machine. Replaced on
# every run, so a new development key reaches the gateway (it re-reads the file).
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
JWKS="${ZHIGAI_DEV_JWKS:-$REPO/.zhigai/secrets/jwks.json}"
if [ ! -f "$JWKS" ]; then
  echo "no development identity provider at $JWKS: run tools/zhigai token --as CITY_BUREAU" \
    "once (it creates one), then this script again" >&2
  exit 1
fi
kubectl -n "$NS" create configmap gateway-files --from-file=jwks.json="$JWKS" \
  --from-file=claims.json="$REPO/services/gateway/claims.json" --dry-run=client -o yaml \
  | kubectl -n "$NS" apply -f -

rand > "$tmp/admin"; ensure postgres-admin "password=$tmp/admin"
rand > "$tmp/proof"; ensure zhigai-internal-proof "internal-proof=$tmp/proof"
for s in "${SERVICES[@]}"; do
  pw=$(rand)
  printf '%s' "$pw" > "$tmp/$s.password"
  printf 'host=postgres port=5432 dbname=zhigai user=zhigai_%s password=%s sslmode=disable application_name=zhigai-%s' \
    "$s" "$pw" "$s" > "$tmp/$s.conninfo"
  ensure "$s-db" "password=$tmp/$s.password" "conninfo=$tmp/$s.conninfo"
done
