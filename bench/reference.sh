#!/usr/bin/env bash
# The peer of BENCHMARKS.md, measured the way bench/load.sh measures AuthKeys: ASP.NET Core
# Identity's stock bearer-token endpoints (bench/IdentityReference), a protected route as a ratio
# of the health route beside it, once as minimal APIs and once as controllers. About 2 minutes.
# Results go to bench/results/reference.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds="${BENCH_SECONDS:-3}"
rounds="${BENCH_ROUNDS:-4}"
connections="${BENCH_CONNECTIONS:-32}"
port="${BENCH_REFERENCE_PORT:-3101}"
base="http://127.0.0.1:$port"
out="$root/bench/results/reference"
mkdir -p "$out"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_wrk

echo "== building Release"
dotnet publish bench/IdentityReference -c Release -o "$out/app" --nologo -v quiet >/dev/null

echo "== starting PostgreSQL"
start_database authkeys_bench_reference

echo "== starting the reference on $base"
(cd "$out/app" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$base" Logging__LogLevel__Default=Warning \
  "ConnectionStrings__Reference=Host=127.0.0.1;Port=$db_port;Username=postgres;Database=authkeys_bench_reference" \
  dotnet IdentityReference.dll) > "$out/app.log" 2>&1 &
app_pid=$!
trap 'kill $app_pid 2>/dev/null || true' EXIT
wait_until_up "$out/app.log"

email="reference-$RANDOM@example.com"
password="Tangerine-Kite-42"
curl -sf -X POST "$base/register" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}"
token=$(curl -sf -X POST "$base/login" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .accessToken)

declare -a rows
health_rps=""

echo "== scenarios (median of $rounds ${seconds}s runs each, each right after a run of its health route)"
for path in /health /me /mvc/health /mvc/me; do
  wrk -t2 -c"$connections" -d3s -H "Authorization: Bearer $token" "$base$path" >/dev/null 2>&1 || true
done
run "minimal API  GET /health" "$seconds" /health
run "minimal API  bearer GET /me" "$seconds" /me -H "Authorization: Bearer $token"
health_rps=""
HEALTH=/mvc/health run "controller  GET /mvc/health" "$seconds" /mvc/health
HEALTH=/mvc/health run "controller  bearer GET /mvc/me" "$seconds" /mvc/me -H "Authorization: Bearer $token"

rss_mb=$(( $(ps -o rss= -p "$app_pid" | tr -d ' ') / 1024 ))
{
  echo "| scenario | req/s | p50 | p99 | errors | against | its req/s | ratio |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "- RSS after the run: ${rss_mb} MB (no login storm here)"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK; wrk -t2 -c$connections, median of $rounds ${seconds}s runs per scenario, each right after a run of its health route"
} | tee "$root/bench/results/reference.md"
