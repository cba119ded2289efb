#!/usr/bin/env bash
# What metrics cost on the hot paths: two Release processes on one PostgreSQL (127.0.0.1), one with
# metrics on (the default: OpenTelemetry, GET /metrics scraped once a round) and one with
# METRICS_ENABLED=false, driven in turn with wrk on the API-key and JWT routes, the order
# alternating each round. Prints the median req/s of each and the median of each round's on/off
# ratio (target in BENCHMARKS.md: at most 3% apart). Bounded: BENCH_ROUNDS rounds of 3 s runs.
#
# Both run without tiered compilation, so that both execute the same machine code: with it, two
# processes of one build, both with metrics off, read 14% apart on the JWT route (tiering and
# dynamic PGO settle differently per process), which hides a 3% effect. BENCH_AA=1 runs that check.
#
#   bench/metrics.sh
#   BENCH_ROUNDS=4 bench/metrics.sh
#   BENCH_AA=1 bench/metrics.sh     both processes with metrics off: the method's own bias
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds="${BENCH_SECONDS:-3}"
rounds="${BENCH_ROUNDS:-12}"
connections="${BENCH_CONNECTIONS:-32}"
port_on="${BENCH_PORT:-3120}"
port_off=$((port_on + 1))
out="$root/bench/results"
mkdir -p "$out"
base="http://127.0.0.1:$port_on"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_wrk
require_jq

build_release api

echo "== starting PostgreSQL, migrating"
migrated_database authkeys_metrics
export DOTNET_TieredCompilation=0

echo "== metrics on at :$port_on, off at :$port_off${BENCH_AA:+ (A/A: both off)}"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for port in "$port_on" "$port_off"; do
  enabled=true; [ "$port" = "$port_off" ] || [ -n "${BENCH_AA:-}" ] && enabled=false
  (cd "$out/api" && exec env "${service_env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" METRICS_ENABLED=$enabled \
    'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' dotnet AuthKeys.Api.dll) > "$out/metrics-$port.log" 2>&1 &
  pids+=($!)
done
for port in "$port_on" "$port_off"; do base="http://127.0.0.1:$port" wait_until_up "$out/metrics-$port.log"; done
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port_off/metrics")" = 404 ] || { echo "!! metrics are not off on :$port_off" >&2; exit 1; }

account_with_key "http://127.0.0.1:$port_on" "bench-metrics-$RANDOM@example.com"

on_label=on; [ -n "${BENCH_AA:-}" ] && on_label="off (A/A)"
rps() { wrk -t2 -c"$connections" -d"${seconds}s" "${@:2}" "http://127.0.0.1:$1$route" | awk '/^Requests\/sec/ {print $2}'; }
for port in "$port_on" "$port_off"; do   # warm-up: caches, connections
  wrk -t2 -c"$connections" -d3s -H "x-api-key: $key" "http://127.0.0.1:$port/protected/service-only" >/dev/null
  wrk -t2 -c"$connections" -d3s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/protected/user-only" >/dev/null
done

: > "$out/metrics.md"
for scenario in "key|/protected/service-only|x-api-key: $key" "JWT|/protected/user-only|Authorization: Bearer $token"; do
  IFS='|' read -r name route header <<< "$scenario"
  ons=(); offs=(); ratios=()
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then on=$(rps "$port_on" -H "$header"); off=$(rps "$port_off" -H "$header")
    else off=$(rps "$port_off" -H "$header"); on=$(rps "$port_on" -H "$header"); fi
    curl -s "http://127.0.0.1:$port_on/metrics" >/dev/null || true   # a scrape, as Prometheus would
    ons+=("$on"); offs+=("$off"); ratios+=("$(awk -v a="$on" -v b="$off" 'BEGIN { print a / b }')")
  done
  printf -- '- %s GET %s: metrics %s %.0f req/s, off %.0f req/s (medians of %s rounds); ratio %.3f (median of each round'"'"'s; rounds: %s)\n' \
    "$name" "$route" "$on_label" "$(median "${ons[@]}")" "$(median "${offs[@]}")" "$rounds" "$(median "${ratios[@]}")" \
    "$(printf '%.2f ' "${ratios[@]}")" | tee -a "$out/metrics.md"
done
