#!/bin/sh
# run.sh BUILD_DIR [ROWS] - durable crossing inserts per second, batched, on
# SQLite (WAL, synchronous=FULL, a file in /var/tmp) and on PostgreSQL 15
# (a throwaway cluster started here with its durable defaults: fsync on,
# synchronous_commit on).  Prints one JSON line per backend and batch size.
set -eu
build=$(cd "${1:-build}" && pwd)
rows=${2:-200000}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d /var/tmp/limes-bench-records.XXXXXX)
export LIMES_PG_STATE="$work/pg.state" LIMES_PG_PORT=54349 LIMES_PG_DURABLE=1
trap '"$src/tools/pg-test.sh" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0)
pq=$(pkg-config --libs libpq 2>/dev/null || true)
cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$here/records.c" \
  "$build/liblimes.a" $libs $pq -lpthread -lm -o "$work/records"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
for batch in 1 100 1000; do
  n=$rows
  [ "$batch" = 1 ] && n=2000
  rm -f "$work/r.db"*
  "$work/records" "$work/r.db" "$n" "$batch"
done
if [ -n "$pq" ] && url=$("$src/tools/pg-test.sh" start 2>/dev/null); then
  for batch in 1 100 1000; do
    n=$rows
    [ "$batch" = 1 ] && n=2000
    psql -q "$url" -c "DROP DATABASE IF EXISTS bench_records" -c "CREATE DATABASE bench_records" >/dev/null
    "$work/records" "$(echo "$url" | sed 's|/postgres?|/bench_records?|')" "$n" "$batch"
  done
else
  echo "records bench: PostgreSQL part skipped (no libpq build or no postgresql-15)"
fi
