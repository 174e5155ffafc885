#!/usr/bin/env python3
"""request-times.py LOG FROM TO - time spent inside the server by the
POST /v1/checks requests of one benchmark run.

LOG is the server's log kept by run.sh (LIMES_BENCH_SERVER_LOG); FROM and
TO are the run's UTC start and end as run.sh prints them (2026-11-29T08:01:02).
The load generator measures from each request's intended send time; the
server measures from the moment it starts reading the request.  Comparing
the two tells a slow server from requests queued before it (a connection
waiting for its pool thread, or for the client)."""
import json
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    log, t_from, t_to = sys.argv[1:]
    ms = []
    with open(log, encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("msg") != "request" or e.get("method") != "POST":
                continue
            if not e.get("path", "").startswith("/v1/checks"):
                continue
            ts = e.get("ts", "")[:19]
            if t_from <= ts < t_to:
                ms.append(float(e["ms"]))
    if not ms:
        sys.exit("no POST /v1/checks between %s and %s" % (t_from, t_to))
    ms.sort()
    pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
    print(json.dumps({"requests": len(ms), "server_p50_ms": pick(0.50), "server_p90_ms": pick(0.90),
                      "server_p99_ms": pick(0.99), "server_p999_ms": pick(0.999),
                      "server_max_ms": ms[-1]}))


if __name__ == "__main__":
    main()
