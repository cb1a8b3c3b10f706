#!/usr/bin/env lua5.4
-- memfs: a writable filesystem kept in Lua tables.  Directories hold
-- names, files a string, symlinks their target; every node has a mode
-- (a Flu mode set), times and extended attributes.  Shows most of Flu's
-- methods and its conventions: stat tables, mode sets, errno names.
--   lua5.4 memfs.lua MOUNTPOINT [fuse arguments, e.g. -f]
local flu = require 'flu'

local function now() return os.time() end

local function node(mode)
	local t = now()
	return { mode = mode, xattrs = {}, access = t, modification = t, change = t }
end

local root = node({ dir = true, rusr = true, wusr = true, xusr = true,
                   rgrp = true, xgrp = true, roth = true, xoth = true })
root.entries = {}

-- The node at PATH, and its parent and last name.
local function lookup(path)
	local parent, name, n = nil, nil, root
	for part in path:gmatch("[^/]+") do
		if not n.entries then error(flu.errno.ENOTDIR) end
		parent, name, n = n, part, n.entries[part]
		if not n then return nil, parent, name end
	end
	return n, parent, name
end

local function must(path)
	local n = lookup(path)
	if not n then error(flu.errno.ENOENT) end
	return n
end

-- A new node NEW at PATH, whose parent must exist and not hold the name.
local function add(path, new)
	local n, parent, name = lookup(path)
	if n then error(flu.errno.EEXIST) end
	if not parent or not parent.entries then error(flu.errno.ENOENT) end
	parent.entries[name] = new
	parent.modification, parent.change = now(), now()
	return new
end

local fs = {}

function fs.getattr(path)
	local n = must(path)
	local nlink = 1
	if n.entries then
		nlink = 2
		for _, child in pairs(n.entries) do
			if child.entries then nlink = nlink + 1 end
		end
	end
	local size = n.data and #n.data or n.target and #n.target or 0
	return { mode = n.mode, nlink = nlink, size = size, access = n.access,
	         modification = n.modification, change = n.change }
end

function fs.readdir(path, filler, fi)
	local n = must(path)
	if not n.entries then error(flu.errno.ENOTDIR) end
	filler(".")
	filler("..")
	for name in pairs(n.entries) do
		if not filler(name) then break end
	end
end

function fs.mkdir(path, mode)
	local n = add(path, node(mode))
	n.entries = {}
end

function fs.create(path, mode, fi)
	local n = add(path, node(mode))
	n.data = ""
end

function fs.mknod(path, mode, rdev)
	if not mode.reg then error(flu.errno.EPERM) end
	add(path, node(mode)).data = ""
end

function fs.open(path, fi)
	local n = must(path)
	if n.entries then error(flu.errno.EISDIR) end
	if fi.flags.trunc and not fi.flags.rdonly then n.data = "" end
end

function fs.read(path, size, offset, fi)
	local n = must(path)
	return n.data:sub(offset + 1, offset + size)
end

function fs.write(path, buf, offset, fi)
	local n = must(path)
	local data = n.data
	if #data < offset then data = data .. string.rep("\0", offset - #data) end
	n.data = data:sub(1, offset) .. buf .. data:sub(offset + #buf + 1)
	n.modification, n.change = now(), now()
	return #buf
end

function fs.truncate(path, size)
	local n = must(path)
	if n.entries then error(flu.errno.EISDIR) end
	if size <= #n.data then
		n.data = n.data:sub(1, size)
	else
		n.data = n.data .. string.rep("\0", size - #n.data)
	end
	n.modification, n.change = now(), now()
end

function fs.unlink(path)
	local n, parent, name = lookup(path)
	if not n then error(flu.errno.ENOENT) end
	if n.entries then error(flu.errno.EISDIR) end
	parent.entries[name] = nil
end

function fs.rmdir(path)
	local n, parent, name = lookup(path)
	if not n then error(flu.errno.ENOENT) end
	if not n.entries then error(flu.errno.ENOTDIR) end
	if next(n.entries) then error(flu.errno.ENOTEMPTY) end
	parent.entries[name] = nil
end

-- Flu's rename(old, new); fuse3's flags come as a third argument.
function fs.rename(from, to, flags)
	local n, fparent, fname = lookup(from)
	if not n then error(flu.errno.ENOENT) end
	local target, tparent, tname = lookup(to)
	if not tparent or not tparent.entries then error(flu.errno.ENOENT) end
	flags = flags or {}
	if flags.noreplace and target then error(flu.errno.EEXIST) end
	if flags.exchange then
		if not target then error(flu.errno.ENOENT) end
		fparent.entries[fname], tparent.entries[tname] = target, n
		return
	end
	if target and target.entries and next(target.entries) then error(flu.errno.ENOTEMPTY) end
	fparent.entries[fname] = nil
	tparent.entries[tname] = n
end

function fs.symlink(target, path)
	local n = add(path, node({ lnk = true, rusr = true, wusr = true, xusr = true,
	                           rgrp = true, wgrp = true, xgrp = true,
	                           roth = true, woth = true, xoth = true }))
	n.target = target
end

function fs.readlink(path, size)
	local n = must(path)
	if not n.target then error(flu.errno.EINVAL) end
	return n.target
end

function fs.chmod(path, mode)
	local n = must(path)
	for _, kind in ipairs { "reg", "dir", "lnk", "fifo", "sock", "chr", "blk" } do
		mode[kind] = n.mode[kind]
	end
	n.mode, n.change = mode, now()
end

function fs.utimens(path, access, modification)
	local n = must(path)
	if access then n.access = access.sec + access.nsec / 1e9 end
	if modification then n.modification = modification.sec + modification.nsec / 1e9 end
	n.change = now()
end

function fs.setxattr(path, name, value, flags)
	local n = must(path)
	if flags.create and n.xattrs[name] then error(flu.errno.EEXIST) end
	if flags.replace and not n.xattrs[name] then error(flu.errno.ENODATA) end
	n.xattrs[name] = value
end

function fs.getxattr(path, name)
	local value = must(path).xattrs[name]
	if not value then error(flu.errno.ENODATA) end
	return value
end

function fs.listxattr(path)
	local names = {}
	for name in pairs(must(path).xattrs) do names[#names + 1] = name end
	return names
end

function fs.removexattr(path, name)
	local n = must(path)
	if not n.xattrs[name] then error(flu.errno.ENODATA) end
	n.xattrs[name] = nil
end

function fs.statfs(path)
	return { bsize = 4096, blocks = 1024, bfree = 1024, files = 1024, ffree = 1024,
	         namemax = 255 }
end

flu.main(arg[1] or error("usage: memfs.lua MOUNTPOINT [fuse arguments]"), fs,
         { name = "memfs.lua", table.unpack(arg, 2) })
