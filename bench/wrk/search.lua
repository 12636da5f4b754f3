package.path = package.path .. ";" .. (os.getenv("BENCH_LUA_DIR") or ".") .. "/?.lua"
local c = require("common")
setup, init, delay, done = c.setup, c.init, c.delay, c.done
-- Words and fields together, as agents type them.
local queries = {
  "printer%20status%3Aopen", "refund%20order", "invoice%20tag%3Abilling", "login%20error%20priority%3Ahigh",
  "livraison", "webhook%20failing", "password%20reset%20status%3Asolved", "vpn", "export%20csv", "duplicate%20charge",
}
request = function()
  return wrk.format("GET", "/api/v1/tickets?limit=25&q=" .. queries[math.random(#queries)], c.headers())
end
