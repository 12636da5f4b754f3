package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
setup, init, delay, done = c.setup, c.init, c.delay, c.done
-- Views an agent keeps open: filters and a sort, 25 rows.
local lists = {
  "/api/v1/tickets?status=new,open&sort=-updated_at&limit=25",
  "/api/v1/tickets?assignee_id=none&status=new,open&sort=-created_at&limit=25",
  "/api/v1/tickets?status=pending,on_hold&priority=high,urgent&sort=-updated_at&limit=25",
  "/api/v1/tickets?tag=billing&sort=-updated_at&limit=25",
}
request = function()
  return wrk.format("GET", lists[math.random(#lists)], c.headers())
end
