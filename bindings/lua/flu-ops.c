/*
 * The fuse operations of a Flu filesystem: each decodes its arguments
 * into Flu's Lua values, calls the fs table's method of the same name
 * through flu_run() (locked, protected) and turns the results back.
 *
 * Each operation is two functions: op_NAME, the FUSE callback, fills a
 * struct args and calls flu_run(); l_NAME runs inside the protected call,
 * where a Lua error (any allocation, any conversion) is caught.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>

#include "flu-i.h"

struct args {
	struct flu *f;
	const char *path, *path2;
	const char *name;
	const char *cbuf;
	char *buf;
	size_t size;
	off_t off, off2;
	mode_t mode;
	dev_t rdev;
	uid_t uid;
	gid_t gid;
	int flags, mask;
	unsigned int rflags;
	struct stat *st;
	struct statvfs *stv;
	struct fuse_file_info *fi, *fi2;
	const struct timespec *tv;
	void *dirbuf;
	fuse_fill_dir_t filler;
	struct fuse_conn_info *conn;
	struct fuse_config *cfg;
	ssize_t ret;            /* a count or offset, for those that return one */
};

static struct args *args_of(lua_State *L)
{
	return lua_touserdata(L, 1);
}

/* Push fs[NAME] or answer ENOSYS: its method is gone since flu.main. */
static void method(lua_State *L, struct args *a, const char *name)
{
	if (!flu_method(L, a->f, name))
		luaL_error(L, "%s", "ENOSYS");
}

#define RUN(name, a) flu_run((a)->f, #name, (a)->path, l_##name, (a))

/* Operations whose method takes (path) and returns nothing. */
#define PATH_ONLY(name)                                                    \
	static int l_##name(lua_State *L)                                  \
	{                                                                  \
		struct args *a = args_of(L);                               \
		method(L, a, #name);                                       \
		lua_pushstring(L, a->path);                                \
		lua_call(L, 1, 0);                                         \
		return 0;                                                  \
	}                                                                  \
	static int op_##name(const char *path)                            \
	{                                                                  \
		struct args a = { .f = flu_here(), .path = path };        \
		return RUN(name, &a);                                      \
	}

PATH_ONLY(unlink)
PATH_ONLY(rmdir)

static int l_getattr(lua_State *L)
{
	struct args *a = args_of(L);

	if (a->fi && flu_method(L, a->f, "fgetattr")) {
		/* Flu's (path, st, fi): fill st, or return a table. */
		lua_pushstring(L, a->path);
		lua_newtable(L);
		lua_pushvalue(L, -1);
		lua_insert(L, -4);
		flu_push_fi(L, a->f, a->fi);
		lua_call(L, 3, 1);
		if (!lua_istable(L, -1))
			lua_pop(L, 1);
	} else {
		method(L, a, "getattr");
		lua_pushstring(L, a->path);
		lua_call(L, 1, 1);
		if (lua_isnil(L, -1))
			return luaL_error(L, "%s", "ENOENT");
	}
	flu_to_stat(L, -1, a->st);
	return 0;
}

static int op_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .st = st, .fi = fi };

	return RUN(getattr, &a);
}

static int l_readlink(lua_State *L)
{
	struct args *a = args_of(L);
	const char *target;
	size_t len;

	method(L, a, "readlink");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->size);
	lua_call(L, 2, 1);
	target = luaL_checklstring(L, -1, &len);
	if (len >= a->size)
		len = a->size - 1;
	memcpy(a->buf, target, len);
	a->buf[len] = '\0';
	return 0;
}

static int op_readlink(const char *path, char *buf, size_t size)
{
	struct args a = { .f = flu_here(), .path = path, .buf = buf, .size = size };

	return size ? RUN(readlink, &a) : -EINVAL;
}

static int l_mknod(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "mknod");
	lua_pushstring(L, a->path);
	flu_push_mode(L, a->mode);
	lua_pushinteger(L, a->rdev);
	lua_call(L, 3, 0);
	return 0;
}

