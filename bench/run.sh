#!/bin/sh
# run.sh BUILD_DIR - run every benchmark (bench/*/run.sh) against the given
# build.  Each prints its figures; bench/RESULTS.md records the latest ones.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
for b in "$here"/*/run.sh; do
  [ -x "$b" ] || continue
  echo "== $(basename "$(dirname "$b")")"
  "$b" "$build"
done
