package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
setup, init, delay, done = c.setup, c.init, c.delay, c.done
-- An agent's day: 60 % ticket reads, 20 % lists and searches, 15 % comments, 5 % new tickets.
local lists = {
  "/api/v1/tickets?status=new,open&sort=-updated_at&limit=25",
  "/api/v1/tickets?assignee_id=none&status=new,open&sort=-created_at&limit=25",
  "/api/v1/tickets?limit=25&q=refund%20order", "/api/v1/tickets?limit=25&q=printer%20status%3Aopen",
}
local n = 0
request = function()
  local r = math.random(100)
  local json = c.headers({ ["Content-Type"] = "application/json" })
  if r <= 60 then
    return wrk.format("GET", "/api/v1/tickets/" .. c.random_ticket(), c.headers())
  elseif r <= 80 then
    return wrk.format("GET", lists[math.random(#lists)], c.headers())
  elseif r <= 95 then
    return wrk.format("POST", "/api/v1/tickets/" .. c.random_open_ticket() .. "/comments", json,
      '{"body":"Following up on this request.","public":true}')
  else
    n = n + 1
    return wrk.format("POST", "/api/v1/tickets", json,
      string.format('{"subject":"Mix ticket %d-%d","description":"From the mix scenario."}', thread_id or 0, n))
  end
end
