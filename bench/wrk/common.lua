-- Shared by every scenario: the bearer token and ticket range come from the environment, each thread seeds
-- its own random generator, and done() prints one JSON line the runner parses.
local M = {}

M.token = os.getenv("BENCH_TOKEN") or ""
M.tickets = tonumber(os.getenv("BENCH_TICKETS") or "1000")
-- Constant-rate mode: each connection waits this many ms between requests (0: as fast as possible).
M.delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

local thread_counter = 0
function M.setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_id", thread_counter)
end

function M.init()
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function M.headers(extra)
  local h = { ["Authorization"] = "Bearer " .. M.token, ["Accept"] = "application/json" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function M.random_ticket()
  return math.random(1, M.tickets)
end

-- Tickets that accept comments (closed ones refuse them): numbers given by the runner.
M.open_tickets = {}
for n in string.gmatch(os.getenv("BENCH_OPEN_TICKETS") or "", "%d+") do M.open_tickets[#M.open_tickets + 1] = n end

function M.random_open_ticket()
  if #M.open_tickets == 0 then return M.random_ticket() end
  return M.open_tickets[math.random(#M.open_tickets)]
end

function M.delay()
  return M.delay_ms
end

local errors = 0
function M.response(status, headers, body)
  if status >= 400 then errors = errors + 1 end
end

function M.done(summary, latency, requests)
  local errs = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
      + summary.errors.status
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, errs, summary.errors.status))
end

return M
