#!/bin/sh
# run.sh BUILD_DIR [LIST_SIZE] [CROSSINGS] [SECONDS] [CLIENTS] [RATE] - end-to-end
# first-line checks over loopback (issue 5 benchmark).
#
# The database (SQLite, WAL) holds a synthetic watchlist of LIST_SIZE persons
# (default 1000000; gen.py, imported with `limes lists import --format csv`),
# CROSSINGS stored crossings (default 10000000, through the bulk path:
# bench/records/records.c, batches of 1000) and an officer.  Building it
# takes ~10 min of CPU at 1M/10M, so it is CACHED in $LIMES_BENCH_CACHE
# (default /var/tmp/limes-bench-cache) under a name keyed by the two sizes
# and a hash of the schema migrations and gen.py: rebuilt only when absent
# (or when the schema changes).  The runs add their checks and audit entries
# to the cached database (tens of thousands of rows beside 10M crossings).
# LIMES_BENCH_PREPARE_ONLY=1 builds the database and stops (run it early,
# in the background, under `nice -n 19`).
#
# Then it measures how steady the machine's CPU speed is (steady.c: the
# tail at a fixed rate follows the host's slow spells), starts `limes
# serve`, makes one check, runs a closed loop of
# LIMES_BENCH_WARMUP seconds (default 10, not counted: SQLite's page cache,
# the screening engine's remembered spellings and the kernel's socket
# buffers start cold, and a booth server runs for hours), and
# drives it with 200 keep-alive connections by default (CLIENTS):
#   1. GET /healthz with wrk (the server's floor);
#   2. POST /v1/checks with wrk, closed loop (post.lua; wrk's own figures,
#      kept for comparison: wrk measures from the actual send, so a stalled
#      server hides its queue - coordinated omission);
#   3. POST /v1/checks with load.c, closed loop (max throughput);
#   4. POST /v1/checks with load.c, open loop at RATE checks/s in total
#      (default 2000, spread over the connections), latency measured from
#      each request's intended send time.  RATE may be a list ("1000 1500
#      2000"): one open-loop run per rate, in that order.
# LIMES_BENCH_NO_WRK=1 skips the two wrk runs (1 and 2).
# Each run prints one JSON line; the server's CPU seconds per run are
# printed beside them.  Use an optimised build (not the sanitizer one).
set -eu
build=$(cd "${1:-build}" && pwd)
list=${2:-1000000}
crossings=${3:-10000000}
secs=${4:-30}
clients=${5:-200}
rate=${6:-2000}
threads=${LIMES_BENCH_THREADS:-8}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
cache=${LIMES_BENCH_CACHE:-/var/tmp/limes-bench-cache}
port=${LIMES_BENCH_PORT:-18085}
limes="$build/limes"
work=$(mktemp -d /var/tmp/limes-bench-checks.XXXXXX)
server=
# LIMES_BENCH_SERVER_LOG=PATH keeps the server's log (one JSON line per
# request with its time inside the server; bench/checks/request-times.py
# LOG FROM TO gives their percentiles over one run's UTC times).
keep_log() { if [ -n "${LIMES_BENCH_SERVER_LOG:-}" ]; then cp "$work/server.log" "$LIMES_BENCH_SERVER_LOG"; fi; }
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; keep_log; rm -rf "$work"' EXIT

