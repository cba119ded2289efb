#!/usr/bin/env bash
# Load benchmark: builds Release, starts the private PostgreSQL (as ./run.sh does), the API, the
# stack's ceiling (bench/CeilingApp: the same framework doing nothing of its own; a second one
# with the framework's middleware AuthKeys needs on every request) and the Identity peer
# (bench/IdentityReference) on 127.0.0.1, then drives each scenario with wrk and prints scenario,
# req/s, p50, p99, errors and req/s as a ratio of what it is measured against, run by run: the
# ceiling's same route for the protected routes and verify (and the second ceiling's for the JWT
# and key routes), Identity's bearer route for the JWT route, GET /health for verify (as is the
# ceiling's own verify), 1 key for 10,000 keys. Every loop is bounded; the run ends by itself in
# about 15 minutes. Results also go to
# bench/results/latest.md. At the end, bench/nodes.sh measures the two-node revocation delay.
# bench/reference.sh measures Identity on its own.
#
#   bench/load.sh                 default durations (four 3 s runs a scenario, paired with a run of what it is against in alternating order, 30 s login storm)
#   BENCH_ROUNDS=2 bench/load.sh  fewer rounds
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

seconds="${BENCH_SECONDS:-3}"
rounds="${BENCH_ROUNDS:-4}"
storm_seconds="${BENCH_STORM_SECONDS:-30}"
connections="${BENCH_CONNECTIONS:-32}"
port="${BENCH_PORT:-3100}"
base="http://127.0.0.1:$port"
out="$root/bench/results"
mkdir -p "$out"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

if ! command -v wrk >/dev/null 2>&1; then
  echo "Installing wrk from the system package manager"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; fi
fi
require_jq

BENCH_SKIP_BUILD= build_release api ceiling identity benchmarks  # always: the figures are of this checkout

echo "== starting PostgreSQL, migrating (a step of its own, as a deployment with DB_MIGRATE_ON_STARTUP=false does)"
migrated_database authkeys_bench

echo "== starting the API on $base"
export ASPNETCORE_URLS="$base"
# Per-request log lines to the console would dominate every scenario alike.
# From its own folder, so that its appsettings.json is the configuration it reads.
(cd "$out/api" && exec env "${service_env[@]}" 'Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Warning' dotnet AuthKeys.Api.dll) > "$out/api.log" 2>&1 &
api_pid=$!
trap 'kill $api_pid 2>/dev/null || true' EXIT
wait_until_up "$out/api.log"

ceiling="http://127.0.0.1:$((port + 2))"
identity="http://127.0.0.1:$((port + 3))"
echo "== starting the ceiling on $ceiling (and with the framework's middleware on port $((port + 4))) and the Identity peer on $identity"
(cd "$out/ceiling" && exec env ASPNETCORE_URLS="$ceiling" dotnet CeilingApp.dll) > "$out/ceiling.log" 2>&1 &
ceiling_pid=$!
psql -d postgres -c "DROP DATABASE IF EXISTS authkeys_bench_identity WITH (FORCE)" -c "CREATE DATABASE authkeys_bench_identity"
(cd "$out/identity" && exec env ASPNETCORE_URLS="$identity" Logging__LogLevel__Default=Warning \
  "ConnectionStrings__Reference=Host=127.0.0.1;Port=$db_port;Username=postgres;Database=authkeys_bench_identity" \
  dotnet IdentityReference.dll) > "$out/identity.log" 2>&1 &
identity_pid=$!
# The ceiling again with the framework's middleware that AuthKeys needs on every request
# (problem details, HSTS/HTTPS redirection, request logging, rate limiter, request metrics):
# between the two ceilings is the framework's price of those features, and between it and us, ours.
framework="http://127.0.0.1:$((port + 4))"
(cd "$out/ceiling" && exec env ASPNETCORE_URLS="$framework" CEILING_FRAMEWORK_MIDDLEWARE=true dotnet CeilingApp.dll) > "$out/ceiling-framework.log" 2>&1 &
framework_pid=$!
trap 'kill $api_pid $ceiling_pid $identity_pid $framework_pid 2>/dev/null || true' EXIT
base="$ceiling" wait_until_up "$out/ceiling.log"
base="$framework" wait_until_up "$out/ceiling-framework.log"
base="$identity" wait_until_up "$out/identity.log"
curl -sf -X POST "$identity/register" -H 'Content-Type: application/json' -d '{"email":"peer@example.com","password":"Tangerine-Kite-42"}'
identity_token=$(curl -sf -X POST "$identity/login" -H 'Content-Type: application/json' -d '{"email":"peer@example.com","password":"Tangerine-Kite-42"}' | jq -r .accessToken)