static int op_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct args a = { .f = flu_here(), .path = path, .mode = mode, .rdev = rdev };

	return RUN(mknod, &a);
}

static int l_mkdir(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "mkdir");
	lua_pushstring(L, a->path);
	flu_push_mode(L, a->mode);
	lua_call(L, 2, 0);
	return 0;
}

static int op_mkdir(const char *path, mode_t mode)
{
	/* With its type, so the set can go into a stat table as it is. */
	struct args a = { .f = flu_here(), .path = path, .mode = mode | S_IFDIR };

	return RUN(mkdir, &a);
}

/* (path, path2): symlink(target, linkpath) and link(old, new). */
#define TWO_PATHS(name)                                                    \
	static int l_##name(lua_State *L)                                  \
	{                                                                  \
		struct args *a = args_of(L);                               \
		method(L, a, #name);                                       \
		lua_pushstring(L, a->path);                                \
		lua_pushstring(L, a->path2);                               \
		lua_call(L, 2, 0);                                         \
		return 0;                                                  \
	}                                                                  \
	static int op_##name(const char *from, const char *to)            \
	{                                                                  \
		struct args a = { .f = flu_here(), .path = from, .path2 = to }; \
		return RUN(name, &a);                                      \
	}

TWO_PATHS(symlink)
TWO_PATHS(link)

static int l_rename(lua_State *L)
{
	struct args *a = args_of(L);
	lua_Debug ar;

	method(L, a, "rename");
	if (a->rflags) {
		/* Flu's rename(old, new) knows no flags: it must not ignore them. */
		lua_pushvalue(L, -1);
		lua_getinfo(L, ">u", &ar);
		if (ar.nparams < 3 && !ar.isvararg)
			return luaL_error(L, "%s", "EINVAL");
	}
	lua_pushstring(L, a->path);
	lua_pushstring(L, a->path2);
	if (a->rflags) {
		lua_newtable(L);
		if (a->rflags & RENAME_NOREPLACE) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, "noreplace");
		}
		if (a->rflags & RENAME_EXCHANGE) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, "exchange");
		}
		if (a->rflags & RENAME_WHITEOUT) {
			lua_pushboolean(L, 1);
			lua_setfield(L, -2, "whiteout");
		}
	} else {
		lua_pushnil(L);
	}
	lua_call(L, 3, 0);
	return 0;
}

static int op_rename(const char *from, const char *to, unsigned int flags)
{
	struct args a = { .f = flu_here(), .path = from, .path2 = to, .rflags = flags };

	return RUN(rename, &a);
}

/* The file info as a third argument, or nothing: Flu's methods take none. */
static int push_fi_opt(lua_State *L, struct args *a, const struct fuse_file_info *fi)
{
	if (!fi)
		return 0;
	flu_push_fi(L, a->f, fi);
	return 1;
}

static int l_chmod(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "chmod");
	lua_pushstring(L, a->path);
	flu_push_mode(L, a->mode);
	lua_call(L, 2 + push_fi_opt(L, a, a->fi), 0);
	return 0;
}

static int op_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .mode = mode, .fi = fi };

	return RUN(chmod, &a);
}

static int l_chown(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "chown");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->uid == (uid_t)-1 ? -1 : (lua_Integer)a->uid);
	lua_pushinteger(L, a->gid == (gid_t)-1 ? -1 : (lua_Integer)a->gid);
	lua_call(L, 3 + push_fi_opt(L, a, a->fi), 0);
	return 0;
}

static int op_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .uid = uid, .gid = gid, .fi = fi };

	return RUN(chown, &a);
}

static int l_truncate(lua_State *L)
{
	struct args *a = args_of(L);

	if (a->fi && flu_method(L, a->f, "ftruncate")) {
		lua_pushstring(L, a->path);
		lua_pushinteger(L, a->off);
		flu_push_fi(L, a->f, a->fi);
		lua_call(L, 3, 0);
		return 0;
	}
	method(L, a, "truncate");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->off);
	lua_call(L, 2, 0);
	return 0;
}

