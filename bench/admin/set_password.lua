-- PUT /identities/{id}/credentials with the identity's own address and a new password:
-- one argon2id hash (m=19 MiB, t=2) per request, on the server's blocking pool.
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local ids, emails, i
function init(args)
  ids, emails = load_pairs(os.getenv("RG_SEEDED"))
  i = ((tid or 1) * 7919) % #ids
  wrk.headers["Content-Type"] = "application/json"
end
function request()
  i = i % #ids + 1
  local body = string.format('{"email":"%s","password":"bench-password-%d"}', emails[i], i)
  return wrk.format("PUT", prefix .. "/identities/" .. ids[i] .. "/credentials", nil, body)
end
