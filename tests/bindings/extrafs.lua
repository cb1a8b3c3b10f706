-- extrafs: what flu adds to Flu's API, for test-bindings.sh.  Files /a and
-- /b (100 bytes each); every fuse3-only method records how it was called
-- in the xattr "user.last" of the root, so the test sees that its call
-- came through, with which arguments:
--   init        records conn.proto_major (as user.init) and turns
--               config.attr_timeout to 0
--   fallocate   "fallocate PATH MODE OFFSET LENGTH"
--   copy_file_range  "copy PATH_IN OFF_IN PATH_OUT OFF_OUT LENGTH"; returns LENGTH
--   lseek       "lseek PATH OFFSET WHENCE"; returns 42
--   rename      Flu's two parameters: a call with flags must not arrive
--   destroy     writes "extrafs: destroyed" on stderr
local flu = require 'flu'

local last, init = "", ""
local fs = {}

function fs.init(conn, config)
	init = tostring(conn.proto_major)
	config.attr_timeout = 0
end

function fs.destroy()
	io.stderr:write("extrafs: destroyed\n")
end

function fs.getattr(path)
	if path == "/" then return { mode = "directory" } end
	if path == "/a" or path == "/b" then return { mode = "file", size = 100 } end
	error(flu.errno.ENOENT)
end

function fs.open(path, fi) fi.fh = { opened = path } end

function fs.read(path, size, offset, fi)
	assert(fi.fh.opened == path)
	return ("x"):rep(100):sub(offset + 1, offset + size)
end

function fs.write(path, data) return #data end

function fs.getxattr(path, name)
	if name == "user.last" then return last end
	if name == "user.init" then return init end
	error("ENODATA")
end

function fs.fallocate(path, mode, offset, length, fi)
	last = ("fallocate %s %d %d %d"):format(path, mode, offset, length)
end

function fs.copy_file_range(path_in, fi_in, off_in, path_out, fi_out, off_out, length, flags)
	assert(fi_in.fh.opened == path_in and fi_out.fh.opened == path_out)
	last = ("copy %s %d %s %d %d"):format(path_in, off_in, path_out, off_out, length)
	return length
end

function fs.lseek(path, offset, whence, fi)
	last = ("lseek %s %d %s"):format(path, offset, whence)
	return 42
end

function fs.rename(from, to)
	last = "rename " .. from .. " " .. to
end

flu.main(arg[1], fs, { name = "extrafs", table.unpack(arg, 2) })
