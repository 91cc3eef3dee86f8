-- POST /identities with a unique address per request (no password: argon2 is measured
-- separately by set_password.lua). RG_RUN makes addresses unique across rounds and runs.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local run = os.getenv("RG_RUN")
local n = 0
function init(args)
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  n = n + 1
  local body = string.format('{"email":"%s-%d-%d@bench.test","language":"en"}', run, tid or 1, n)
  return wrk.format("POST", prefix .. "/identities", nil, body)
end
