#!/bin/sh
# run.sh BUILD_DIR [LIST_SIZE] [CHECKS] - issue 6's goal: the scanner's Enter
# to the result on screen, in headless Chromium, with a watchlist of
# LIST_SIZE synthetic persons (default 1000000, bench/checks/gen.py).  The
# first check after start builds the screening index and is excluded (it is
# timed apart).  Needs node, playwright-core (npm ci) and chromium.
set -eu
build=$(cd "${1:-build}" && pwd)
list=${2:-1000000}
checks=${3:-60}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d /var/tmp/limes-bench-web.XXXXXX)
port=${LIMES_BENCH_PORT:-18095}
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
limes="$build/limes"
db="$work/web.db"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$src/bench/checks/gen.py" watchlist "$src/data/names/variants.tsv" "$list" "$work/list.csv"
t0=$(date +%s)
"$limes" lists import --db "$db" --list BENCH --format csv "$work/list.csv" >/dev/null
echo "watchlist of $list imported in $(( $(date +%s) - t0 )) s"
"$limes" bcp demo --db "$db" >/dev/null
echo "bench-password-1" | "$limes" user add --db "$db" officer1 --role officer --password-stdin >/dev/null
python3 "$src/tools/web-assets.py" "$src" >/dev/null
"$limes" serve --db "$db" --listen "127.0.0.1:$port" --web "$src/web" >"$work/server.log" 2>&1 &
server=$!
for i in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
token=$("$limes" token create --db "$db" officer1 --name bench | awk '{print $NF}' | tail -1)
t0=$(python3 -c 'import time; print(time.time())')
curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name": "warm up"}' "http://127.0.0.1:$port/v1/screen"
echo "first screening (builds the index of $list entries): $(python3 -c "import time; print(round(time.time() - $t0, 1))") s"
node "$here/enter_to_result.mjs" "http://127.0.0.1:$port" officer1 bench-password-1 "$checks"
