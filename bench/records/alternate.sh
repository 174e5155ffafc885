#!/bin/sh
# alternate.sh ROWS BATCH POOL LIB... - the records benchmark on PostgreSQL
# only, for comparing builds: each LIB (a build directory or a liblimes.a;
# keep a copy of the "before" library, e.g. `ar rcs old.a $(ar t
# build/liblimes.a)` from inside the build directory, since Meson's is a
# thin archive) is linked with records.c, then the builds run in turn,
# ROUNDS times (default 3), each into a fresh database of one durable
# throwaway cluster (tools/pg-test.sh, LIMES_PG_DURABLE=1).  POOL "" makes
# every traveller new, a number draws them from a pool (records.c).  One
# line per run: rows/s, client CPU s, cluster CPU s, load average.
# On a shared machine the runs of one round sit in the same minute, so the
# builds see about the same load; compare them round by round.
set -eu
[ $# -ge 4 ] || { echo "usage: alternate.sh ROWS BATCH POOL LIB..." >&2; exit 2; }
rows=$1 batch=$2 pool=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d /var/tmp/limes-bench-alternate.XXXXXX)
export LIMES_PG_STATE="$work/pg.state" LIMES_PG_PORT=54351 LIMES_PG_DURABLE=1
trap '"$src/tools/pg-test.sh" stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0 libpq)
i=0
for lib in "$@"; do
  i=$((i + 1))
  [ -d "$lib" ] && lib="$lib/liblimes.a"
  cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$here/records.c" "$lib" \
    $libs -lpthread -lm -o "$work/records$i"
done
url=$("$src/tools/pg-test.sh" start)
# CPU seconds used so far by the cluster (as in run.sh).
cluster_cpu() {
  pm=$(head -1 "$(cat "$LIMES_PG_STATE")/data/postmaster.pid")
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat"
    for c in $(ps --ppid "$pm" -o pid=); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null; done
  } | awk -v t="$(getconf CLK_TCK)" '{s += $1} END {printf "%.2f", s / t}'
}
db=$(echo "$url" | sed 's|/postgres?|/bench_alternate?|')
for round in $(seq 1 "${ROUNDS:-3}"); do
  i=0
  for lib in "$@"; do
    i=$((i + 1))
    psql -q "$url" -c "DROP DATABASE IF EXISTS bench_alternate" \
      -c "CREATE DATABASE bench_alternate" >/dev/null 2>&1
    before=$(cluster_cpu)
    out=$("$work/records$i" "$db" "$rows" "$batch" $pool)
    sleep 0.3 # the session's backends exit and are reaped
    echo "$out $(cluster_cpu) $before" | sed 's/.*"rows_per_second": \([0-9]*\), "client_cpu_seconds": \([0-9.]*\)} \([0-9.]*\) \([0-9.]*\)/\1 \2 \3 \4/' |
      awk -v r="$round" -v l="$lib" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
        '{printf "round %s %s: %s rows/s, client %.2f s, cluster %.2f s, load %s\n", r, l, $1, $2, $3 - $4, load}'
  done
done
