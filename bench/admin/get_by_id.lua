-- GET /identities/{id}, rotating over the seeded ids (each thread from its own offset).
dofile(os.getenv("RG_LUA_DIR") .. "/common.lua")
local ids, i
function init(args)
  ids = load_pairs(os.getenv("RG_SEEDED"))
  i = ((tid or 1) * 7919) % #ids
end
function request()
  i = i % #ids + 1
  return wrk.format("GET", prefix .. "/identities/" .. ids[i])
end
