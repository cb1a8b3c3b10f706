/*
 * Flu's plain Lua values and the C structs they stand for: modes as sets
 * ({dir = true, rusr = true, ...}) or Flu's predefined names, stat and
 * statfs tables, fuse_file_info as a table, open flags as a set, errors
 * as errno names.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "flu-i.h"

static const struct {
	const char *name;
	mode_t bits;
	mode_t mask;          /* bits the flag is compared under */
} mode_flags[] = {
	{ "blk", S_IFBLK, S_IFMT }, { "chr", S_IFCHR, S_IFMT }, { "fifo", S_IFIFO, S_IFMT },
	{ "reg", S_IFREG, S_IFMT }, { "dir", S_IFDIR, S_IFMT }, { "lnk", S_IFLNK, S_IFMT },
	{ "sock", S_IFSOCK, S_IFMT },
	{ "rusr", S_IRUSR, S_IRUSR }, { "wusr", S_IWUSR, S_IWUSR }, { "xusr", S_IXUSR, S_IXUSR },
	{ "rgrp", S_IRGRP, S_IRGRP }, { "wgrp", S_IWGRP, S_IWGRP }, { "xgrp", S_IXGRP, S_IXGRP },
	{ "roth", S_IROTH, S_IROTH }, { "woth", S_IWOTH, S_IWOTH }, { "xoth", S_IXOTH, S_IXOTH },
	{ "suid", S_ISUID, S_ISUID }, { "sgid", S_ISGID, S_ISGID }, { "svtx", S_ISVTX, S_ISVTX },
};

/* Flu's predefined modes: a type, read and write for owner and group. */
static const struct {
	const char *name;
	mode_t mode;
} mode_names[] = {
	{ "file", S_IFREG | 0660 }, { "directory", S_IFDIR | 0770 }, { "link", S_IFLNK | 0660 },
	{ "socket", S_IFSOCK | 0660 }, { "named pipe", S_IFIFO | 0660 },
	{ "char device", S_IFCHR | 0660 }, { "block device", S_IFBLK | 0660 }, { "other", 0 },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

mode_t flu_to_mode(lua_State *L, int idx)
{
	mode_t mode = 0;

	idx = lua_absindex(L, idx);
	switch (lua_type(L, idx)) {
	case LUA_TNUMBER:
		return (mode_t)luaL_checkinteger(L, idx);
	case LUA_TSTRING:
		for (size_t i = 0; i < N(mode_names); i++)
			if (strcmp(lua_tostring(L, idx), mode_names[i].name) == 0)
				return mode_names[i].mode;
		return luaL_error(L, "unknown mode '%s'", lua_tostring(L, idx));
	case LUA_TTABLE:
		for (size_t i = 0; i < N(mode_flags); i++) {
			lua_getfield(L, idx, mode_flags[i].name);
			if (lua_toboolean(L, -1))
				mode |= mode_flags[i].bits;
			lua_pop(L, 1);
		}
		return mode;
	case LUA_TNIL:
	case LUA_TNONE:
		return 0;
	default:
		return luaL_error(L, "a mode is a set, a name or a number, not a %s",
				  luaL_typename(L, idx));
	}
}

void flu_push_mode(lua_State *L, mode_t mode)
{
	lua_createtable(L, 0, 8);
	for (size_t i = 0; i < N(mode_flags); i++) {
		if ((mode & mode_flags[i].mask) == mode_flags[i].bits) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, mode_flags[i].name);
		}
	}
}

static lua_Integer int_field(lua_State *L, int idx, const char *name, lua_Integer def)
{
	lua_Integer v = def;

	lua_getfield(L, idx, name);
	if (!lua_isnil(L, -1)) {
		int ok;

		v = lua_tointegerx(L, -1, &ok);
		if (!ok) {
			lua_Number d = lua_tonumberx(L, -1, &ok);

			if (!ok)
				luaL_error(L, "field '%s' is not a number", name);
			v = (lua_Integer)d;
		}
	}
	lua_pop(L, 1);
	return v;
}

