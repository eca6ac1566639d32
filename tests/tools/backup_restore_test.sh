#!/usr/bin/env bash
# Issue 25 item 6: `tools/zhigai backup` and `restore` as docs/backup.md tells operators to use
# them, against two PostgreSQL clusters of the test's own (the source, and a fresh one that has
# never seen zhigai), with the real service binaries:
#  1. one service's schema and the whole database are backed up while registry and tracking
#     serve, and both keep serving;
#  2. registry alone is restored in place: what was written after its backup is gone, the
#     schema it replaced is kept aside, a new write works, and tracking is never stopped;
#  3. the whole database is restored into the fresh cluster and registry serves from it;
#  4. one service's schema is taken from the whole-database backup into another database.
set -euo pipefail
repo="$1" build="$2"
PG_BIN=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/zhigai-backup-XXXXXX)
chmod 755 "$work"
export ZHIGAI_TOOL_STATE="$work/state" ZHIGAI_TOOL_BUILD_DIR="$build"
mkdir -p "$work/state/secrets" && echo "backup-test-proof" >"$work/state/secrets/internal-proof"
# The npm tools `call` uses, from the repo's own state (tools/zhigai test installs them there).
[ -d "$repo/.zhigai/tools" ] && ln -s "$repo/.zhigai/tools" "$work/state/tools"
zhigai() { "$repo/tools/zhigai" "$@"; }
admin_tool() { "$build/tools/admin/zhigai-admin" "$@"; }
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    ss -ltn "( sport = :$p )" 2>/dev/null | grep -q ":$p" || { echo "$p"; return; }
  done
  return 1
}

declare -A PIDS=()
clusters=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for c in "${clusters[@]}"; do as_pg "$PG_BIN/pg_ctl" -D "$c/data" -m immediate -w stop >/dev/null 2>&1 || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

start_cluster() {  # start_cluster <name> <port>: a new cluster that has never seen zhigai
  local dir="$work/$1"
  mkdir -p "$dir/run"
  [ "$(id -u)" -ne 0 ] || chown -R postgres: "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U zhigai_admin --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start \
    -o "-c listen_addresses=127.0.0.1 -c port=$2 -c unix_socket_directories=$dir/run -c fsync=off" >/dev/null
  clusters+=("$dir")
  echo "host=$dir/run port=$2 user=zhigai_admin"
}

start_service() {  # start_service <name> <grpc port> <pg port> <db>
  ZHIGAI_DB="host=127.0.0.1 port=$3 dbname=$4 user=zhigai_$1 password=pw-$1" \
    ZHIGAI_INTERNAL_PROOF=backup-test-proof ZHIGAI_DATA_DIR="$repo/data" \
    ZHIGAI_LISTEN="127.0.0.1:$2" ZHIGAI_METRICS_LISTEN="" \
    "$build/services/$1/zhigai-$1" >>"$work/$1.log" 2>&1 &
  PIDS[$1]=$!
  admin_tool health "127.0.0.1:$2" readiness --wait 60 >/dev/null \
    || { tail -20 "$work/$1.log"; echo "$1 did not become ready"; exit 1; }
}
stop_service() { kill -TERM "${PIDS[$1]}"; wait "${PIDS[$1]}" || true; unset "PIDS[$1]"; }

create_institution() {  # create_institution <registry port> <credit code> → its resource name
  local body
  body=$(sed -e "s/91330302123456788P/$2/" -e "s/readme-first-call-1/backup-$2/" \
    "$repo/docs/examples/create-institution.json")
  zhigai call RegistryService/CreateInstitution "$body" --as CITY_BUREAU --port "$1" | tee -a "$work/created.out" \
    | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["name"])'
}
get_institution() {  # get_institution <registry port> <name> → exit status of the call
  zhigai call RegistryService/GetInstitution "{\"name\": \"$2\"}" --as CITY_BUREAU --port "$1" \
    >"$work/get.out" 2>&1
}
code() { /usr/bin/python3 -c "import sys; sys.path.insert(0, '$repo/tests/acceptance'); import credit_codes; print(credit_codes.credit_code('330302', $1))"; }

src_port=$(free_port); src=$(start_cluster source "$src_port")
"$PG_BIN/createdb" -h "$work/source/run" -p "$src_port" -U zhigai_admin zhigai
for svc in registry tracking; do
  admin_tool provision --admin "$src dbname=zhigai" --service "$svc" --password "pw-$svc" >/dev/null
