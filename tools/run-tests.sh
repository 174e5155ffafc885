#!/bin/sh
# run-tests.sh BUILD_DIR - run every test of the Meson build and end with
# one summary line, "N passed, N failed, N skipped", that CI reads.
# Skipped tests (exit 77, e.g. shared test data absent) are named.
set -u
build=${1:-build-san}
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
meson test -C "$build" --num-processes 2 >"$build/test-output.txt" 2>&1 || true
log="$build/meson-logs/testlog.json"
if [ ! -f "$log" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
python3 - "$log" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    r = t.get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
        print("skipped:", t["name"])
    else:
        failed += 1
        print("FAILED:", t["name"], r)
        out = (t.get("stdout") or "")[-4000:]
        if out:
            print(out)
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
sys.exit(1 if failed else 0)
PY
