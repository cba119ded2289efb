#!/usr/bin/env bash
# Serves AuthKeys on http://localhost:${PORT:-3000}, Swagger UI at /api/docs.
#
# With a database configured (DATABASE_URL, ConnectionStrings__Default or DB_HOST, in the
# environment or in .env) it uses that one. Otherwise it starts a private PostgreSQL and keeps it
# for the next run: `docker compose` where a Docker engine answers, else this machine's own
# PostgreSQL binaries with data in .data/postgres. Likewise without REDIS_URL it starts a private
# Redis (docker compose, else this machine's redis-server) for the shared rate-limit counters, or
# runs without one (limits are then counted per process, which is all one process needs). And
# without SMTP_URL it starts a local mail catcher (smtp4dev, pinned in the tool manifest) and says
# where its inbox is: verification and reset links arrive there.
#
#   ./run.sh          run the API (Ctrl-C stops it; the database and Redis keep running)
#   ./run.sh db       only start the private database and Redis (used by bench/)
#   ./run.sh stop     stop them (and the mail catcher)
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

if [ -f .env ]; then set -a; . ./.env; set +a; fi

data="$root/.data"
pg_data="$data/postgres"
pg_port="${AUTHKEYS_DEV_DB_PORT:-55432}"
redis_port="${AUTHKEYS_DEV_REDIS_PORT:-56379}"
mail_smtp_port="${AUTHKEYS_DEV_SMTP_PORT:-55025}"
mail_web_port="${AUTHKEYS_DEV_MAIL_WEB_PORT:-55080}"

have_docker() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"; return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# initdb and postgres refuse to run as root: run them as the postgres user.
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_local_postgres() {
  local bin; bin=$(find_pg_bin)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "No database configured, no Docker engine and no PostgreSQL binaries found." >&2
    echo "Install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL in .env." >&2
    exit 1
  fi
  mkdir -p "$data"
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$pg_data"; chown postgres "$pg_data"
    if ! runuser -u postgres -- test -w "$pg_data"; then
      echo "The postgres user cannot write $pg_data (a parent folder is private)." >&2
      echo "Clone the repository somewhere readable, or set DATABASE_URL in .env." >&2
      exit 1
    fi
  fi
  if [ ! -f "$pg_data/PG_VERSION" ]; then
    echo "Creating a private PostgreSQL cluster in $pg_data"
    as_pg_user "$bin/initdb" -D "$pg_data" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  fi
  if ! as_pg_user "$bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; then
    echo "Starting PostgreSQL on 127.0.0.1:$pg_port"
    as_pg_user "$bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w \
      -o "-p $pg_port -k $pg_data -c listen_addresses=127.0.0.1" start >/dev/null
  fi
  export DB_HOST=127.0.0.1 DB_PORT="$pg_port" DB_USERNAME=postgres DB_PASSWORD= DB_NAME=authkeys
  as_pg_user "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='authkeys'" postgres | grep -q 1 \
    || as_pg_user "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres authkeys
}

start_docker_postgres() {
  echo "Starting PostgreSQL with docker compose on 127.0.0.1:$pg_port"
  docker compose up -d --wait postgres
  export DB_HOST=127.0.0.1 DB_PORT="$pg_port" DB_USERNAME=postgres DB_PASSWORD=postgres DB_NAME=authkeys
}

start_local_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "No REDIS_URL and no redis-server: rate limits are counted by this process alone (fine for one node)."
    return
  fi
  mkdir -p "$data/redis"
  if ! redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then
    echo "Starting Redis on 127.0.0.1:$redis_port"
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" --daemonize yes \
      --pidfile "$data/redis/redis.pid" --logfile "$data/redis/redis.log" --save "" --appendonly no
  fi
  export REDIS_URL="redis://127.0.0.1:$redis_port"
}

start_docker_redis() {
  echo "Starting Redis with docker compose on 127.0.0.1:$redis_port"
  docker compose up -d --wait redis
  export REDIS_URL="redis://127.0.0.1:$redis_port"
}

start_docker_mail() {
  docker compose up -d mail
  export SMTP_URL="smtp://127.0.0.1:$mail_smtp_port"
}

# smtp4dev keeps what it caught in .data/mail (its web inbox lists it); SMTP and IMAP on loopback only.
start_local_mail() {
  mkdir -p "$data/mail"
  if ! curl -sf "http://127.0.0.1:$mail_web_port/" >/dev/null 2>&1; then
    dotnet tool restore >/dev/null
    echo "Starting a mail catcher (smtp4dev): SMTP on 127.0.0.1:$mail_smtp_port"
    nohup dotnet smtp4dev --urls="http://127.0.0.1:$mail_web_port" --smtpport="$mail_smtp_port" --bindaddress=127.0.0.1 \
      --imapport="" --pop3port="" --db="$data/mail/smtp4dev.db" --nousersettings --hostname=localhost \
      > "$data/mail/smtp4dev.log" 2>&1 &
    echo $! > "$data/mail/smtp4dev.pid"
    for _ in $(seq 120); do curl -sf "http://127.0.0.1:$mail_web_port/" >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  export SMTP_URL="smtp://127.0.0.1:$mail_smtp_port"
}

if [ "${1:-}" = stop ]; then
  if [ -f "$pg_data/PG_VERSION" ]; then
    as_pg_user "$(find_pg_bin)/pg_ctl" -D "$pg_data" -m fast stop || true
  fi
  if [ -f "$data/redis/redis.pid" ]; then
    redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  fi
  if [ -f "$data/mail/smtp4dev.pid" ]; then
    kill "$(cat "$data/mail/smtp4dev.pid")" 2>/dev/null || true
    rm -f "$data/mail/smtp4dev.pid"
  fi
  if have_docker; then docker compose stop postgres redis mail || true; fi
  exit 0
fi

if [ -z "${DATABASE_URL:-}${ConnectionStrings__Default:-}${DB_HOST:-}" ] || [ "${1:-}" = db ]; then
  if have_docker; then start_docker_postgres; else start_local_postgres; fi
fi
if [ -z "${REDIS_URL:-}" ]; then
  if have_docker; then start_docker_redis; else start_local_redis; fi
fi
[ "${1:-}" = db ] && exit 0
if [ -z "${SMTP_URL:-}" ]; then
  if have_docker; then start_docker_mail; else start_local_mail; fi
  echo "Mail goes to a local catcher: read it at http://127.0.0.1:$mail_web_port"
fi

# A development secret that survives restarts, so tokens stay valid across runs.
if [ -z "${JWT_SECRET:-}" ]; then
  mkdir -p "$data"
  [ -s "$data/jwt-secret" ] || head -c 48 /dev/urandom | base64 | tr -d '\n' > "$data/jwt-secret"
  JWT_SECRET=$(cat "$data/jwt-secret"); export JWT_SECRET
fi

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The memory settings the image runs with (see the Dockerfile).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x200000}" DOTNET_JitHostMaxSlabCache="${DOTNET_JitHostMaxSlabCache:-0}"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:${PORT:-3000}}"
echo "AuthKeys on ${ASPNETCORE_URLS}  (Swagger UI: ${ASPNETCORE_URLS%%;*}/api/docs)"
exec dotnet run --project src/AuthKeys.Api --no-launch-profile
