#!/usr/bin/env bash
# Memory measured the same way for AuthKeys, the Identity peer (bench/IdentityReference) and the
# stack's ceiling (bench/CeilingApp): each started fresh, one account, then the same load on each
# (four rounds of 3 s of its health route and 3 s of its bearer route, wrk -t2 -c32), then 20
# logins each; RSS after each step and its peak so far (VmHWM: what a container limit meets).
# bench/load.sh's RSS figures come after different work on each app; this one compares like with
# like. A single start's peak swings by several MB (the peer's by up to 10), so the whole sequence
# runs BENCH_MEMORY_RUNS times (default 3), every app started afresh each time, and the verdict is
# the median peak; the last run's steps and where its memory is (smaps by kind and by mapping)
# follow. About 3 minutes a run. Results go to bench/results/memory-same-load.md.
# BENCH_MEMORY_API_ENV adds settings to AuthKeys' environment only, for trying one
# (e.g. "DOTNET_TieredPGO=0").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/results"
mkdir -p "$out"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_wrk

build_release api identity ceiling

port="${BENCH_MEMORY_PORT:-3150}"
runs="${BENCH_MEMORY_RUNS:-3}"
ours="http://127.0.0.1:$port" peer="http://127.0.0.1:$((port + 1))" ceiling="http://127.0.0.1:$((port + 2))"
ours_pid="" peer_pid="" ceiling_pid=""
trap 'kill $ours_pid $peer_pid $ceiling_pid 2>/dev/null || true' EXIT

# rss PID: resident MB now / the peak so far (VmHWM); peak PID: the peak alone.
rss() { awk '/^VmRSS/ { now = $2 } /^VmHWM/ { peak = $2 } END { printf "%d / %d", now / 1024, peak / 1024 }' "/proc/$1/status"; }
peak() { awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
declare -a rows peaks_ours peaks_peer peaks_ceiling
step() { rows+=("| $1 | $(rss $ours_pid) | $(rss $peer_pid) | $(rss $ceiling_pid) |"); echo "${rows[-1]}"; }

# one_run: fresh databases and apps, the workload, each app's peak; the apps are left running.
one_run() {
  rows=()
  migrated_database authkeys_memory
  psql -d postgres -c "DROP DATABASE IF EXISTS authkeys_memory_identity WITH (FORCE)" -c "CREATE DATABASE authkeys_memory_identity"
  # shellcheck disable=SC2086 # BENCH_MEMORY_API_ENV is a list of NAME=value words
  (cd "$out/api" && exec env "${service_env[@]}" ASPNETCORE_URLS="$ours" 'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' ${BENCH_MEMORY_API_ENV:-} dotnet AuthKeys.Api.dll) > "$out/memory-api.log" 2>&1 &
  ours_pid=$!
  (cd "$out/identity" && exec env ASPNETCORE_URLS="$peer" Logging__LogLevel__Default=Warning \
    "ConnectionStrings__Reference=Host=127.0.0.1;Port=$db_port;Username=postgres;Database=authkeys_memory_identity" \
    dotnet IdentityReference.dll) > "$out/memory-identity.log" 2>&1 &
  peer_pid=$!
  (cd "$out/ceiling" && exec env ASPNETCORE_URLS="$ceiling" dotnet CeilingApp.dll) > "$out/memory-ceiling.log" 2>&1 &
  ceiling_pid=$!
  base="$ours" wait_until_up "$out/memory-api.log"
  base="$peer" wait_until_up "$out/memory-identity.log"
  base="$ceiling" wait_until_up "$out/memory-ceiling.log"

  step "started"
  local email="memory-$RANDOM$RANDOM@example.com" password="Tangerine-Kite-42" ours_token peer_token
  ours_token=$(curl -sf -X POST "$ours/auth/signup" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .accessToken)
  curl -sf -X POST "$peer/register" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}"
  peer_token=$(curl -sf -X POST "$peer/login" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -r .accessToken)
  step "one account, signed in"
  for _ in 1 2 3 4; do
    wrk -t2 -c32 -d3s "$ours/health" >/dev/null; wrk -t2 -c32 -d3s -H "Authorization: Bearer $ours_token" "$ours/protected/user-only" >/dev/null
    wrk -t2 -c32 -d3s "$peer/mvc/health" >/dev/null; wrk -t2 -c32 -d3s -H "Authorization: Bearer $peer_token" "$peer/mvc/me" >/dev/null
    wrk -t2 -c32 -d3s "$ceiling/health" >/dev/null; wrk -t2 -c32 -d3s "$ceiling/protected/user-only" >/dev/null
  done
  step "the same load: 4 x (3 s health, 3 s bearer route)"
  for _ in $(seq 1 20); do
    curl -sf -X POST "$ours/auth/login" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" >/dev/null
    curl -sf -X POST "$peer/login" -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" >/dev/null
  done
  step "and 20 logins each (the ceiling has none)"
  sleep 5
  step "and 5 s idle"
  peaks_ours+=("$(peak $ours_pid)") peaks_peer+=("$(peak $peer_pid)") peaks_ceiling+=("$(peak $ceiling_pid)")
}

for run in $(seq 1 "$runs"); do
  echo "== run $run of $runs: the three apps started fresh"
  [ "$run" -gt 1 ] && { kill $ours_pid $peer_pid $ceiling_pid; wait $ours_pid $peer_pid $ceiling_pid 2>/dev/null || true; }
  one_run
done

{
  echo "Peak RSS (VmHWM, MB) of each run, every app started fresh; the verdict is the median:"
  echo
  echo "| run | AuthKeys | Identity peer | ceiling |"
  echo "|---|---:|---:|---:|"
  for i in "${!peaks_ours[@]}"; do echo "| $((i + 1)) | ${peaks_ours[$i]} | ${peaks_peer[$i]} | ${peaks_ceiling[$i]} |"; done
  echo "| **median** | **$(median "${peaks_ours[@]}")** | **$(median "${peaks_peer[@]}")** | $(median "${peaks_ceiling[@]}") |"
  echo
  echo "The last run, step by step:"
  echo
  echo "| after | AuthKeys MB now / peak | Identity peer MB now / peak | ceiling MB now / peak |"
  echo "|---|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
  for app in "AuthKeys $ours_pid" "Identity $peer_pid" "ceiling $ceiling_pid"; do
    set -- $app
    echo; echo "$1, by kind (MB): $(awk '/^[0-9a-f]+-[0-9a-f]+ / { kind = (NF < 6 || $6 ~ /^\[/) ? "anonymous" : ($6 ~ /doublemapper/ ? "code and runtime data (doublemapper)" : "mapped files") }
         /^Rss:/ { rss[kind] += $2 } END { for (k in rss) printf "%s %d; ", k, rss[k] / 1024 }' "/proc/$2/smaps")"
    echo "$1, by mapping (KB; those of at least BENCH_MEMORY_MAPPING_KB, default 2048):"
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6 ? $6 : "[anon]"); sub(".*/", "", name) }
         /^Rss:/ { rss[name] += $2 }
         END { for (n in rss) if (rss[n] >= min) printf "    %6d  %s\n", rss[n], n }' min="${BENCH_MEMORY_MAPPING_KB:-2048}" "/proc/$2/smaps" | sort -rn
  done
} > "$out/memory-same-load.md"
cat "$out/memory-same-load.md"