static int op_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .off = size, .fi = fi };

	return RUN(truncate, &a);
}

/* open, opendir: (path, fi); fi's fh, direct_io, keep_cache come back. */
#define OPEN_LIKE(name)                                                    \
	static int l_##name(lua_State *L)                                  \
	{                                                                  \
		struct args *a = args_of(L);                               \
		method(L, a, #name);                                       \
		lua_pushstring(L, a->path);                                \
		flu_push_fi(L, a->f, a->fi);                               \
		lua_pushvalue(L, -1);                                      \
		lua_insert(L, -4);                                         \
		lua_call(L, 2, 0);                                         \
		flu_fi_back(L, a->f, -1, a->fi);                           \
		return 0;                                                  \
	}                                                                  \
	static int op_##name(const char *path, struct fuse_file_info *fi) \
	{                                                                  \
		struct args a = { .f = flu_here(), .path = path, .fi = fi }; \
		return RUN(name, &a);                                      \
	}

OPEN_LIKE(open)
OPEN_LIKE(opendir)

static int l_create(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "create");
	lua_pushstring(L, a->path);
	flu_push_mode(L, a->mode);
	flu_push_fi(L, a->f, a->fi);
	lua_pushvalue(L, -1);
	lua_insert(L, -5);
	lua_call(L, 3, 0);
	flu_fi_back(L, a->f, -1, a->fi);
	return 0;
}

static int op_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .mode = mode, .fi = fi };

	return RUN(create, &a);
}

static int l_read(lua_State *L)
{
	struct args *a = args_of(L);
	const char *data;
	size_t len = 0;

	method(L, a, "read");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->size);
	lua_pushinteger(L, a->off);
	flu_push_fi(L, a->f, a->fi);
	lua_call(L, 4, 1);
	data = lua_isnil(L, -1) ? "" : luaL_checklstring(L, -1, &len);
	if (len > a->size)
		len = a->size;
	memcpy(a->buf, data, len);
	a->ret = len;
	return 0;
}

static int op_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .buf = buf, .size = size,
			  .off = off, .fi = fi };
	int err = RUN(read, &a);

	return err < 0 ? err : (int)a.ret;
}

static int l_write(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "write");
	lua_pushstring(L, a->path);
	lua_pushlstring(L, a->cbuf, a->size);
	lua_pushinteger(L, a->off);
	flu_push_fi(L, a->f, a->fi);
	lua_call(L, 4, 1);
	a->ret = lua_isnil(L, -1) ? (lua_Integer)a->size : luaL_checkinteger(L, -1);
	if (a->ret < 0 || (size_t)a->ret > a->size)
		return luaL_error(L, "write returned %d of %d bytes", (int)a->ret, (int)a->size);
	return 0;
}

static int op_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .cbuf = buf, .size = size,
			  .off = off, .fi = fi };
	int err = RUN(write, &a);

	return err < 0 ? err : (int)a.ret;
}

static int l_statfs(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "statfs");
	lua_pushstring(L, a->path);
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_newtable(L);
	}
	flu_to_statvfs(L, -1, a->stv);
	return 0;
}

static int op_statfs(const char *path, struct statvfs *stv)
{
	struct args a = { .f = flu_here(), .path = path, .stv = stv };

	return RUN(statfs, &a);
}

/* (path, fi) and nothing back: flush. */
static int l_flush(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "flush");
	lua_pushstring(L, a->path);
	flu_push_fi(L, a->f, a->fi);
	lua_call(L, 2, 0);
	return 0;
}

static int op_flush(const char *path, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .fi = fi };

	return RUN(flush, &a);
}

