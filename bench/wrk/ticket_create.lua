package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
setup, init, delay, done = c.setup, c.init, c.delay, c.done
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"subject":"Bench ticket %d-%d","description":"Created by the benchmark, thread %d."}',
    thread_id or 0, n, thread_id or 0)
  return wrk.format("POST", "/api/v1/tickets", c.headers({ ["Content-Type"] = "application/json" }), body)
end
