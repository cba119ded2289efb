# Shared by the bench scripts, so that their figures compare: wrk runs, each
# scenario paired with a run of the health route ($HEALTH, default /health) or of BASELINE (an
# array: path, then wrk arguments) just before it, on this server or on BASELINE_BASE (another
# app: the ceiling, the Identity peer), named BASELINE_NAME in the table. Expects base, out,
# connections, rounds, email, password, token and key (for the verify script's check), and the
# variables rows and health_rps.

declare -a BASELINE=()

# require_wrk: stops with a hint when wrk is not installed.
require_wrk() {
  command -v wrk >/dev/null 2>&1 || { echo "wrk is missing: run bench/load.sh once (it installs it)" >&2; exit 1; }
}

# require_jq: installs jq from the system packages when missing and running as root.
require_jq() {
  command -v jq >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq >/dev/null; }
}

# The password of every account the bench scripts create.
bench_password="Tangerine-Kite-42"

# account_with_key URL EMAIL: signs EMAIL up on the service at URL and creates a key named bench;
# sets token, user_id and key.
account_with_key() {
  local signup
  signup=$(curl -sf -X POST "$1/auth/signup" -H 'Content-Type: application/json' -d "{\"email\":\"$2\",\"password\":\"$bench_password\"}")
  token=$(echo "$signup" | jq -r .accessToken)
  user_id=$(echo "$signup" | jq -r .user.id)
  key=$(curl -sf -X POST "$1/keys/create" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"name":"bench"}' | jq -r .key)
}

# post_script FILE CONTENT_TYPE BODY [NAME VALUE]...: a wrk script POSTing BODY (no single quotes
# in it) with CONTENT_TYPE and the headers NAME: VALUE; wrk_check reads the same lines back.
post_script() {
  local file=$1
  {
    echo 'wrk.method = "POST"'
    echo "wrk.body = '$3'"
    echo "wrk.headers[\"Content-Type\"] = \"$2\""
    shift 3
    while (( $# >= 2 )); do echo "wrk.headers[\"$1\"] = \"$2\""; shift 2; done
  } > "$file"
}

# login_script FILE EMAIL: a wrk script that signs EMAIL in.
login_script() { post_script "$1" application/json "{\"email\":\"$2\",\"password\":\"$bench_password\"}"; }

# build_release APP...: unless BENCH_SKIP_BUILD is set, Release builds into $out of api
# (src/AuthKeys.Api), ceiling (bench/CeilingApp) and identity (bench/IdentityReference), and of
# benchmarks (bench/AuthKeys.Benchmarks, built in place: its `keys` command generates real keys).
build_release() {
  [ -n "${BENCH_SKIP_BUILD:-}" ] && return
  echo "== building Release"
  local app
  for app in "$@"; do
    case "$app" in
      api) dotnet publish src/AuthKeys.Api -c Release -o "$out/api" --nologo -v quiet >/dev/null ;;
      ceiling) dotnet publish bench/CeilingApp -c Release -o "$out/ceiling" --nologo -v quiet >/dev/null ;;
      identity) dotnet publish bench/IdentityReference -c Release -o "$out/identity" --nologo -v quiet >/dev/null ;;
      benchmarks) dotnet build bench/AuthKeys.Benchmarks -c Release --nologo -v quiet >/dev/null ;;
      *) echo "!! build_release: unknown app $app" >&2; exit 1 ;;
    esac
  done
}