key=$(cat "$src"/src/store/schema/*.sql "$here/gen.py" | sha1sum | cut -c1-12)
db="$cache/checks-$list-$crossings-$key.db"
mkdir -p "$cache"

build_db() {
  tmp=$(mktemp -d "$cache/building.XXXXXX")
  cp "$limes" "$tmp/limes" # a rebuild during the ~10 min must not swap it
  libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0)
  pq=$(pkg-config --libs libpq 2>/dev/null || true)
  cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$src/bench/records/records.c" \
    "$build/liblimes.a" $libs $pq -lpthread -lm -o "$tmp/records"
  t0=$(date +%s)
  "$tmp/records" "$tmp/checks.db" "$crossings" 1000
  t1=$(date +%s)
  echo "crossings stored in $((t1 - t0)) s"
  python3 "$here/gen.py" watchlist "$src/data/names/variants.tsv" "$list" "$tmp/list.csv"
  t0=$(date +%s)
  "$tmp/limes" lists import --db "$tmp/checks.db" --list BENCH --format csv "$tmp/list.csv"
  t1=$(date +%s)
  echo "watchlist imported in $((t1 - t0)) s"
  echo "pass-word-for-bench" | "$tmp/limes" user add --db "$tmp/checks.db" officer1 --role officer \
    --password-stdin >/dev/null
  [ ! -e "$tmp/checks.db-wal" ] || { echo "run.sh: WAL left behind" >&2; exit 1; }
  mv "$tmp/checks.db" "$db"
  rm -rf "$tmp"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u '+%Y-%m-%d %H:%M UTC'); $(uptime | sed 's/.*load/load/')"
if [ -e "$db" ]; then
  echo "database: cached $db"
else
  echo "database: building $db"
  build_db
fi
[ -z "${LIMES_BENCH_PREPARE_ONLY:-}" ] || exit 0
echo "sizes: watchlist $list persons, $crossings crossings, $clients clients, ${secs}s per run, open-loop rate $rate/s, server --threads $threads"

python3 "$here/gen.py" bodies "$src/data/names/variants.tsv" 20000 "$work/bodies.lua"
python3 "$here/gen.py" bodies "$src/data/names/variants.tsv" 20000 "$work/bodies.jsonl"
cc -O2 -std=c17 -D_GNU_SOURCE -Wall "$here/load.c" -lm -o "$work/load"
# The host's CPU speed over 10 s, before the server starts (steady.c): the
# share of 100 ms windows in which a fixed loop ran 2x or 3x slower.
cc -O1 -std=c17 -D_GNU_SOURCE -Wall "$here/steady.c" -lpthread -o "$work/steady"
echo "machine steadiness (idle): $("$work/steady" 10)"
token=$("$limes" token create --db "$db" officer1 --name bench | awk '{print $NF}' | tail -1)
"$limes" serve --db "$db" --listen "127.0.0.1:$port" --threads "$threads" >"$work/server.log" 2>&1 &
server=$!
for i in $(seq 1 1200); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
echo "server ready (rss $(ps -o rss= -p "$server") kB)"
body=$(head -1 "$work/bodies.jsonl")
curl -s -o /dev/null -w "first check: HTTP %{http_code} in %{time_total} s" -H "Authorization: Bearer $token" \
  -H "Content-Type: application/json" --data "$body" --max-time 600 "http://127.0.0.1:$port/v1/checks"
echo " (rss $(ps -o rss= -p "$server") kB)"

# CPU seconds (user+system) the server has used so far.
server_cpu() {
  awk '{ printf "%.2f\n", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$server/stat"
}
# run LABEL COMMAND...: the command's last line, then the server's CPU use.
run() {
  label=$1
  shift
  c0=$(server_cpu)
  t0=$(date -u +%FT%T)
  out=$("$@" | tail -1)
  t1=$(date -u +%FT%T)
  c1=$(server_cpu)
  echo "-- $label: $out"
  echo "   server CPU $(echo "$c1 - $c0" | bc) s; $(uptime | sed 's/.*load/load/'); UTC $t0 $t1"
}
url="http://127.0.0.1:$port"
warmup=${LIMES_BENCH_WARMUP:-10}
[ "$warmup" = 0 ] || run "warm-up, not counted: POST /v1/checks closed loop ${warmup}s (load.c)" \
  "$work/load" -c "$clients" -d "$warmup" -t "$token" -b "$work/bodies.jsonl" "$url/v1/checks"
[ -n "${LIMES_BENCH_NO_WRK:-}" ] || run "GET /healthz (wrk)" wrk -t2 -c"$clients" -d"${secs}s" --timeout 10s -s "$here/get.lua" "$url/healthz"
[ -n "${LIMES_BENCH_NO_WRK:-}" ] || run "POST /v1/checks closed loop (wrk)" env LIMES_TOKEN="$token" BODIES="$work/bodies.lua" \
  wrk -t2 -c"$clients" -d"${secs}s" --timeout 10s -s "$here/post.lua" "$url/v1/checks"
run "POST /v1/checks closed loop (load.c)" "$work/load" -c "$clients" -d "$secs" \
  -t "$token" -b "$work/bodies.jsonl" "$url/v1/checks"
# LIMES_BENCH_TRACE=DIR keeps each open-loop run's per-request times
# (load.c -o) as DIR/open-RATE-N.trace.
n=0
for r in $rate; do
  n=$((n + 1))
  trace=
  [ -z "${LIMES_BENCH_TRACE:-}" ] || trace="-o ${LIMES_BENCH_TRACE}/open-$r-$n.trace"
  run "POST /v1/checks open loop $r/s (load.c)" "$work/load" -c "$clients" -d "$secs" -r "$r" \
    $trace -t "$token" -b "$work/bodies.jsonl" "$url/v1/checks"
done
echo "server rss after: $(ps -o rss= -p "$server") kB"