/* release, releasedir: the method if any, then the handle goes. */
#define RELEASE_LIKE(name)                                                 \
	static int l_##name(lua_State *L)                                  \
	{                                                                  \
		struct args *a = args_of(L);                               \
		if (flu_method(L, a->f, #name)) {                          \
			lua_pushstring(L, a->path);                        \
			flu_push_fi(L, a->f, a->fi);                       \
			lua_call(L, 2, 0);                                 \
		}                                                          \
		return 0;                                                  \
	}                                                                  \
	static int l_##name##_drop(lua_State *L)                           \
	{                                                                  \
		struct args *a = args_of(L);                               \
		flu_handle_drop(L, a->f, a->fi->fh);                       \
		return 0;                                                  \
	}                                                                  \
	static int op_##name(const char *path, struct fuse_file_info *fi) \
	{                                                                  \
		struct args a = { .f = flu_here(), .path = path, .fi = fi }; \
		int err = RUN(name, &a);                                   \
		(void)flu_run(a.f, #name, path, l_##name##_drop, &a);      \
		return err;                                                \
	}

RELEASE_LIKE(release)
RELEASE_LIKE(releasedir)

#define SYNC_LIKE(name)                                                    \
	static int l_##name(lua_State *L)                                  \
	{                                                                  \
		struct args *a = args_of(L);                               \
		method(L, a, #name);                                       \
		lua_pushstring(L, a->path);                                \
		lua_pushboolean(L, a->flags);                              \
		flu_push_fi(L, a->f, a->fi);                               \
		lua_call(L, 3, 0);                                         \
		return 0;                                                  \
	}                                                                  \
	static int op_##name(const char *path, int datasync, struct fuse_file_info *fi) \
	{                                                                  \
		struct args a = { .f = flu_here(), .path = path, .flags = datasync, .fi = fi }; \
		return RUN(name, &a);                                      \
	}

SYNC_LIKE(fsync)
SYNC_LIKE(fsyncdir)

static int l_setxattr(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "setxattr");
	lua_pushstring(L, a->path);
	lua_pushstring(L, a->name);
	lua_pushlstring(L, a->cbuf, a->size);
	lua_newtable(L);
	if (a->flags & XATTR_CREATE) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "create");
	}
	if (a->flags & XATTR_REPLACE) {
		lua_pushboolean(L, 1);
		lua_setfield(L, -2, "replace");
	}
	lua_call(L, 4, 0);
	return 0;
}

static int op_setxattr(const char *path, const char *name, const char *value, size_t size,
		       int flags)
{
	struct args a = { .f = flu_here(), .path = path, .name = name, .cbuf = value,
			  .size = size, .flags = flags };

	return RUN(setxattr, &a);
}

/* Copy LEN bytes into a->buf as getxattr/listxattr answer: size 0 asks. */
static int xattr_answer(lua_State *L, struct args *a, const char *data, size_t len)
{
	if (a->size == 0) {
		a->ret = len;
		return 0;
	}
	if (len > a->size)
		return luaL_error(L, "%s", "ERANGE");
	memcpy(a->buf, data, len);
	a->ret = len;
	return 0;
}

static int l_getxattr(lua_State *L)
{
	struct args *a = args_of(L);
	const char *value;
	size_t len;

	method(L, a, "getxattr");
	lua_pushstring(L, a->path);
	lua_pushstring(L, a->name);
	lua_call(L, 2, 1);
	if (lua_isnil(L, -1))
		return luaL_error(L, "%s", "ENODATA");
	value = luaL_checklstring(L, -1, &len);
	return xattr_answer(L, a, value, len);
}

static int op_getxattr(const char *path, const char *name, char *value, size_t size)
{
	struct args a = { .f = flu_here(), .path = path, .name = name, .buf = value, .size = size };
	int err = RUN(getxattr, &a);

	return err < 0 ? err : (int)a.ret;
}

