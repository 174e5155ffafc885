#!/bin/sh
# run.sh BUILD_DIR [SIZES] - screening benchmarks:
#  quality  recall / false alerts / precision-recall on the shared test data
#           (skipped when ../shared/data is absent);
#  speed    synthetic entries at SIZES (default "10000 100000 1000000"):
#           index build, memory, p50/p99 per traveller, batch throughput,
#           against a brute-force Jaro-Winkler scan and the npm peer
#           fast-fuzzy (bench/screen/peer.js; needs node and npm).
# Compiles the C programs against the build's liblimes.a (use an optimised
# build, not the sanitizer one).
set -eu
build=$(cd "${1:-build}" && pwd)
sizes=${2:-"10000 100000 1000000"}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
shared=${LIMES_SHARED_DATA:-$src/../shared/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0)
pq=$(pkg-config --libs libpq 2>/dev/null || true)
for prog in quality speed; do
  cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$here/$prog.c" \
    "$build/liblimes.a" $libs $pq -lpthread -lm -o "$work/$prog"
done
if [ -d "$shared/screening" ]; then
  echo "-- quality"
  "$work/quality" "$shared"
else
  echo "-- quality: skipped ($shared/screening absent)"
fi
echo "-- speed"
for n in $sizes; do
  "$work/speed" "$src/data/names/variants.tsv" "$n" "$work/peer-$n.tsv"
  if command -v node >/dev/null 2>&1 && [ -d "$here/node_modules/fast-fuzzy" ]; then
    node --max-old-space-size=4096 "$here/peer.js" "$work/peer-$n.tsv"
  else
    echo "  peer fast-fuzzy: skipped (run npm install in bench/screen)"
  fi
done
