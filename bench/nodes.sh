#!/usr/bin/env bash
# Two-node benchmark: two API processes (Release, 127.0.0.1) on one PostgreSQL, and the revocation
# delay between them: a key or session in use on node B is revoked through node A, and B is asked
# again until it refuses; p50 / p99 / max over BENCH_TRIALS trials (default 200) of each. Bounded:
# a trial gives up after 10 s. Then webhooks on the same two nodes: what a subscribed event adds to
# the request causing it, the delay to a receiver on loopback, a burst's throughput through both
# senders (BENCH_WEBHOOK_EVENTS, default 200; the burst is 5 times that). bench/load.sh runs it at
# its end; it also runs on its own.
#
#   bench/nodes.sh
#   BENCH_TRIALS=100 bench/nodes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

trials="${BENCH_TRIALS:-200}"
port_a="${BENCH_PORT:-3100}"
port_b=$((port_a + 1))
out="$root/bench/results"
mkdir -p "$out"
base="http://127.0.0.1:$port_a"  # for wait_until_up
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_jq

build_release api benchmarks

echo "== starting PostgreSQL, migrating"
migrated_database authkeys_nodes
# The webhook receiver runs in the benchmark process, on loopback.
export WEBHOOK_ALLOW_PRIVATE_TARGETS=true

echo "== starting node A on :$port_a and node B on :$port_b"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for port in "$port_a" "$port_b"; do
  (cd "$out/api" && exec env "${service_env[@]}" ASPNETCORE_URLS="http://127.0.0.1:$port" 'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' \
    dotnet AuthKeys.Api.dll) > "$out/node-$port.log" 2>&1 &
  pids+=($!)
done
for port in "$port_a" "$port_b"; do
  base="http://127.0.0.1:$port" wait_until_up "$out/node-$port.log"
  for _ in $(seq 1 40); do
    [ "$(curl -sf "http://127.0.0.1:$port/health/ready" | jq -r .listener)" = up ] && break
    sleep 0.25
  done
done

echo "== revocation delay, $trials trials each"
dotnet bench/AuthKeys.Benchmarks/bin/Release/net10.0/AuthKeys.Benchmarks.dll revocation-delay \
  "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" "$trials" | tee "$out/nodes.md"

echo "== webhooks: request cost, delivery delay, a burst through both senders"
dotnet bench/AuthKeys.Benchmarks/bin/Release/net10.0/AuthKeys.Benchmarks.dll webhooks \
  "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" "${BENCH_WEBHOOK_EVENTS:-200}" | tee -a "$out/nodes.md"
