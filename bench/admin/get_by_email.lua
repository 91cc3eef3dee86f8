-- GET /identities/by-email?email=…, rotating over the seeded addresses (URL-safe by
-- construction: seed-<thread>-<n>@bench.test, with '@' percent-encoded).
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local emails, i
function init(args)
  local _
  _, emails = load_pairs(os.getenv("RG_SEEDED"))
  i = ((tid or 1) * 7919) % #emails
end
function request()
  i = i % #emails + 1
  return wrk.format("GET", prefix .. "/identities/by-email?email=" .. emails[i]:gsub("@", "%%40"))
end