email="bench-$RANDOM@example.com"
password="$bench_password"  # for wrk_check
account_with_key "$base" "$email"
login_script "$out/login.lua" "$email"

post_script "$out/verify.lua" application/json "{\"key\":\"$key\"}" Authorization "Bearer $token"

declare -a rows
health_rps=""
one_key_rps=""

echo "== scenarios (median of $rounds ${seconds}s runs each, paired with a run of what it is measured against, in alternating order; $connections connections, 2 wrk threads)"
# Warm up the JIT on every route of every app first, so the first scenario measured is not the cold one.
for target in "$base" "$ceiling" "$framework"; do
  for path in /health /protected/user-only /protected/flexible; do
    wrk -t2 -c"$connections" -d3s -H "Authorization: Bearer $token" "$target$path" >/dev/null 2>&1 || true
  done
  for path in /protected/service-only /protected/flexible; do
    wrk -t2 -c"$connections" -d3s -H "x-api-key: $key" "$target$path" >/dev/null 2>&1 || true
  done
  wrk -t2 -c"$connections" -d3s -s "$out/verify.lua" "$target/keys/verify" >/dev/null 2>&1 || true
done
wrk -t2 -c"$connections" -d3s -H "Authorization: Bearer $identity_token" "$identity/mvc/me" >/dev/null 2>&1 || true