/* A time field: seconds, fractions allowed, or a {sec, nsec} table. */
static struct timespec time_field(lua_State *L, int idx, const char *name)
{
	struct timespec ts = { 0 };

	lua_getfield(L, idx, name);
	if (lua_istable(L, -1)) {
		ts.tv_sec = int_field(L, lua_gettop(L), "sec", 0);
		ts.tv_nsec = int_field(L, lua_gettop(L), "nsec", 0);
	} else if (lua_isnumber(L, -1)) {
		lua_Number t = lua_tonumber(L, -1), s = floor(t);

		ts.tv_sec = (time_t)s;
		ts.tv_nsec = (long)((t - s) * 1e9);
	} else if (!lua_isnil(L, -1)) {
		luaL_error(L, "field '%s' is not a time", name);
	}
	lua_pop(L, 1);
	return ts;
}

void flu_to_stat(lua_State *L, int idx, struct stat *st)
{
	idx = lua_absindex(L, idx);
	memset(st, 0, sizeof(*st));
	luaL_checktype(L, idx, LUA_TTABLE);
	lua_getfield(L, idx, "mode");
	st->st_mode = flu_to_mode(L, -1);
	lua_pop(L, 1);
	st->st_ino = int_field(L, idx, "ino", 0);
	st->st_nlink = int_field(L, idx, "nlink", S_ISDIR(st->st_mode) ? 2 : 1);
	/* Unsaid, a file is the user's who runs the filesystem, not root's. */
	st->st_uid = int_field(L, idx, "uid", getuid());
	st->st_gid = int_field(L, idx, "gid", getgid());
	st->st_rdev = int_field(L, idx, "rdev", 0);
	st->st_size = int_field(L, idx, "size", 0);
	st->st_blksize = int_field(L, idx, "blksize", 4096);
	st->st_blocks = int_field(L, idx, "blocks", (st->st_size + 511) / 512);
	st->st_atim = time_field(L, idx, "access");
	st->st_mtim = time_field(L, idx, "modification");
	st->st_ctim = time_field(L, idx, "change");
}

void flu_to_statvfs(lua_State *L, int idx, struct statvfs *st)
{
	idx = lua_absindex(L, idx);
	memset(st, 0, sizeof(*st));
	luaL_checktype(L, idx, LUA_TTABLE);
	st->f_bsize = int_field(L, idx, "bsize", 4096);
	st->f_frsize = int_field(L, idx, "frsize", st->f_bsize);
	st->f_blocks = int_field(L, idx, "blocks", 0);
	st->f_bfree = int_field(L, idx, "bfree", 0);
	st->f_bavail = int_field(L, idx, "bavail", st->f_bfree);
	st->f_files = int_field(L, idx, "files", 0);
	st->f_ffree = int_field(L, idx, "ffree", 0);
	st->f_favail = int_field(L, idx, "favail", st->f_ffree);
	st->f_namemax = int_field(L, idx, "namemax", 255);
}

static const struct {
	const char *name;
	int bits;
} open_flags[] = {
	{ "append", O_APPEND }, { "async", O_ASYNC }, { "creat", O_CREAT },
	{ "direct", O_DIRECT }, { "directory", O_DIRECTORY }, { "excl", O_EXCL },
	{ "largefile", O_LARGEFILE }, { "noatime", O_NOATIME }, { "noctty", O_NOCTTY },
	{ "nofollow", O_NOFOLLOW }, { "nonblock", O_NONBLOCK }, { "ndelay", O_NDELAY },
	{ "sync", O_SYNC }, { "trunc", O_TRUNC },
};

void flu_push_open_flags(lua_State *L, int flags)
{
	static const char *const acc[] = { "rdonly", "wronly", "rdwr" };

	lua_newtable(L);
	if ((flags & O_ACCMODE) < 3) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, acc[flags & O_ACCMODE]);
	}
	for (size_t i = 0; i < N(open_flags); i++) {
		if ((flags & open_flags[i].bits) == open_flags[i].bits) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, open_flags[i].name);
		}
	}
}

