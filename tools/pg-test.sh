#!/bin/sh
# pg-test.sh start|stop|env|url - a throwaway PostgreSQL 15 cluster for tests.
#
# start: initdb into a temporary directory and start the server on a unix
#        socket in that directory (port 54329, no TCP, trust auth, fsync off:
#        for tests only; recipe and timings in docs infra.md section 2.1).
#        About a second.  The directory is remembered in $STATE.
# env:   print "export LIMES_TEST_PG=..." for the running cluster.
# url:   print the libpq URL alone.
# stop:  stop the server and delete the directory.
# LIMES_PG_DURABLE=1 keeps PostgreSQL's durable defaults (fsync on), for
# benchmarks; LIMES_PG_PORT and LIMES_PG_STATE allow a second cluster.
# max_prepared_transactions > 0 lets a bulk load spread one batch over two
# connections joined by two-phase commit (src/store/pg.c), and a 5 s
# autovacuum_naptime vacuums and analyses tables filled from empty within
# seconds instead of a minute, as an operator would set them (README,
# PostgreSQL operator notes).
# As root, the server binaries run as the postgres user (initdb refuses root).
set -eu
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${LIMES_PG_PORT:-54329}
STATE=${LIMES_PG_STATE:-/tmp/limes-pg-test.dir}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url() {
  echo "postgresql:///postgres?host=$1&port=$PORT&user=postgres"
}

case "${1:-}" in
start)
  if [ ! -x "$PGBIN/initdb" ]; then
    echo "pg-test: $PGBIN/initdb not found (apt-get install postgresql-15)" >&2
    exit 1
  fi
  if [ -f "$STATE" ] && [ -d "$(cat "$STATE")/data" ]; then
    "$0" stop || true
  fi
  root=$(mktemp -d /tmp/limes-pg.XXXXXX)
  chmod 755 "$root"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$root"
  as_pg "$PGBIN/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$root/initdb.log" 2>&1 || { cat "$root/initdb.log" >&2; exit 1; }
  opts="-p $PORT -k $root -c listen_addresses='' -c max_connections=200"
  opts="$opts -c max_prepared_transactions=64 -c autovacuum_naptime=5s"
  [ "${LIMES_PG_DURABLE:-0}" = 1 ] ||
    opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_pg "$PGBIN/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 -o "$opts" \
    start >/dev/null || { cat "$root/server.log" >&2; exit 1; }
  echo "$root" >"$STATE"
  url "$root"
  ;;
stop)
  [ -f "$STATE" ] || exit 0
  root=$(cat "$STATE")
  if [ -d "$root/data" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$root/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$root" "$STATE"
  ;;
env)
  [ -f "$STATE" ] || { echo "pg-test: not started" >&2; exit 1; }
  echo "export LIMES_TEST_PG='$(url "$(cat "$STATE")")'"
  ;;
url)
  [ -f "$STATE" ] || { echo "pg-test: not started" >&2; exit 1; }
  url "$(cat "$STATE")"
  ;;
*)
  echo "usage: tools/pg-test.sh start|stop|env|url" >&2
  exit 2
  ;;
esac
