#!/usr/bin/env python3
"""trace-windows.py TRACE [SLOW_MS] - where the slow requests of one open-loop
run spent their time, and when.

TRACE is a file written by load.c -o (run.sh keeps them with
LIMES_BENCH_TRACE=DIR): one line per answered request with its due time,
when its last byte was sent, when the answer's first and last bytes came in
(ms since the run's start), its connection and its status.  A request is
slow when it took more than SLOW_MS (default 30) from due to done.

Prints one JSON object: the run's p50/p99, how many requests were slow,
the median and p90 of each stage for the slow ones (due->sent is the load
generator, sent->first is the server, first->done the answer's transfer),
and the 100 ms windows in which slow requests were due, with their counts.
Slow requests bunched in a few windows mean the whole server slowed down
at once (on the VM of bench/RESULTS.md, the host's CPU: see steady.c);
spread evenly they mean a queue of its own."""
import json
import sys


def pick(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else None


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    slow_ms = float(sys.argv[2]) if len(sys.argv) == 3 else 30.0
    rows = []
    with open(sys.argv[1], encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 6:
                rows.append([float(p) for p in parts[:4]])
    if not rows:
        sys.exit("no requests in " + sys.argv[1])
    latency = [done - due for due, _, _, done in rows]
    slow = [r for r in rows if r[3] - r[0] > slow_ms]
    stages = {}
    for name, a, b in (("due_to_sent", 0, 1), ("sent_to_first_byte", 1, 2), ("first_to_last_byte", 2, 3)):
        stages[name] = {"p50_ms": pick([r[b] - r[a] for r in slow], 0.5),
                        "p90_ms": pick([r[b] - r[a] for r in slow], 0.9)}
    windows = {}
    for r in slow:
        w = int(r[0] // 100) * 100
        windows[w] = windows.get(w, 0) + 1
    print(json.dumps({"requests": len(rows), "p50_ms": pick(latency, 0.5), "p99_ms": pick(latency, 0.99),
                      "slow_ms": slow_ms, "slow": len(slow), "slow_stages": stages,
                      "slow_windows": len(windows),
                      "slow_by_window_ms": dict(sorted(windows.items()))}))


if __name__ == "__main__":
    main()
