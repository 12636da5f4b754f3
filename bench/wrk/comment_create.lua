package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
setup, init, delay, done = c.setup, c.init, c.delay, c.done
request = function()
  local public = math.random(100) <= 80 and "true" or "false"
  local body = '{"body":"Thanks, we are looking into it and will get back to you shortly.","public":' .. public .. '}'
  return wrk.format("POST", "/api/v1/tickets/" .. c.random_open_ticket() .. "/comments",
    c.headers({ ["Content-Type"] = "application/json" }), body)
end