done
reg_port=$(free_port); trk_port=$(free_port)
start_service registry "$reg_port" "$src_port" zhigai
start_service tracking "$trk_port" "$src_port" zhigai
tracking_pid=${PIDS[tracking]}

# 1. Backups while both serve.
first=$(create_institution "$reg_port" "$(code 1)")
one=$(zhigai backup registry --admin "$src dbname=zhigai" --out "$work/registry.dump")
[ "$one" = "$work/registry.dump" ] || { echo "backup printed '$one'"; exit 1; }
second=$(create_institution "$reg_port" "$(code 2)")
zhigai backup all --admin "$src dbname=zhigai" --out "$work/all.dump" >/dev/null
get_institution "$reg_port" "$second" || { cat "$work/get.out"; echo "registry stopped serving during the backups"; exit 1; }
admin_tool health "127.0.0.1:$trk_port" readiness >/dev/null || { echo "tracking unready after the backups"; exit 1; }
# A refusal changes nothing: an unknown service, and a file that is no backup.
if zhigai backup nosuch --admin "$src dbname=zhigai" 2>/dev/null; then echo "backup nosuch succeeded"; exit 1; fi
echo "not a dump" >"$work/junk.dump"
if err=$(zhigai restore registry "$work/junk.dump" --admin "$src dbname=zhigai" --password pw-registry 2>&1); then
  echo "restoring junk succeeded"; exit 1
fi
grep -q "is not a pg_dump custom-format backup" <<<"$err" || { echo "junk restore: $err"; exit 1; }
get_institution "$reg_port" "$second" || { echo "the refused restore changed registry"; exit 1; }

# 2. Registry alone, in place: the operator stops it (scales it to 0); tracking goes on.
stop_service registry
zhigai restore registry "$work/registry.dump" --admin "$src dbname=zhigai" --password pw-registry \
  >"$work/restore1.out" 2>&1 || { cat "$work/restore1.out"; exit 1; }
kill -0 "$tracking_pid" && admin_tool health "127.0.0.1:$trk_port" readiness >/dev/null \
  || { echo "tracking did not keep serving through registry's restore"; exit 1; }
start_service registry "$reg_port" "$src_port" zhigai
get_institution "$reg_port" "$first" || { cat "$work/get.out"; echo "the restored registry lost what the backup held"; exit 1; }
if get_institution "$reg_port" "$second"; then echo "the restore kept a write made after the backup"; exit 1; fi
grep -q '"code": "not_found"' "$work/get.out" || { cat "$work/get.out"; exit 1; }
kept=$("$PG_BIN/psql" -X -qtA "$src dbname=zhigai" -c \
  "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'registry\_replaced\_%'")
[ "$kept" = 1 ] || { echo "the replaced schema was not kept aside ($kept)"; exit 1; }
third=$(create_institution "$reg_port" "$(code 3)")
get_institution "$reg_port" "$third" || { echo "no write after the restore"; exit 1; }
stop_service registry

# 3. The whole database into a PostgreSQL that has never seen zhigai.
fresh_port=$(free_port); fresh=$(start_cluster fresh "$fresh_port")
zhigai restore all "$work/all.dump" --admin "$fresh dbname=zhigai" --password pw-all \
  >"$work/restore2.out" 2>&1 || { cat "$work/restore2.out"; exit 1; }
for svc in registry tracking; do  # restore all sets one password: give each its own back
  admin_tool provision --admin "$fresh dbname=zhigai" --service "$svc" --password "pw-$svc" >/dev/null
done
start_service registry "$reg_port" "$fresh_port" zhigai
get_institution "$reg_port" "$first" && get_institution "$reg_port" "$second" \
  || { cat "$work/get.out"; echo "the fresh cluster does not serve the whole backup"; exit 1; }
stop_service registry

# 4. One schema taken from the whole-database backup, into a database of its own.
zhigai restore registry "$work/all.dump" --admin "$fresh dbname=zhigai_one" --password pw-registry \
  >"$work/restore3.out" 2>&1 || { cat "$work/restore3.out"; exit 1; }
tables=$("$PG_BIN/psql" -X -qtA "$fresh dbname=zhigai_one" -c \
  "SELECT count(*) FROM pg_tables WHERE schemaname = 'tracking'")
[ "$tables" = 0 ] || { echo "restore registry brought tracking's tables along ($tables)"; exit 1; }
start_service registry "$reg_port" "$fresh_port" zhigai_one
get_institution "$reg_port" "$second" || { cat "$work/get.out"; echo "registry from the full backup: $second missing"; exit 1; }
echo "backup while serving, restore in place, into a fresh cluster and from a full backup: ok"
