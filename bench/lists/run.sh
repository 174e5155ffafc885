#!/bin/sh
# run.sh BUILD_DIR [SIZES] - list storage benchmark: store N synthetic
# persons as one list and time limes_lists_load() (what the screening
# engine calls to build its index).  Compiles bench/lists/load.c against
# the build's liblimes.a.  SIZES defaults to "10000 100000 1000000".
set -eu
build=$(cd "${1:-build}" && pwd)
sizes=${2:-"10000 100000 1000000"}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
libs=$(pkg-config --libs sqlite3 libmicrohttpd jansson icu-uc icu-i18n libsodium libxml-2.0)
pq=$(pkg-config --libs libpq 2>/dev/null || true)
cc -O2 -std=c17 -D_GNU_SOURCE -I"$src/include" -I"$src/src" "$here/load.c" \
  "$build/liblimes.a" $libs $pq -lpthread -lm -o "$work/load"
for n in $sizes; do
  "$work/load" "$work/lists.db" "$n"
  "$work/load" "$work/lists.db"
done
