#!/bin/sh
# run.sh BUILD_DIR [LIST_SIZE] [CROSSINGS] [SECONDS] [CLIENTS] - end-to-end
# first-line checks over loopback (issue 5 benchmark).
#
# Builds a SQLite database (WAL, synchronous=FULL) in /var/tmp with a
# synthetic watchlist of LIST_SIZE persons (default 1000000; gen.py, imported
# with `limes lists import --format csv`) and CROSSINGS stored crossings
# (default 10000000, through the bulk path: bench/records/records.c, batches
# of 1000), starts `limes serve`, then drives it with wrk (Debian package
# wrk) at CLIENTS concurrent connections (default 200) for SECONDS (default
# 30): first GET /healthz (the server's floor), then POST /v1/checks with
# varied MRZs (post.lua).  Prints the sizes, set-up times and one JSON line
# per run.  Use an optimised build (not the sanitizer one).  LIMES_BENCH_KEEP=1
# keeps the work directory (database, bodies) in /var/tmp.
set -eu
build=$(cd "${1:-build}" && pwd)
list=${2:-1000000}
crossings=${3:-10000000}
secs=${4:-30}
clients=${5:-200}
threads=${LIMES_BENCH_THREADS:-8}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d /var/tmp/limes-bench-checks.XXXXXX)
port=${LIMES_BENCH_PORT:-18085}
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; [ -n "${LIMES_BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
limes="$build/limes"
db="$work/checks.db"
libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0)
pq=$(pkg-config --libs libpq 2>/dev/null || true)
cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$src/bench/records/records.c" \
  "$build/liblimes.a" $libs $pq -lpthread -lm -o "$work/records"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "sizes: watchlist $list persons, $crossings crossings, $clients clients, ${secs}s per run, server --threads $threads"
t0=$(date +%s)
"$work/records" "$db" "$crossings" 1000
t1=$(date +%s)
echo "crossings stored in $((t1 - t0)) s"
python3 "$here/gen.py" watchlist "$src/data/names/variants.tsv" "$list" "$work/list.csv"
python3 "$here/gen.py" bodies "$src/data/names/variants.tsv" 20000 "$work/bodies.lua"
t0=$(date +%s)
"$limes" lists import --db "$db" --list BENCH --format csv "$work/list.csv"
t1=$(date +%s)
echo "watchlist imported in $((t1 - t0)) s"
echo "pass-word-for-bench" | "$limes" user add --db "$db" officer1 --role officer --password-stdin >/dev/null
token=$("$limes" token create --db "$db" officer1 --name bench | awk '{print $NF}' | tail -1)
"$limes" serve --db "$db" --listen "127.0.0.1:$port" --threads "$threads" >"$work/server.log" 2>&1 &
server=$!
for i in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
echo "server ready (rss $(ps -o rss= -p "$server") kB)"
# The first check loads the watch set into the screening index: time it
# apart, so that the runs below measure the steady state.
body=$(sed -n 2p "$work/bodies.lua" | python3 -c 'import sys; print(eval(sys.stdin.read().rstrip().rstrip(",")))')
t0=$(date +%s.%N)
curl -s -o /dev/null -w "first check: HTTP %{http_code}" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" --data "$body" --max-time 600 "http://127.0.0.1:$port/v1/checks"
t1=$(date +%s.%N)
echo " in $(echo "$t1 - $t0" | bc) s (loads the watch set; rss $(ps -o rss= -p "$server") kB)"
echo "-- GET /healthz"
wrk -t2 -c"$clients" -d"${secs}s" --timeout 10s -s "$here/get.lua" "http://127.0.0.1:$port/healthz" | tail -1
echo "-- POST /v1/checks"
LIMES_TOKEN=$token BODIES="$work/bodies.lua" \
  wrk -t2 -c"$clients" -d"${secs}s" --timeout 10s -s "$here/post.lua" "http://127.0.0.1:$port/v1/checks" | tail -1
echo "server rss after: $(ps -o rss= -p "$server") kB"
