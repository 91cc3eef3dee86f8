-- Shared by the admin API wrk scripts (bench/admin.sh). Each wrk thread runs its own Lua
-- state; `setup` (main state) numbers the threads so each can build distinct values.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

-- Lines of a file written by bench/admin.sh (`id<TAB>email` per seeded identity).
function load_pairs(path)
  local ids, emails = {}, {}
  for line in io.lines(path) do
    local id, email = line:match("^([^\t]+)\t([^\t]+)$")
    if id then
      ids[#ids + 1] = id
      emails[#emails + 1] = email
    end
  end
  assert(#ids > 0, "no seeded identities in " .. path)
  return ids, emails
end

-- The realm's path prefix and the seeded pairs, from the environment bench/admin.sh sets.
prefix = "/admin/v1/realms/" .. os.getenv("RG_REALM")