# start_database NAME: the private PostgreSQL (started as ./run.sh starts it) with NAME fresh and
# empty; psql then talks to it.
start_database() {
  ./run.sh db >/dev/null
  db_port="${AUTHKEYS_DEV_DB_PORT:-55432}"
  psql_bin=$(type -P psql || ls /usr/lib/postgresql/*/bin/psql | tail -n 1)  # the program, not the function below
  psql -d postgres -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"
}
psql() { "$psql_bin" -h 127.0.0.1 -p "$db_port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

# migrated_database NAME: start_database NAME, point the service at it (DB_* exported), apply the
# migrations with `dotnet AuthKeys.Api.dll migrate` from $out/api (a step of its own, as a
# deployment with DB_MIGRATE_ON_STARTUP=false does), and export what every benchmark runs the
# service with: a fresh JWT secret, and the limits out of the way (they would rightly throttle a
# load generator on one address; the tests measure them).
migrated_database() {
  start_database "$1"
  export ASPNETCORE_ENVIRONMENT=Production
  export DB_HOST=127.0.0.1 DB_PORT="$db_port" DB_USERNAME=postgres DB_PASSWORD= DB_NAME="$1"
  (cd "$out/api" && dotnet AuthKeys.Api.dll migrate) > "$out/$1-migrate.log" 2>&1 \
    || { echo "!! migrating failed:" >&2; tail -n 20 "$out/$1-migrate.log" >&2; exit 1; }
  export DB_MIGRATE_ON_STARTUP=false
  export JWT_SECRET="bench-$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  export AUTH_RATE_LIMIT_PER_MINUTE=1000000 LOGIN_MAX_FAILURES=1000000 APIKEY_FAILURES_PER_MINUTE=1000000
}

# insert_keys FILE USER_ID: the keys in FILE (one a line, from `AuthKeys.Benchmarks keys N`) stored
# as USER_ID's in $DB_NAME by one SQL statement (their SHA-256 hashes, as the service stores them).
insert_keys() {
  psql -d "$DB_NAME" <<SQL
CREATE TEMP TABLE bench_keys (key text NOT NULL);
\copy bench_keys FROM '$1'
INSERT INTO api_keys (id, user_id, name, prefix, key_hash, is_active, created_at, updated_at)
  SELECT gen_random_uuid(), '$2', 'bulk-' || row_number() OVER (), left(key, 11), sha256(convert_to(key, 'UTF8')), true, now(), now()
  FROM bench_keys;
ANALYZE api_keys;
SQL
}

# wait_until_up LOG: returns once $base/health answers; after 30 s, shows LOG's tail and exits.
wait_until_up() {
  for _ in $(seq 1 60); do curl -sf "$base/health" >/dev/null && return; sleep 0.5; done
  echo "!! the service did not start:" >&2
  tail -n 20 "$1" >&2
  exit 1
}

# measure SECONDS PATH [wrk args...]: one wrk run; prints req/s and leaves the report in $out/last.txt.
measure() {
  local duration=$1 path=$2; shift 2
  wrk -t2 -c"${CONNS:-$connections}" -d"${duration}s" --timeout 10s --latency "$@" "${MEASURE_BASE:-$base}$path" > "$out/last.txt"
  awk '/^Requests\/sec/ {print $2}' "$out/last.txt"
}

# median VALUE...: the median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run NAME SECONDS PATH [wrk args...]: one 2xx check, a warm-up, then $rounds rounds of the
# scenario paired with /health or BASELINE, in alternating order (baseline first in odd rounds,
# the scenario first in even ones) with BENCH_GAP_SECONDS (1) idle between runs: what one app
# leaves behind after its run (flushes, collections) would otherwise always land on the same
# side. wrk and the service share two cores and single runs swing by +-10%, so the ratio is the
# median over rounds of (scenario run / its paired run).
run() {
  local name=$1 duration=$2 path=$3; shift 3
  local status
  status=$(wrk_check "$path" "$@")
  if [[ "$status" != 2* ]]; then
    echo "!! $name: a single request answered $status, not 2xx; a benchmark of errors is worthless" >&2
    exit 1
  fi
  wrk -t2 -c"${CONNS:-$connections}" -d2s "$@" "$base$path" >/dev/null 2>&1 || true
  local -a runs=() healths=() ratios=()
  local rps health round n=${SINGLE_RUN:+1}
  local errors=0 non2xx socket
  : > "$out/last-all.txt"
  # What each run is paired with: the health route, or the BASELINE array (path and wrk args).
  local -a pair=("${HEALTH:-/health}")
  [ ${#BASELINE[@]} -gt 0 ] && pair=("${BASELINE[@]}")
  local is_baseline=0 paired=${PAIRED:-1}
  [ -z "${BASELINE_BASE:-}" ] && [ "$path" = "${pair[0]}" ] && [ $# -eq 0 ] && { is_baseline=1; paired=0; }
  local gap=${BENCH_GAP_SECONDS:-1}
  for round in $(seq 1 "${n:-$rounds}"); do
    if [ "$paired" = 1 ] && [ $((round % 2)) = 1 ]; then
      healths+=("$(CONNS=$connections MEASURE_BASE="${BASELINE_BASE:-}" measure "$duration" "${pair[@]}")")
      sleep "$gap"
    fi
    rps=$(measure "$duration" "$path" "$@")
    runs+=("$rps")
    if [ "$paired" = 1 ] && [ $((round % 2)) = 0 ]; then
      sleep "$gap"
      healths+=("$(CONNS=$connections MEASURE_BASE="${BASELINE_BASE:-}" measure "$duration" "${pair[@]}")")
    fi
    [ "$paired" = 1 ] && sleep "$gap"
    [ ${#healths[@]} -gt 0 ] && ratios+=("$(awk -v a="$rps" -v b="${healths[-1]}" 'BEGIN { print a / b }')")
    cat "$out/last.txt" >> "$out/last-all.txt"
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$out/last.txt")
    socket=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out/last.txt")
    errors=$(( errors + ${non2xx:-0} + ${socket:-0} ))
  done
  local best best_health
  best=$(median "${runs[@]}")
  if [ "$is_baseline" = 1 ]; then best_health=$best
  elif [ ${#healths[@]} -gt 0 ]; then best_health=$(median "${healths[@]}")
  else best_health=$health_rps; fi
  [ -z "$health_rps" ] && health_rps=$best
  cp "$out/last-all.txt" "$out/$(echo "$name" | tr ' /,' '___').txt"
  # Latency percentiles of the last run.
  local p50 p99
  p50=$(awk '$1 == "50%" {print $2}' "$out/last.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$out/last.txt")
  # The median of each run's ratio to the baseline run just before it: drift between rounds cancels out.
  local ratio
  if [ ${#ratios[@]} -gt 0 ]; then ratio=$(printf '%.2f' "$(median "${ratios[@]}")")
  else ratio=$(awk -v a="$best" -v b="$best_health" 'BEGIN { printf "%.2f", a / b }'); fi
  local flag=""
  [ "$errors" -gt 0 ] && flag=" (non-2xx or timeouts under load!)"
  best=$(awk -v v="$best" 'BEGIN { printf (v < 100 ? "%.1f" : "%.0f"), v }'); best_health=$(printf '%.0f' "$best_health")
  # Unpaired scenarios (login, the storm) are not compared with a baseline.
  [ "${PAIRED:-1}" = 0 ] && { best_health=""; ratio=""; }
  local against="${BASELINE_NAME:-${pair[0]}}"
  [ -z "$ratio" ] && against=""
  rows+=("| $name | $best | $p50 | $p99 | $errors$flag | $against | $best_health | $ratio |")
  printf '%-46s %8s req/s  p50 %-9s p99 %-9s errors %s  vs %s %s  ratio %s  (runs: %s)\n' "$name" "$best" "$p50" "$p99" "$errors$flag" "$against" "$best_health" "$ratio" "$(printf '%.0f ' "${runs[@]}")"
  LAST_RPS=$best
  LAST_RATIO=$ratio
}

# The same request once with curl, headers and body taken from the wrk arguments.
wrk_check() {
  local path=$1; shift
  local args=(-s -o /dev/null -w '%{http_code}')
  while [ $# -gt 0 ]; do
    case "$1" in
      -H) args+=(-H "$2"); shift 2 ;;
      -s) case "$2" in
            *rotate-keys.lua) args+=(-H "x-api-key: $(head -n 1 "$(sed -n 's/^local file = "\(.*\)"$/\1/p' "$2")")") ;;
            *) # the script's own body and headers (wrk.body = '…' or "…", wrk.headers["Name"] = "value")
               args+=(-X POST --data-raw "$(sed -n "s/^wrk.body = [\"']\(.*\)[\"']$/\1/p" "$2")")
               while IFS= read -r header; do args+=(-H "$header"); done < <(sed -n 's/^wrk.headers\["\([^"]*\)"\] = "\(.*\)"$/\1: \2/p' "$2") ;;
          esac
          shift 2 ;;
      *) shift ;;
    esac
  done
  curl "${args[@]}" "$base$path"
}

# The runtime settings the image starts AuthKeys with (the Dockerfile's ENV line, less PORT): every
# script starts it the same way, so the figures are those of the service as shipped.
mapfile -t service_env < <(sed -n 's/^ENV //p' "$root/Dockerfile" | tr ' ' '\n' | grep -E '^(MALLOC_ARENA_MAX|DOTNET_[A-Za-z0-9_]+)=')