static int l_listxattr(lua_State *L)
{
	struct args *a = args_of(L);
	luaL_Buffer b;
	const char *list;
	size_t len;
	int t;

	method(L, a, "listxattr");
	lua_pushstring(L, a->path);
	lua_call(L, 1, 1);
	luaL_checktype(L, -1, LUA_TTABLE);
	t = lua_gettop(L);
	luaL_buffinit(L, &b);
	for (lua_Integer i = 1; lua_geti(L, t, i) != LUA_TNIL; i++) {
		if (lua_type(L, -1) != LUA_TSTRING)
			return luaL_error(L, "listxattr: entry %d is not a string", (int)i);
		luaL_addvalue(&b);
		luaL_addchar(&b, '\0');
	}
	lua_pop(L, 1);
	luaL_pushresult(&b);
	list = lua_tolstring(L, -1, &len);
	return xattr_answer(L, a, list, len);
}

static int op_listxattr(const char *path, char *list, size_t size)
{
	struct args a = { .f = flu_here(), .path = path, .buf = list, .size = size };
	int err = RUN(listxattr, &a);

	return err < 0 ? err : (int)a.ret;
}

static int l_removexattr(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "removexattr");
	lua_pushstring(L, a->path);
	lua_pushstring(L, a->name);
	lua_call(L, 2, 0);
	return 0;
}

static int op_removexattr(const char *path, const char *name)
{
	struct args a = { .f = flu_here(), .path = path, .name = name };

	return RUN(removexattr, &a);
}

/* filler(name [, stat]): true while the reply has room.  Valid during
 * the readdir call only: its upvalue is cleared afterwards. */
static int l_filler(lua_State *L)
{
	struct args **ap = lua_touserdata(L, lua_upvalueindex(1));
	struct args *a = *ap;
	struct stat st, *stp = NULL;

	if (!a)
		return luaL_error(L, "filler called after readdir returned");
	if (!lua_isnoneornil(L, 2)) {
		flu_to_stat(L, 2, &st);
		stp = &st;
	}
	lua_pushboolean(L, a->filler(a->dirbuf, luaL_checkstring(L, 1), stp, 0, 0) == 0);
	return 1;
}

static int l_readdir(lua_State *L)
{
	struct args *a = args_of(L);
	struct args **ap;

	method(L, a, "readdir");
	lua_pushstring(L, a->path);
	ap = lua_newuserdatauv(L, sizeof(*ap), 0);
	*ap = a;
	lua_pushvalue(L, -1);
	lua_insert(L, 1);                       /* kept below, to clear it */
	lua_pushcclosure(L, l_filler, 1);
	flu_push_fi(L, a->f, a->fi);
	lua_call(L, 3, 0);
	*ap = NULL;
	return 0;
}

static int op_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct args a = { .f = flu_here(), .path = path, .dirbuf = buf, .filler = filler,
			  .fi = fi };

	return RUN(readdir, &a);
}

static int l_access(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "access");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->mask);
	lua_call(L, 2, 0);
	return 0;
}

static int op_access(const char *path, int mask)
{
	struct args a = { .f = flu_here(), .path = path, .mask = mask };

	return RUN(access, &a);
}

/* A {sec, nsec} table, or nil for UTIME_OMIT; UTIME_NOW is now. */
static void push_time(lua_State *L, const struct timespec *ts)
{
	struct timespec now;

	if (ts->tv_nsec == UTIME_OMIT) {
		lua_pushnil(L);
		return;
	}
	if (ts->tv_nsec == UTIME_NOW) {
		clock_gettime(CLOCK_REALTIME, &now);
		ts = &now;
	}
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, ts->tv_sec);
	lua_setfield(L, -2, "sec");
	lua_pushinteger(L, ts->tv_nsec);
	lua_setfield(L, -2, "nsec");
}

static int l_utimens(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "utimens");
	lua_pushstring(L, a->path);
	push_time(L, &a->tv[0]);
	push_time(L, &a->tv[1]);
	lua_call(L, 3 + push_fi_opt(L, a, a->fi), 0);
	return 0;
}

static int op_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .tv = tv, .fi = fi };

	return RUN(utimens, &a);
}