# against URL URL_NAME NAME PATH [wrk args...]: our route, each run paired with the same request
# to the app at URL (named URL_NAME in the table).
against() {
  local target=$1 target_name=$2 name=$3 path=$4; shift 4
  BASELINE=("$path" "$@")
  BASELINE_BASE="$target" BASELINE_NAME="$target_name" run "$name" "$seconds" "$path" "$@"
  BASELINE=()
}
against_ceiling() { against "$ceiling" "ceiling" "$@"; }
against_ceiling "GET /health" /health
against_ceiling "JWT  GET /protected/user-only" /protected/user-only -H "Authorization: Bearer $token"
jwt_vs_ceiling=$LAST_RATIO
against_ceiling "JWT  GET /protected/flexible" /protected/flexible -H "Authorization: Bearer $token"
against_ceiling "key  GET /protected/service-only" /protected/service-only -H "x-api-key: $key"
key_vs_ceiling=$LAST_RATIO
one_key_rps=$LAST_RPS
against_ceiling "key  GET /protected/flexible" /protected/flexible -H "x-api-key: $key"
# The same two routes against the ceiling with the framework's middleware, and that ceiling
# against the bare one: which part of the gap is the framework's and which is ours.
against_framework() { against "$framework" "ceiling + framework middleware" "$@"; }
against_framework "JWT  GET /protected/user-only" /protected/user-only -H "Authorization: Bearer $token"
jwt_vs_framework=$LAST_RATIO
against_framework "key  GET /protected/service-only" /protected/service-only -H "x-api-key: $key"
key_vs_framework=$LAST_RATIO
base="$framework" against_ceiling "ceiling + framework middleware: GET /protected/service-only" /protected/service-only -H "x-api-key: $key"
framework_vs_ceiling=$LAST_RATIO
# The method's own bias and noise: the bare ceiling paired with itself, as every scenario is paired.
base="$ceiling" against_ceiling "A/A: the ceiling against itself, GET /protected/service-only" /protected/service-only -H "x-api-key: $key"
aa_ratio=$LAST_RATIO
# A usage quota is counted in PostgreSQL, one atomic UPDATE per use: its cost shows here.
quota_key=$(curl -sf -X POST "$base/keys/create" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench-quota","remaining":1000000000}' | jq -r .key)
against_ceiling "key with quota  GET /protected/service-only" /protected/service-only -H "x-api-key: $quota_key"
# A rate limit is counted in memory (in Redis with REDIS_URL); this one is never reached during the run.
limited_key=$(curl -sf -X POST "$base/keys/create" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench-limited","rateLimit":{"limit":1000000,"windowSeconds":86400}}' | jq -r .key)
against_ceiling "key with rate limit  GET /protected/service-only" /protected/service-only -H "x-api-key: $limited_key"
# The peer: the stock Identity bearer route (a controller), each run right before ours.
BASELINE=(/mvc/me -H "Authorization: Bearer $identity_token")
BASELINE_BASE="$identity" BASELINE_NAME="Identity /mvc/me" run "JWT  GET /protected/user-only" "$seconds" /protected/user-only -H "Authorization: Bearer $token"
BASELINE=()
jwt_vs_identity=$LAST_RATIO
BASELINE_NAME="/health" run "JWT  POST /keys/verify (a cached key)" "$seconds" /keys/verify -s "$out/verify.lua"
verify_vs_health=$LAST_RATIO
against_ceiling "JWT  POST /keys/verify (a cached key)" /keys/verify -s "$out/verify.lua"
verify_vs_ceiling=$LAST_RATIO
# What the stack itself reaches for that request against its own /health: the ceiling's verify
# binds and validates the same JSON body and answers the same JSON, and looks nothing up.
BASELINE=(/health)
base="$ceiling" BASELINE_BASE="$ceiling" BASELINE_NAME="the ceiling's /health" run "the ceiling's own POST /keys/verify" "$seconds" /keys/verify -s "$out/verify.lua"
BASELINE=()
ceiling_verify_vs_health=$LAST_RATIO
# OAuth, each against our /health: a service trading its key for a token (the key's verification
# and an ES256 signature per request), and a resource server introspecting a person's access token
# (a full ES256 validation per request: introspection caches no token).
introspector=$(curl -sf -X POST "$base/keys/create" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"bench-introspector","scopes":["tokens:introspect"]}')
introspector_id=$(echo "$introspector" | jq -r .id)
introspector_key=$(echo "$introspector" | jq -r .key)
post_script "$out/oauth-token.lua" application/x-www-form-urlencoded \
  "grant_type=client_credentials&client_id=$introspector_id&client_secret=$introspector_key"
post_script "$out/oauth-introspect.lua" application/x-www-form-urlencoded "token=$token" x-api-key "$introspector_key"
BASELINE_NAME="/health" run "key  POST /oauth/token (client credentials)" "$seconds" /oauth/token -s "$out/oauth-token.lua"
oauth_token_vs_health=$LAST_RATIO
BASELINE_NAME="/health" run "key  POST /oauth/introspect (a person's token)" "$seconds" /oauth/introspect -s "$out/oauth-introspect.lua"
oauth_introspect_vs_health=$LAST_RATIO
echo "== 10,000 keys: generated by the service's own generator, inserted in bulk"
dotnet bench/AuthKeys.Benchmarks/bin/Release/net10.0/AuthKeys.Benchmarks.dll keys 10000 > "$out/keys-10000.txt"
echo "$key" > "$out/keys-1.txt"
insert_keys "$out/keys-10000.txt" "$user_id"
# Each request sends the next key of its file, so all 10,000 are looked up in turn; the 1-key
# baseline goes through the same script, so the client's own cost is the same on both sides.
for n in 1 10000; do
  cat > "$out/$n-rotate-keys.lua" <<LUA
local file = "$out/keys-$n.txt"
local keys = {}
for line in io.lines(file) do keys[#keys + 1] = line end
local i = 0
request = function()
  i = i % #keys + 1
  return wrk.format(nil, nil, { ["x-api-key"] = keys[i] })
end
LUA
done
# One pass over all keys first: the first use of each is a database lookup.
wrk -t2 -c"$connections" -d5s -s "$out/10000-rotate-keys.lua" "$base/protected/service-only" >/dev/null 2>&1 || true
BASELINE=(/protected/service-only -s "$out/1-rotate-keys.lua")
BASELINE_NAME="1 key" run "key  GET /protected/service-only, 10k keys in turn" "$seconds" /protected/service-only -s "$out/10000-rotate-keys.lua"
BASELINE=()
many_keys_ratio=$LAST_RATIO
# After the key scenarios: logins leave the JIT busy tiering up EF Core for a while.
# bcrypt is meant to be slow: a few connections, so the queue stays shorter than the timeout.
PAIRED=0 CONNS=4 run "POST /auth/login (bcrypt)" "$seconds" /auth/login -s "$out/login.lua"

echo "== login storm: ${storm_seconds}s of logins while API-key traffic runs"
wrk -t1 -c16 -d"$((storm_seconds + 4))s" -s "$out/login.lua" "$base/auth/login" > "$out/storm_logins.txt" 2>&1 &
storm_pid=$!
sleep 2
PAIRED=0 SINGLE_RUN=1 run "key  GET /protected/service-only, login storm" "$storm_seconds" /protected/service-only -H "x-api-key: $key"
storm_rps=$LAST_RPS
wait $storm_pid || true
storm_logins=$(awk '/^Requests\/sec/ {print $2}' "$out/storm_logins.txt")

rss_kb=$(ps -o rss= -p "$api_pid" | tr -d ' ')
rss_mb=$((rss_kb / 1024))
ceiling_rss_mb=$(( $(ps -o rss= -p "$ceiling_pid" | tr -d ' ') / 1024 ))
identity_rss_mb=$(( $(ps -o rss= -p "$identity_pid" | tr -d ' ') / 1024 ))
# Where the resident memory is, in each app: JIT code (memfd:doublemapper), anonymous (GC heap,
# stacks), libraries.
for app in "AuthKeys $api_pid" "Identity $identity_pid" "ceiling $ceiling_pid"; do
  set -- $app
  echo "== $1"
  awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6 ? $6 : "[anon]"); sub(".*/", "", name) }
       /^Rss:/ { rss[name] += $2 }
       END { for (n in rss) if (rss[n] >= 1024) printf "%6d MB  %s\n", rss[n] / 1024, n }' "/proc/$2/smaps" | sort -rn
done > "$out/memory.txt"

# forgot-password answers the same, about as fast, for any address (the lookup, the limit and the
# mail come after the answer): a known address's runs, each paired with a run with an unknown one.
for who in known unknown; do
  target_email=$email
  [ "$who" = unknown ] && target_email="nobody-$RANDOM@example.com"
  post_script "$out/forgot-$who.lua" application/json "{\"email\":\"$target_email\"}"
done
PAIRED=0 run "POST /auth/forgot-password, an unknown address" "$seconds" /auth/forgot-password -s "$out/forgot-unknown.lua"
BASELINE=(/auth/forgot-password -s "$out/forgot-unknown.lua")
BASELINE_NAME="an unknown address" run "POST /auth/forgot-password, a known address" "$seconds" /auth/forgot-password -s "$out/forgot-known.lua"
BASELINE=()
forgot_ratio=$LAST_RATIO

echo "== two nodes: revocation delay (bench/nodes.sh)"
kill $api_pid $ceiling_pid $identity_pid $framework_pid 2>/dev/null || true
BENCH_SKIP_BUILD=1 BENCH_PORT=$((port + 10)) bench/nodes.sh > "$out/nodes.log" 2>&1 \
  || { echo "!! the two-node run failed:" >&2; tail -n 20 "$out/nodes.log" >&2; exit 1; }

# Each against the /health runs beside it, so that drift between the two phases cancels out.
storm_vs_idle=$(awk -v a="$storm_rps" -v b="$one_key_rps" 'BEGIN { printf "%.2f", a / b }')
{
  echo "| scenario | req/s | p50 | p99 | errors | against | its req/s | ratio |"
  echo "|---|---:|---:|---:|---:|---|---:|---:|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Each ratio is the median over rounds of (our run / the run of what it is against paired with it, in alternating order): the ceiling (bench/CeilingApp, the same stack with a handler that returns a principal built once), the Identity peer's bearer route, our /health, or 1 key."
  echo "- the method's A/A ratio (the bare ceiling paired with itself the same way): $aa_ratio"
  echo "- JWT route vs the ceiling: $jwt_vs_ceiling, API-key route vs the ceiling: $key_vs_ceiling (target: at least 0.85 each); JWT route vs Identity: $jwt_vs_identity (target: at least 1.5)"
  echo "- against the ceiling with the framework's middleware AuthKeys needs (problem details, HSTS/HTTPS redirection, request logging, rate limiter, request metrics): JWT route $jwt_vs_framework, API-key route $key_vs_framework (target: at least 0.90 each); that ceiling against the bare one: $framework_vs_ceiling"
  echo "- POST /keys/verify vs our /health: $verify_vs_health (no target: the stack's own verify lands well below its /health); the ceiling's own verify vs its /health: $ceiling_verify_vs_health; our verify vs the ceiling's: $verify_vs_ceiling (target: at least 0.70)"
  echo "- OAuth vs our /health: POST /oauth/token $oauth_token_vs_health, POST /oauth/introspect $oauth_introspect_vs_health (no target; each is one key verification and one ES256 signature or validation)"
  echo "- 10,000 keys vs 1 key: $many_keys_ratio (req/s with each request sending the next of 10,000 keys, over the same with one key, in alternating runs; target: within 10%, and one indexed query per key per cache lifetime, which a test counts)"
  echo "- API-key req/s during the login storm vs idle: $storm_vs_idle (target: at least 0.30); logins/s during the storm: $storm_logins"
  echo "- POST /auth/forgot-password, a known address vs an unknown one: $forgot_ratio (target: about 1; the answer must not tell them apart)"
  echo "- RSS after the run: AuthKeys ${rss_mb} MB, the Identity peer ${identity_rss_mb} MB, the ceiling ${ceiling_rss_mb} MB (target: AuthKeys no higher than the peer; stretch goal 150 MB)"
  echo "- two nodes on one database, from the revoking response on A to the first refusal on B (target: p99 under 1 s):"
  sed 's/^/  - /' "$out/nodes.md"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK; wrk -t2 -c$connections, median of $rounds ${seconds}s runs per scenario, each paired with a run of what it is against in alternating order (ABBA) with ${BENCH_GAP_SECONDS:-1} s idle between runs, on the same cores as the service; migrations applied by \`migrate\` before start-up"
} | tee "$out/latest.md"
