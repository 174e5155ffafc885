#!/bin/sh
# fuzz-smoke.sh FUZZ_BUILD SOURCE_DIR - run every fuzz target briefly on its
# committed seed corpus (plus a few seconds of fresh inputs), so harnesses
# never rot and shallow crashes are caught in `make check`.
set -u
build=$1
src=$2
seconds=${FUZZ_SECONDS:-10}
status=0
for t in "$build"/fuzz/fuzz_*; do
  [ -f "$t" ] && [ -x "$t" ] || continue
  name=$(basename "$t" | sed 's/^fuzz_//')
  corpus="$src/fuzz/corpus/$name"
  work=$(mktemp -d)
  [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
  if "$t" -max_total_time="$seconds" -artifact_prefix="$build/" -max_len=65536 -rss_limit_mb=2048 "$work" \
       >"$build/fuzz-$name.log" 2>&1; then
    echo "fuzz $name: ok"
  else
    echo "fuzz $name: FAILED (see $build/fuzz-$name.log)"
    tail -30 "$build/fuzz-$name.log"
    status=1
  fi
  rm -rf "$work"
done
exit $status
