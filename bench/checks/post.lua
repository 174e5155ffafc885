-- post.lua - wrk script for POST /v1/checks (issue 5 benchmark).
-- Env: LIMES_TOKEN (an officer's API token), BODIES (a Lua file returning a
-- list of JSON bodies, made by gen.py bodies).  Each request takes the next
-- body, so MRZs (names, documents, dates) vary; status codes are counted and
-- done() prints one JSON line with throughput and latency percentiles.
local bodies = dofile(os.getenv("BODIES"))
local token = os.getenv("LIMES_TOKEN")
local threads = {}
local counter = 0
ok, client_errors, server_errors = 0, 0, 0 -- globals: read by done() through thread:get

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = id * 7919
end

function request()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

function response(status, headers, body)
  if status < 300 then
    ok = ok + 1
  elseif status < 500 then
    client_errors = client_errors + 1
  else
    server_errors = server_errors + 1
  end
end

function done(summary, latency, requests)
  local n2, n4, n5 = 0, 0, 0
  for _, t in ipairs(threads) do
    n2 = n2 + t:get("ok")
    n4 = n4 + t:get("client_errors")
    n5 = n5 + t:get("server_errors")
  end
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.1f, "per_second": %.0f, "p50_ms": %.1f, "p90_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "socket_errors": %d, "2xx": %d, "4xx": %d, "5xx": %d}\n',
    summary.requests, secs, summary.requests / secs, latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    n2, n4, n5))
end