static int l_fallocate(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "fallocate");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->mode);
	lua_pushinteger(L, a->off);
	lua_pushinteger(L, a->off2);
	flu_push_fi(L, a->f, a->fi);
	lua_call(L, 5, 0);
	return 0;
}

static int op_fallocate(const char *path, int mode, off_t off, off_t len,
			struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .mode = mode, .off = off, .off2 = len,
			  .fi = fi };

	return RUN(fallocate, &a);
}

static int l_copy_file_range(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "copy_file_range");
	lua_pushstring(L, a->path);
	flu_push_fi(L, a->f, a->fi);
	lua_pushinteger(L, a->off);
	lua_pushstring(L, a->path2);
	flu_push_fi(L, a->f, a->fi2);
	lua_pushinteger(L, a->off2);
	lua_pushinteger(L, a->size);
	lua_pushinteger(L, a->flags);
	lua_call(L, 8, 1);
	a->ret = luaL_checkinteger(L, -1);
	if (a->ret < 0 || (size_t)a->ret > a->size)
		return luaL_error(L, "copy_file_range returned %d", (int)a->ret);
	return 0;
}

static ssize_t op_copy_file_range(const char *path_in, struct fuse_file_info *fi_in,
				  off_t off_in, const char *path_out,
				  struct fuse_file_info *fi_out, off_t off_out, size_t len,
				  int flags)
{
	struct args a = { .f = flu_here(), .path = path_in, .fi = fi_in, .off = off_in,
			  .path2 = path_out, .fi2 = fi_out, .off2 = off_out, .size = len,
			  .flags = flags };
	int err = RUN(copy_file_range, &a);

	return err < 0 ? err : a.ret;
}

static int l_lseek(lua_State *L)
{
	static const char *const whence[] = { "set", "cur", "end", "data", "hole" };
	struct args *a = args_of(L);

	method(L, a, "lseek");
	lua_pushstring(L, a->path);
	lua_pushinteger(L, a->off);
	if (a->flags >= 0 && a->flags < 5)
		lua_pushstring(L, whence[a->flags]);
	else
		lua_pushinteger(L, a->flags);
	flu_push_fi(L, a->f, a->fi);
	lua_call(L, 4, 1);
	a->ret = luaL_checkinteger(L, -1);
	return 0;
}

static off_t op_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
	struct args a = { .f = flu_here(), .path = path, .off = off, .flags = whence, .fi = fi };
	int err = RUN(lseek, &a);

	return err < 0 ? err : a.ret;
}

static void set_number(lua_State *L, const char *name, lua_Number v)
{
	lua_pushnumber(L, v);
	lua_setfield(L, -2, name);
}

static int l_init(lua_State *L)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
#define CFG(x) { #x, offsetof(struct fuse_config, x) }
		CFG(use_ino), CFG(readdir_ino), CFG(direct_io), CFG(kernel_cache),
		CFG(auto_cache), CFG(hard_remove),
