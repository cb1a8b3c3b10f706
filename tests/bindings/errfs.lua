-- errfs: a Flu filesystem whose methods fail on purpose, for
-- test-bindings.sh: each file's read ends one way, and the filesystem must
-- keep serving after every one of them.
--   /ok       reads "fine"
--   /boom     a Lua bug (indexing nil): EIO and a log line
--   /denied   error("EACCES"): an errno name, position prefix and all
--   /full     error(flu.errno.ENOSPC)
--   /number   error(28): an errno number (ENOSPC)
--   /other    error("no such errno"): EIO and a log line
--   /table    error({}): EIO and a log line
local flu = require 'flu'

local files = { ok = true, boom = true, denied = true, full = true, number = true,
                other = true, table = true }
local fs = {}

function fs.getattr(path)
	if path == "/" then return { mode = "directory" } end
	if files[path:sub(2)] then return { mode = "file", size = 4 } end
	error(flu.errno.ENOENT)
end

function fs.readdir(path, filler)
	filler(".")
	filler("..")
	for name in pairs(files) do filler(name) end
end

function fs.read(path, size, offset)
	local name = path:sub(2)
	if name == "ok" then return ("fine"):sub(offset + 1, offset + size) end
	if name == "boom" then
		local missing
		return missing.field
	end
	if name == "denied" then error("EACCES") end
	if name == "full" then error(flu.errno.ENOSPC) end
	if name == "number" then error(28) end
	if name == "other" then error("no such errno") end
	error({})
end

flu.main(arg[1], fs, { name = "errfs", table.unpack(arg, 2) })
