#!/bin/sh
# run.sh BUILD_DIR [ROWS] - durable crossing inserts per second, batched, on
# SQLite (WAL, synchronous=FULL, a file in /var/tmp) and on PostgreSQL 15
# (a throwaway cluster started here with its durable defaults: fsync on,
# synchronous_commit on).  Prints one JSON line per backend and batch size
# (wall time and the client's CPU time), and on PostgreSQL one more with the
# CPU time the cluster used meanwhile (backends, autovacuum, WAL writer).
# The headline mix: every traveller new, entering then leaving (a new
# traveller, document and stay per two crossings); a last run per backend
# draws the travellers from a pool of 10,000, so that most crossings are by
# returning travellers (their stays loaded, their last activity raised).
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
echo "machine: $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
for batch in 1 100 1000 returning; do
  n=$rows pool=
  [ "$batch" = 1 ] && n=2000
  [ "$batch" = returning ] && batch=1000 pool=10000
  rm -f "$work/r.db"*
  "$work/records" "$work/r.db" "$n" "$batch" $pool
done
# CPU seconds used so far by the cluster: the postmaster, its live children
# and the children it has reaped (a finished session's backend, autovacuum).
cluster_cpu() {
  pm=$(head -1 "$(cat "$LIMES_PG_STATE")/data/postmaster.pid")
  ticks=$(getconf CLK_TCK)
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat"
    for c in $(ps --ppid "$pm" -o pid=); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null; done
  } | awk -v t="$ticks" '{s += $1} END {printf "%.2f", s / t}'
}
if [ -n "$pq" ] && url=$("$src/tools/pg-test.sh" start 2>/dev/null); then
  for batch in 1 100 1000 returning; do
    n=$rows pool=
    [ "$batch" = 1 ] && n=2000
    [ "$batch" = returning ] && batch=1000 pool=10000
    psql -q "$url" -c "DROP DATABASE IF EXISTS bench_records" -c "CREATE DATABASE bench_records" >/dev/null 2>&1
    before=$(cluster_cpu)
    "$work/records" "$(echo "$url" | sed 's|/postgres?|/bench_records?|')" "$n" "$batch" $pool
    sleep 0.2 # the session's backend exits and is reaped
    echo "$(cluster_cpu) $before" | awk '{printf "{\"postgresql_server_cpu_seconds\": %.2f}\n", $1 - $2}'
  done
else
  echo "records bench: PostgreSQL part skipped (no libpq build or no postgresql-15)"
fi
