#!/usr/bin/env bash
# Login throughput against PASSWORD_HASH_CONCURRENCY: for each value (BENCH_CONCURRENCIES, default
# "1 2 <cores>"), a Release process on 127.0.0.1 with bcrypt cost BENCH_HASH_COST (default 10):
# API-key req/s idle (5 s), logins/s alone (8 connections, 10 s), then a login storm (16 login
# connections) with API-key traffic beside it: logins/s and key req/s during the storm, and the
# storm/idle ratio (target: at least 0.30); and one login's time alone (1 connection, 5 s), the
# time of a hash plus the request. Then the Identity peer (bench/IdentityReference, PBKDF2) under
# the same login load, for the login target: at least 0.8 of its logins/s at a similar time per
# login. Then logins with a second factor (the password request and the code request) beside
# plain logins at the same concurrency (bench/AuthKeys.Benchmarks `mfa-logins`). Bounded: about a
# minute per value, one for the second factor, and one for the peer.
#
#   bench/logins.sh
#   BENCH_CONCURRENCIES="1 2 4" bench/logins.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

cores=$(nproc)
concurrencies="${BENCH_CONCURRENCIES:-1 2 $cores}"
cost="${BENCH_HASH_COST:-10}"
port="${BENCH_PORT:-3130}"
base="http://127.0.0.1:$port"
out="$root/bench/results"
mkdir -p "$out"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_wrk

build_release api identity benchmarks
echo "== starting PostgreSQL, migrating"
migrated_database authkeys_logins
export PASSWORD_HASH_COST="$cost"
# logins_alone URL SCRIPT: logins/s over 8 connections for 10 s into $alone, and the time of one
# login (1 connection, 5 s) into $one.
logins_alone() {
  alone=$(wrk -t1 -c8 -d10s --timeout 10s -s "$2" "$1" | awk '/^Requests\/sec/ {print $2}')
  one=$(wrk -t1 -c1 -d5s -s "$2" "$1" | awk '$1 == "Latency" {print $2}')
}

pid=""
trap 'kill $pid 2>/dev/null || true' EXIT
: > "$out/logins.md"
for n in $concurrencies; do
  (cd "$out/api" && exec env "${service_env[@]}" ASPNETCORE_URLS="$base" PASSWORD_HASH_CONCURRENCY="$n" \
    'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' dotnet AuthKeys.Api.dll) > "$out/logins-$n.log" 2>&1 &
  pid=$!
  wait_until_up "$out/logins-$n.log"
  email="bench-logins-$n-$RANDOM@example.com"
  account_with_key "$base" "$email"
  login_script "$out/logins.lua" "$email"
  # Warm-up: tiered JIT needs tens of seconds here before the key route reaches its speed.
  wrk -t2 -c32 -d15s -H "x-api-key: $key" "$base/protected/service-only" >/dev/null
  wrk -t1 -c4 -d3s -s "$out/logins.lua" "$base/auth/login" >/dev/null
  sleep 2
  idle=$(wrk -t2 -c32 -d5s -H "x-api-key: $key" "$base/protected/service-only" | awk '/^Requests\/sec/ {print $2}')
  logins_alone "$base/auth/login" "$out/logins.lua"
  sleep 3  # logins wrk gave up on are still hashed: let the queue drain
  wrk -t1 -c16 -d14s --timeout 10s -s "$out/logins.lua" "$base/auth/login" > "$out/logins-storm.txt" &
  storm_pid=$!
  sleep 2
  during=$(wrk -t2 -c32 -d10s -H "x-api-key: $key" "$base/protected/service-only" | awk '/^Requests\/sec/ {print $2}')
  wait $storm_pid
  storm=$(awk '/^Requests\/sec/ {print $2}' "$out/logins-storm.txt")
  printf -- '- PASSWORD_HASH_CONCURRENCY=%s (cost %s, %s cores): %.1f logins/s alone (one login %s), %.1f during the storm; API key %.0f req/s idle, %.0f during the storm (%.2f)\n' \
    "$n" "$cost" "$cores" "$alone" "$one" "$storm" "$idle" "$during" "$(awk -v a="$during" -v b="$idle" 'BEGIN { print a / b }')" | tee -a "$out/logins.md"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
done

echo "== logins with a second factor, beside plain ones (8 connections, 10 s each)"
(cd "$out/api" && exec env "${service_env[@]}" ASPNETCORE_URLS="$base" 'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' dotnet AuthKeys.Api.dll) > "$out/logins-mfa.log" 2>&1 &
pid=$!
wait_until_up "$out/logins-mfa.log"
dotnet bench/AuthKeys.Benchmarks/bin/Release/net10.0/AuthKeys.Benchmarks.dll mfa-logins "$base" 300 8 10 | sed 's/^/- /' | tee -a "$out/logins.md"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""

echo "== the Identity peer: the same logins"
peer="http://127.0.0.1:$((port + 1))"
psql -d postgres -c "DROP DATABASE IF EXISTS authkeys_logins_identity WITH (FORCE)" -c "CREATE DATABASE authkeys_logins_identity"
(cd "$out/identity" && exec env ASPNETCORE_URLS="$peer" Logging__LogLevel__Default=Warning \
  "ConnectionStrings__Reference=Host=127.0.0.1;Port=$db_port;Username=postgres;Database=authkeys_logins_identity" \
  dotnet IdentityReference.dll) > "$out/logins-identity.log" 2>&1 &
pid=$!
base="$peer" wait_until_up "$out/logins-identity.log"
curl -sf -X POST "$peer/register" -H 'Content-Type: application/json' -d '{"email":"peer@example.com","password":"Tangerine-Kite-42"}'
login_script "$out/logins-peer.lua" peer@example.com
wrk -t1 -c4 -d5s -s "$out/logins-peer.lua" "$peer/login" >/dev/null
sleep 2
logins_alone "$peer/login" "$out/logins-peer.lua"
printf -- '- the Identity peer (PBKDF2-HMAC-SHA512, 100,000 iterations, %s cores): %.1f logins/s alone (one login %s)\n' "$cores" "$alone" "$one" | tee -a "$out/logins.md"
