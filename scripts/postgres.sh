#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback for the tests, or stop one.
#   scripts/postgres.sh start   → prints `export RT_TEST_POSTGRES_URL=... RT_TEST_PGDATA=...`
#   scripts/postgres.sh stop DIR
# Installs Debian's postgresql when it is missing and we are root. PostgreSQL refuses to run
# as root, so as root the server runs as the `postgres` user.
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}

case "${1:-}" in
  start)
    if ! bin=$(find_bin); then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
        bin=$(find_bin)
      else
        echo "postgres.sh: PostgreSQL is not installed" >&2; exit 1
      fi
    fi
    data=$(mktemp -d /tmp/retrigger-pg.XXXXXX)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    as_owner "'$bin/initdb' -D '$data/db' -U postgres -A trust -E UTF8 >'$data/initdb.log' 2>&1"
    as_owner "'$bin/pg_ctl' -D '$data/db' -l '$data/server.log' -w -t 60 \
      -o \"-h 127.0.0.1 -p $port -k '$data' -c max_connections=200 -c fsync=off\" start" >&2
    echo "export RT_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$port/postgres"
    echo "export RT_TEST_PGDATA=$data"
    ;;
  stop)
    bin=$(find_bin)
    as_owner "'$bin/pg_ctl' -D '${2:?data dir}/db' -m fast -w stop" >&2 || true
    rm -rf "${2:?}"
    ;;
  *)
    echo "usage: scripts/postgres.sh start | stop DIR" >&2; exit 2 ;;
esac
