#!/usr/bin/env lua5.4
-- numbered: numbered items on the route layer (flu.routes), the Lua twin
-- of bindings/routes/numbered.c, serving data made up here:
--   /                    items 1..N, the users, "latest"
--   /latest              the newest item
--   /lines               10000 numbered lines, made up as they are read
--   /:number             an item (its stat handler declines non-items)
--   /:user/notes/:name   a user's notes: read, write, create, unlink
--   /about/*what         what a path would be (a catch-all)
--   lua5.4 numbered.lua MOUNTPOINT [fuse arguments]
local flu = require 'flu'

local items = 12
local users = { alice = {}, bob = {} }    -- user -> name -> text

local adjectives = { "quiet", "red", "late", "odd", "tall" }
local things = { "lighthouse", "teapot", "comet", "bridge" }

local function item(n)
	return ("item %d: the %s %s\npanels: %d\n"):format(n, adjectives[n % 5 + 1],
		things[n % 4 + 1], 1 + n % 6)
end

local function number(s)
	local n = tonumber(s:match("^[1-9]%d*$"))
	if not n or n > items then error("ENOENT") end
	return n
end

local function notes_of(req)
	return users[req.params.user] or error("ENOENT")
end

local r = flu.routes()

r:add("/", { list = function(req)
	local names = {}
	for i = 1, items do names[#names + 1] = tostring(i) end
	for user in pairs(users) do names[#names + 1] = user end
	return names
end })

r:add("/latest", { content = function(req) return item(items) end })

local line_len, n_lines = 11, 10000            -- "line 01234\n"
r:add("/lines", {
	stat = function(req) return { size = line_len * n_lines } end,
	read = function(req, size, offset)
		local first = offset // line_len
		local last = math.min((offset + size - 1) // line_len, n_lines - 1)
		local parts = {}
		for i = first, last do parts[#parts + 1] = ("line %05d\n"):format(i) end
		local text = table.concat(parts)
		local at = offset - first * line_len
		return text:sub(at + 1, at + size)
	end,
})

r:add("/:number", {
	stat = function(req) number(req.params.number) end,
	content = function(req) return item(number(req.params.number)) end,
})

r:add("/:user/notes", { list = function(req)
	local names = {}
	for name in pairs(notes_of(req)) do names[#names + 1] = name end
	return names
end })

r:add("/:user/notes/:name", {
	content = function(req)
		return notes_of(req)[req.params.name] or error("ENOENT")
	end,
	write = function(req, data, offset)
		local notes = notes_of(req)
		local old = notes[req.params.name] or error("ENOENT")
		if #old < offset then old = old .. ("\0"):rep(offset - #old) end
		notes[req.params.name] = old:sub(1, offset) .. data .. old:sub(offset + #data + 1)
		return #data
	end,
	truncate = function(req, size)
		local notes = notes_of(req)
		notes[req.params.name] = (notes[req.params.name] or error("ENOENT")):sub(1, size)
	end,
	create = function(req, mode)
		local notes = notes_of(req)
		if notes[req.params.name] then error("EEXIST") end
		notes[req.params.name] = ""
	end,
	unlink = function(req)
		local notes = notes_of(req)
		if not notes[req.params.name] then error("ENOENT") end
		notes[req.params.name] = nil
	end,
})

r:add("/about/*what", { content = function(req)
	local what = req.params.what
	if what:match("^[1-9]%d*$") and tonumber(what) <= items then
		return what .. " is item " .. what .. "\n"
	elseif users[what] then
		return what .. " is a user with notes\n"
	end
	return what .. " is nothing here\n"
end })

flu.main(arg[1] or error("usage: numbered.lua MOUNTPOINT [fuse arguments]"), r,
         { name = "numbered.lua", table.unpack(arg, 2) })
