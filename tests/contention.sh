#!/usr/bin/env bash
# Flaky-test hunt: the whole suite RUNS times (default 5), each beside a busy loop on every core,
# so that every wait in a test meets a machine slower than CI's worst day. Prints each run's
# summary and the failed tests; exits non-zero if any run failed. Bounded: each run is cut off
# after 20 minutes, and the busy loops end with it.
#
#   tests/contention.sh          # five runs
#   RUNS=2 tests/contention.sh
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
out=$(mktemp -d)
dotnet build tests/AuthKeys.Api.Tests -v quiet --nologo >/dev/null || { echo "the build failed" >&2; exit 1; }

failed_runs=0
for run in $(seq 1 "$runs"); do
  busy=()
  for _ in $(seq 1 "$(nproc)"); do
    timeout 1200 sh -c 'while :; do :; done' &
    busy+=($!)
  done
  timeout 1200 dotnet test tests/AuthKeys.Api.Tests --no-build > "$out/run-$run.log" 2>&1
  status=$?
  kill "${busy[@]}" 2>/dev/null
  wait "${busy[@]}" 2>/dev/null
  echo "run $run: $(grep -E '^(Passed|Failed)!' "$out/run-$run.log" || echo "no summary (exit $status)")"
  grep -E '^\s+Failed [A-Za-z]' "$out/run-$run.log" | sed 's/^/    /'
  [ "$status" -eq 0 ] || failed_runs=$((failed_runs + 1))
done
echo "$((runs - failed_runs)) of $runs runs passed; logs in $out"
[ "$failed_runs" -eq 0 ]
