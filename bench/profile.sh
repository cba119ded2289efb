#!/usr/bin/env bash
# Where the key route's CPU goes, in microseconds per request, for AuthKeys, the bare ceiling and
# the ceiling with the framework's middleware (bench/CeilingApp with CEILING_FRAMEWORK_MIDDLEWARE):
# each app under the same wrk load while perf samples it, in alternating runs, then
# bench/profile.py charges every sample to a row (a middleware's own cost, the request metrics,
# the authentication handler, GC, sockets and kernel) and prints the medians as a table. The
# throughput ratios of bench/load.sh say how large the gap is; this says what it is made of. It
# also measures those ratios again, without perf: alternating 2 s runs of each pair (the bare
# ceiling then the framework's, the framework's then AuthKeys, the bare one then AuthKeys), the
# median of the per-pair ratios.
# About 6 minutes. Results go to bench/results/profile.md (stacks in bench/results/profile/).
#
#   bench/profile.sh                      three 9 s profiled runs of each app, 10 pairs of each ratio
#   PROFILE_ROUNDS=5 PROFILE_PAIRS=30 bench/profile.sh     more runs (medians steadier)
#
# perf names JIT-compiled frames from the runtime's perf map (DOTNET_PerfMapEnabled=1); the
# double-mapped code of W^X would leave them nameless, so the three apps run with it off alike.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/results"
mkdir -p "$out/profile"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_wrk
rounds="${PROFILE_ROUNDS:-3}"
pairs="${PROFILE_PAIRS:-10}"
command -v perf >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf >/dev/null; }
command -v perf >/dev/null 2>&1 || { echo "perf is missing: install linux-perf" >&2; exit 1; }
require_jq

build_release api ceiling
port="${BENCH_PROFILE_PORT:-3160}"
base="http://127.0.0.1:$port"
bare="http://127.0.0.1:$((port + 1))" framework="http://127.0.0.1:$((port + 2))"
echo "== starting PostgreSQL, migrating"
migrated_database authkeys_profile

echo "== starting AuthKeys, the bare ceiling and the ceiling with the framework's middleware"
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
(cd "$out/api" && exec env "${service_env[@]}" ASPNETCORE_URLS="$base" 'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' dotnet AuthKeys.Api.dll) > "$out/profile/api.log" 2>&1 &
api_pid=$!
(cd "$out/ceiling" && exec env ASPNETCORE_URLS="$bare" dotnet CeilingApp.dll) > "$out/profile/bare.log" 2>&1 &
bare_pid=$!
(cd "$out/ceiling" && exec env ASPNETCORE_URLS="$framework" CEILING_FRAMEWORK_MIDDLEWARE=true dotnet CeilingApp.dll) > "$out/profile/framework.log" 2>&1 &
framework_pid=$!
trap 'kill $api_pid $bare_pid $framework_pid 2>/dev/null || true' EXIT
wait_until_up "$out/profile/api.log"
base="$bare" wait_until_up "$out/profile/bare.log"
base="$framework" wait_until_up "$out/profile/framework.log"

account_with_key "$base" profile@example.com
route=/protected/service-only
declare -A url=([AuthKeys]="$base" [ceiling]="$bare" ["ceiling + framework"]="$framework")
declare -A pid=([AuthKeys]=$api_pid [ceiling]=$bare_pid ["ceiling + framework"]=$framework_pid)
apps=("ceiling" "ceiling + framework" "AuthKeys")

for app in "${apps[@]}"; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "x-api-key: $key" "${url[$app]}$route")
  [ "$status" = 200 ] || { echo "!! $app answered $status on $route" >&2; exit 1; }
done
# The first seconds of a route run code the tiered JIT has not optimized yet.
echo "== warming up (15 s each)"
for app in "${apps[@]}"; do wrk -t2 -c32 -d15s -H "x-api-key: $key" "${url[$app]}$route" >/dev/null; done

declare -a runs=()
for round in $(seq 1 "$rounds"); do
  for app in "${apps[@]}"; do
    name="$(echo "$app" | tr -d ' +')-$round"
    perf record -e cpu-clock -F 999 -g -p "${pid[$app]}" -o "$out/profile/$name.data" -- sleep 10 >/dev/null 2>&1 &
    recorder=$!
    sleep 0.5
    requests=$(wrk -t2 -c32 -d9s -H "x-api-key: $key" "${url[$app]}$route" | awk '/requests in/ {print $1}')
    wait $recorder
    perf script -i "$out/profile/$name.data" 2>/dev/null > "$out/profile/$name.stacks"
    runs+=("$app:$round:$requests:$out/profile/$name.stacks")
    echo "   $app, run $round: $requests requests in 9 s"
  done
done

# ratio A B: the median over $pairs pairs of (B's req/s / A's req/s), each B run right after its A run.
ratio() {
  local -a ratios=()
  local a b i
  for i in $(seq 1 "$pairs"); do
    a=$(wrk -t2 -c32 -d2s -H "x-api-key: $key" "${url[$1]}$route" | awk '/^Requests\/sec/ {print $2}')
    b=$(wrk -t2 -c32 -d2s -H "x-api-key: $key" "${url[$2]}$route" | awk '/^Requests\/sec/ {print $2}')
    ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')")
  done
  printf '%.2f (%s pairs, from %.2f to %.2f)' "$(median "${ratios[@]}")" "$pairs" \
    "$(printf '%s\n' "${ratios[@]}" | sort -g | head -n 1)" "$(printf '%s\n' "${ratios[@]}" | sort -g | tail -n 1)"
}
echo "== throughput ratios without perf"
framework_vs_bare=$(ratio "ceiling" "ceiling + framework")
ours_vs_framework=$(ratio "ceiling + framework" "AuthKeys")
ours_vs_bare=$(ratio "ceiling" "AuthKeys")

{
  echo "Throughput on the key route, without perf: the ceiling with the framework's middleware $framework_vs_bare"
  echo "of the bare ceiling; AuthKeys $ours_vs_framework of the ceiling with the framework's middleware"
  echo "and $ours_vs_bare of the bare ceiling."
  echo
  echo "Key route (GET $route), CPU microseconds per request by where perf found them, $(date -u +%Y-%m-%d):"
  echo
  python3 "$root/bench/profile.py" "${runs[@]}"
} | tee "$out/profile.md"