#undef CFG
	};
	static const struct {
		const char *name;
		size_t off;
	} timeouts[] = {
		{ "entry_timeout", offsetof(struct fuse_config, entry_timeout) },
		{ "attr_timeout", offsetof(struct fuse_config, attr_timeout) },
		{ "negative_timeout", offsetof(struct fuse_config, negative_timeout) },
	};
	struct args *a = args_of(L);

	method(L, a, "init");
	lua_createtable(L, 0, 8);
	lua_pushinteger(L, a->conn->proto_major);
	lua_setfield(L, -2, "proto_major");
	lua_pushinteger(L, a->conn->proto_minor);
	lua_setfield(L, -2, "proto_minor");
	lua_pushinteger(L, a->conn->max_write);
	lua_setfield(L, -2, "max_write");
	lua_pushinteger(L, a->conn->max_read);
	lua_setfield(L, -2, "max_read");
	lua_pushinteger(L, a->conn->max_readahead);
	lua_setfield(L, -2, "max_readahead");
	lua_pushinteger(L, a->conn->capable);
	lua_setfield(L, -2, "capable");
	lua_pushinteger(L, a->conn->want);
	lua_setfield(L, -2, "want");
	lua_createtable(L, 0, 9);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		lua_pushboolean(L, *(int *)((char *)a->cfg + flags[i].off));
		lua_setfield(L, -2, flags[i].name);
	}
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
		set_number(L, timeouts[i].name, *(double *)((char *)a->cfg + timeouts[i].off));
	/* init(conn, config): the method may change config's fields. */
	lua_pushvalue(L, -1);
	lua_insert(L, 2);
	lua_call(L, 2, 0);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		lua_getfield(L, 2, flags[i].name);
		*(int *)((char *)a->cfg + flags[i].off) = lua_toboolean(L, -1);
		lua_pop(L, 1);
	}
	for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++) {
		lua_getfield(L, 2, timeouts[i].name);
		*(double *)((char *)a->cfg + timeouts[i].off) = luaL_checknumber(L, -1);
		lua_pop(L, 1);
	}
	return 0;
}

static void *op_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	struct flu *f = flu_here();
	struct args a = { .f = f, .conn = conn, .cfg = cfg };

	(void)RUN(init, &a);
	return f;
}

static int l_destroy(lua_State *L)
{
	struct args *a = args_of(L);

	method(L, a, "destroy");
	lua_call(L, 0, 0);
	return 0;
}

static void op_destroy(void *private_data)
{
	struct args a = { .f = private_data };

	(void)RUN(destroy, &a);
}

const struct fuse_operations flu_all_ops = {
	.getattr = op_getattr, .readlink = op_readlink, .mknod = op_mknod,
	.mkdir = op_mkdir, .unlink = op_unlink, .rmdir = op_rmdir,
	.symlink = op_symlink, .rename = op_rename, .link = op_link,
	.chmod = op_chmod, .chown = op_chown, .truncate = op_truncate,
	.open = op_open, .read = op_read, .write = op_write, .statfs = op_statfs,
	.flush = op_flush, .release = op_release, .fsync = op_fsync,
	.setxattr = op_setxattr, .getxattr = op_getxattr, .listxattr = op_listxattr,
	.removexattr = op_removexattr, .opendir = op_opendir, .readdir = op_readdir,
	.releasedir = op_releasedir, .fsyncdir = op_fsyncdir, .init = op_init,
	.destroy = op_destroy, .access = op_access, .create = op_create,
	.utimens = op_utimens, .fallocate = op_fallocate,
	.copy_file_range = op_copy_file_range, .lseek = op_lseek,
};

static bool has(lua_State *L, const char *name)
{
	bool yes = lua_getfield(L, -1, name) != LUA_TNIL;

	lua_pop(L, 1);
	return yes;
}

void flu_ops_for(lua_State *L, struct fuse_operations *ops)
{
#define IF(name) ops->name = has(L, #name) ? flu_all_ops.name : NULL
	IF(readlink); IF(mknod); IF(mkdir); IF(unlink); IF(rmdir); IF(symlink);
	IF(rename); IF(link); IF(chmod); IF(chown); IF(open); IF(read); IF(write);
	IF(statfs); IF(flush); IF(fsync); IF(setxattr); IF(getxattr); IF(listxattr);
	IF(removexattr); IF(opendir); IF(readdir); IF(fsyncdir); IF(init); IF(destroy);
	IF(access); IF(create); IF(utimens); IF(fallocate); IF(copy_file_range); IF(lseek);
#undef IF
	ops->getattr = has(L, "getattr") || has(L, "fgetattr") ? op_getattr : NULL;
	ops->truncate = has(L, "truncate") || has(L, "ftruncate") ? op_truncate : NULL;
	/* Always: an open file's or directory's handle is let go of here. */
	ops->release = op_release;
	ops->releasedir = op_releasedir;
}
