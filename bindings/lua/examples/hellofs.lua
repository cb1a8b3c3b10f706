#!/usr/bin/env lua5.4
-- hellofs: the smallest Flu filesystem.  The root holds one read-only
-- file, "hello".  Written to Flu's documented API only: run as
--   lua5.4 hellofs.lua MOUNTPOINT [-f] [-o options]
-- as root, or as any user (the library then mounts through fused).
local flu = require 'flu'

local text = "Hello World!\n"

local fs = {}

function fs.getattr(path)
	if path == "/" then
		return {
			mode = { dir = true, rusr = true, wusr = true, xusr = true,
			         rgrp = true, xgrp = true, roth = true, xoth = true },
			nlink = 2,
		}
	elseif path == "/hello" then
		return {
			mode = { reg = true, rusr = true, rgrp = true, roth = true },
			nlink = 1,
			size = #text,
		}
	end
	error(flu.errno.ENOENT)
end

function fs.readdir(path, filler, fi)
	if path ~= "/" then error(flu.errno.ENOENT) end
	filler(".")
	filler("..")
	filler("hello")
end

function fs.open(path, fi)
	if path ~= "/hello" then error(flu.errno.ENOENT) end
	if not fi.flags.rdonly then error(flu.errno.EACCES) end
end

function fs.read(path, size, offset, fi)
	return text:sub(offset + 1, offset + size)
end

flu.main({ "hellofs", ... }, fs)
