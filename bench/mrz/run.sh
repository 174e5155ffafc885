#!/bin/sh
# run.sh BUILD_DIR [SECONDS] - MRZ benchmark: limes and the npm package
# `mrz` (cheminfo, installed here from package.json) on the same inputs
# (every zone of $LIMES_SHARED_DATA/mrz/cases plus derived negatives, see
# cases.py): which cases each reads correctly, and parse-and-validate
# throughput per core.  Prints a markdown table (bench/RESULTS.md).
set -eu
build=$(cd "${1:-build}" && pwd)
seconds=${2:-3}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
shared=${LIMES_SHARED_DATA:-$src/../shared/data}
if [ ! -d "$shared/mrz/cases" ]; then
  echo "mrz bench: skipped, $shared/mrz/cases is absent"
  exit 0
fi
if ! command -v node >/dev/null; then
  echo "mrz bench: skipped, node is not installed"
  exit 0
fi
[ -d "$here/node_modules/mrz" ] || (cd "$here" && npm install --no-audit --no-fund --silent)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/cases.py" "$shared" "$src" "$work"
"$build/limes" mrz parse --json --on 2026-11-28 "$work/zones.txt" >"$work/limes.jsonl"
libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0)
pq=$(pkg-config --libs libpq 2>/dev/null || true)
python3 -c "
import json, sys
cases = json.load(open('$work/inputs.json'))
open('$work/valid.txt', 'w').write('\n\n'.join('\n'.join(c['lines']) for c in cases if c['valid']) + '\n')"
cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$here/throughput.c" \
  "$build/liblimes.a" $libs $pq -lpthread -lm -o "$work/throughput"
"$work/throughput" "$work/valid.txt" "$seconds" >"$work/limes-speed.json"
node "$here/peer.mjs" "$work/inputs.json" "$work/peer.json" "$seconds"
echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(date -u +%Y-%m-%d)"
python3 "$here/compare.py" "$work/inputs.json" "$work/limes.jsonl" "$work/peer.json" \
  "$work/limes-speed.json"