void flu_push_fi(lua_State *L, struct flu *f, const struct fuse_file_info *fi)
{
	lua_createtable(L, 0, 8);
	flu_push_open_flags(L, fi->flags);
	lua_setfield(L, -2, "flags");
	lua_pushinteger(L, fi->writepage);
	lua_setfield(L, -2, "writepage");
	lua_pushboolean(L, fi->direct_io);
	lua_setfield(L, -2, "direct_io");
	lua_pushboolean(L, fi->keep_cache);
	lua_setfield(L, -2, "keep_cache");
	lua_pushboolean(L, fi->flush);
	lua_setfield(L, -2, "flush");
	lua_pushboolean(L, fi->nonseekable);
	lua_setfield(L, -2, "nonseekable");
	lua_pushinteger(L, (lua_Integer)fi->lock_owner);
	lua_setfield(L, -2, "lock_owner");
	flu_push_handle(L, f, fi->fh);
	lua_setfield(L, -2, "fh");
}

void flu_fi_back(lua_State *L, struct flu *f, int idx, struct fuse_file_info *fi)
{
	idx = lua_absindex(L, idx);
	lua_getfield(L, idx, "direct_io");
	fi->direct_io = lua_toboolean(L, -1);
	lua_getfield(L, idx, "keep_cache");
	fi->keep_cache = lua_toboolean(L, -1);
	lua_getfield(L, idx, "nonseekable");
	fi->nonseekable = lua_toboolean(L, -1);
	lua_pop(L, 3);
	lua_getfield(L, idx, "fh");
	fi->fh = flu_handle_new(L, f);
}

#define E(name) { #name, name }
const struct flu_errno_name flu_errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG), E(ENOEXEC),
	E(EBADF), E(ECHILD), E(EAGAIN), E(EWOULDBLOCK), E(ENOMEM), E(EACCES), E(EFAULT),
	E(ENOTBLK), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR), E(EISDIR),
	E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ENOSPC),
	E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM), E(ERANGE), E(EDEADLK),
	E(EDEADLOCK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),
	E(ENOMSG), E(EIDRM), E(ENOSTR), E(ENODATA), { "ENOATTR", ENODATA }, E(ETIME),
	E(ENOSR), E(ENOLINK), E(EPROTO), E(EBADMSG), E(EOVERFLOW), E(EILSEQ), E(EUSERS),
	E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
	E(EPROTONOSUPPORT), E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(ENOTSUP), E(EPFNOSUPPORT),
	E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN),
	E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTDOWN),
	E(EHOSTUNREACH), E(EALREADY), E(EINPROGRESS), E(ESTALE), E(EDQUOT), E(ECANCELED),
	E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ENOMEDIUM), E(EMEDIUMTYPE), E(EREMOTEIO),
	E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED), E(ERFKILL), E(EHWPOISON),
	{ NULL, 0 },
};

static int errno_by_name(const char *s, size_t len)
{
	for (const struct flu_errno_name *e = flu_errno_names; e->name; e++)
		if (strlen(e->name) == len && memcmp(e->name, s, len) == 0)
			return e->value;
	return 0;
}

int flu_errno_of(lua_State *L, int idx)
{
	int err = flu_errno_value(L, idx);
	const char *s, *colon;
	size_t len;

	if (err)
		return err;
	if (lua_type(L, idx) == LUA_TNUMBER) {
		lua_Integer n = lua_tointeger(L, idx);

		n = n < 0 ? -n : n;
		return n > 0 && n < 4096 ? (int)n : 0;
	}
	if (lua_type(L, idx) != LUA_TSTRING)
		return 0;
	s = lua_tolstring(L, idx, &len);
	err = errno_by_name(s, len);
	if (err)
		return err;
	/* error("ENOENT") at level 1 prefixes "chunk:line: ". */
	colon = strrchr(s, ':');
	if (colon && colon > s && colon[1] == ' ' && colon[-1] >= '0' && colon[-1] <= '9')
		return errno_by_name(colon + 2, len - (colon + 2 - s));
	return 0;
}
