package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
setup, init, delay, done = c.setup, c.init, c.delay, c.done
local agents = tonumber(os.getenv("BENCH_AGENTS") or "20")
request = function()
  local body = string.format('{"email":"agent%d@bench.example","password":"bench-password"}', math.random(agents))
  return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
end
