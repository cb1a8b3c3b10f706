/*
 * The flu module: flu.main, flu.get_context, flu.errno, flu.routes, and
 * flu_run(), through which every FUSE callback enters the Lua state.
 *
 * One Lua state serves the filesystem.  flu.main gives the callbacks a
 * Lua thread of their own (the caller's stack stays as it is, blocked in
 * fuse_main) and a mutex: with the multi-threaded loop (the default)
 * requests are received in parallel but their Lua methods run one at a
 * time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flu-i.h"

#define FLU_ERRNO "flu.errno"

/* An error value for flu_run's message handler to recognise. */
static int flu_msgh(lua_State *L)
{
	int err = flu_errno_of(L, 1);
	const char *msg;

	if (err > 0) {
		flu_push_errno(L, err);
		return 1;
	}
	msg = lua_tostring(L, 1);
	if (!msg)
		msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	luaL_traceback(L, L, msg, 1);
	return 1;
}

int flu_run(struct flu *f, const char *op, const char *path, lua_CFunction fn, void *arg)
{
	lua_State *L = f->L;
	int base, rc, err = 0;

	pthread_mutex_lock(&f->lock);
	base = lua_gettop(L);
	lua_pushcfunction(L, flu_msgh);
	lua_pushcfunction(L, fn);
	lua_pushlightuserdata(L, arg);
	rc = lua_pcall(L, 1, 0, base + 1);
	if (rc != LUA_OK) {
		err = flu_errno_of(L, -1);
		if (err > 0) {
			err = -err;
		} else {
			/* Not the filesystem's answer but its bug: say where. */
			fuse_log(FUSE_LOG_ERR, "flu: %s %s: %s\n", op, path ? path : "",
				 lua_tostring(L, -1) ? lua_tostring(L, -1) : "(error)");
			err = -EIO;
		}
	}
	lua_settop(L, base);
	pthread_mutex_unlock(&f->lock);
	return err;
}

void flu_push_fs(lua_State *L, struct flu *f)
{
	lua_rawgeti(L, LUA_REGISTRYINDEX, f->fs_ref);
}

bool flu_method(lua_State *L, struct flu *f, const char *name)
{
	flu_push_fs(L, f);
	lua_getfield(L, -1, name);
	lua_remove(L, -2);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return false;
	}
	return true;
}

void flu_push_handle(lua_State *L, struct flu *f, uint64_t fh)
{
	if (!fh) {
		lua_pushnil(L);
		return;
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, f->handles_ref);
	lua_rawgeti(L, -1, (lua_Integer)fh);
	lua_remove(L, -2);
}

uint64_t flu_handle_new(lua_State *L, struct flu *f)
{
	uint64_t fh;

	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return 0;
	}
	fh = ++f->next_fh;
	lua_rawgeti(L, LUA_REGISTRYINDEX, f->handles_ref);
	lua_insert(L, -2);
	lua_rawseti(L, -2, (lua_Integer)fh);
	lua_pop(L, 1);
	return fh;
}

void flu_handle_drop(lua_State *L, struct flu *f, uint64_t fh)
{
	if (!fh)
		return;
	lua_rawgeti(L, LUA_REGISTRYINDEX, f->handles_ref);
	lua_pushnil(L);
	lua_rawseti(L, -2, (lua_Integer)fh);
	lua_pop(L, 1);
}

void flu_push_errno(lua_State *L, int err)
{
	lua_getfield(L, LUA_REGISTRYINDEX, "flu.errno.byvalue");
	lua_rawgeti(L, -1, err);
	lua_remove(L, -2);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushinteger(L, err);
	}
}

static int errno_tostring(lua_State *L)
{
	lua_pushstring(L, ((struct flu_errno_name *)luaL_checkudata(L, 1, FLU_ERRNO))->name);
	return 1;
}

/* flu.errno: NAME -> a value of its own, to be raised with error(). */
static void push_errno_table(lua_State *L)
{
	luaL_newmetatable(L, FLU_ERRNO);
	lua_pushcfunction(L, errno_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
	lua_newtable(L);                        /* flu.errno */
	lua_newtable(L);                        /* number -> first value named */
	for (const struct flu_errno_name *e = flu_errno_names; e->name; e++) {
		struct flu_errno_name *ud = lua_newuserdatauv(L, sizeof(*ud), 0);

		*ud = *e;
		luaL_setmetatable(L, FLU_ERRNO);
		lua_rawgeti(L, -2, e->value);
		if (lua_isnil(L, -1)) {
			lua_pushvalue(L, -2);
			lua_rawseti(L, -4, e->value);
		}
		lua_pop(L, 1);
		lua_setfield(L, -3, e->name);
	}
	lua_setfield(L, LUA_REGISTRYINDEX, "flu.errno.byvalue");
}

int flu_errno_value(lua_State *L, int idx)
{
	struct flu_errno_name *ud = luaL_testudata(L, idx, FLU_ERRNO);

	return ud ? ud->value : 0;
}

static int flu_get_context(lua_State *L)
{
	struct fuse_context *ctx = fuse_get_context();

	if (lua_istable(L, 1))
		lua_settop(L, 1);
	else
		lua_newtable(L);
	if (!ctx)
		return 1;
	lua_pushinteger(L, ctx->uid);
	lua_setfield(L, -2, "uid");
	lua_pushinteger(L, ctx->gid);
	lua_setfield(L, -2, "gid");
	lua_pushinteger(L, ctx->pid);
	lua_setfield(L, -2, "pid");
	lua_pushinteger(L, ctx->umask);
	lua_setfield(L, -2, "umask");
	return 1;
}

/* argv for fuse_main: a userdata, which the GC frees however flu.main ends. */
struct flu_argv {
	int argc;
	char *argv[];
};

static void argv_add(lua_State *L, int *n, const char *s)
{
	lua_pushstring(L, s);
	lua_rawseti(L, -2, ++*n);
}

/*
 * The argv table for flu.main: Flu's (ARGV, FS), argv[1] the program's
 * name; or (MOUNTPOINT, FS, OPTIONS), OPTIONS a string (-o) or a table
 * (see README.md).  Leaves the table at the top.
 */
static void build_argv(lua_State *L)
{
	int n = 0;

	lua_newtable(L);
	if (lua_istable(L, 1)) {
		lua_Integer len = luaL_len(L, 1);

		for (lua_Integer i = 1; i <= len; i++) {
			lua_geti(L, 1, i);
			if (!lua_isstring(L, -1))
				luaL_error(L, "flu.main: argv[%d] is not a string", (int)i);
			/* A number becomes a string in the table, which anchors it. */
			(void)lua_tostring(L, -1);
			lua_rawseti(L, -2, ++n);
		}
		if (n == 0)
			argv_add(L, &n, "flu");
		return;
	}
	luaL_checkstring(L, 1);
	if (lua_istable(L, 3) && lua_getfield(L, 3, "name") == LUA_TSTRING)
		lua_rawseti(L, -2, ++n);
	else if (lua_istable(L, 3))
		lua_pop(L, 1);
	if (n == 0)
		argv_add(L, &n, "flu");
	argv_add(L, &n, lua_tostring(L, 1));
	if (lua_isstring(L, 3)) {
		argv_add(L, &n, "-o");
		argv_add(L, &n, lua_tostring(L, 3));
	} else if (lua_istable(L, 3)) {
		static const struct { const char *key, *arg; } flags[] = {
			{ "foreground", "-f" }, { "single_thread", "-s" }, { "debug", "-d" },
		};

		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (lua_getfield(L, 3, flags[i].key) != LUA_TNIL && lua_toboolean(L, -1))
				argv_add(L, &n, flags[i].arg);
			lua_pop(L, 1);
		}
		for (lua_Integer i = 1; lua_geti(L, 3, i) != LUA_TNIL; i++) {
			if (!lua_isstring(L, -1))
				luaL_error(L, "flu.main: options[%d] is not a string", (int)i);
			(void)lua_tostring(L, -1);
			lua_rawseti(L, -2, ++n);
		}
		lua_pop(L, 1);
	} else if (!lua_isnoneornil(L, 3)) {
		luaL_typeerror(L, 3, "string or table");
	}
}

static int flu_main(lua_State *L)
{
	struct fuse_operations ops = { 0 };
	struct fuse_routes *routes;
	struct flu_argv *av;
	struct flu *f;
	int argc, rc;

	luaL_argexpected(L, lua_istable(L, 1) || lua_isstring(L, 1), 1, "argv table or mountpoint");
	routes = flu_routes_check(L, 2);
	if (!routes)
		luaL_checkany(L, 2);
	lua_settop(L, 3);
	build_argv(L);                                          /* 4 */
	argc = (int)luaL_len(L, 4);
	av = lua_newuserdatauv(L, sizeof(*av) + (argc + 1) * sizeof(char *), 0); /* 5 */
	av->argc = argc;
	for (int i = 0; i < argc; i++) {
		lua_rawgeti(L, 4, i + 1);
		av->argv[i] = (char *)lua_tostring(L, -1);  /* anchored by table 4 */
		lua_pop(L, 1);
	}
	av->argv[argc] = NULL;

	f = lua_newuserdatauv(L, sizeof(*f), 0);                 /* 6 */
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	f->L = lua_newthread(L);
	f->thread_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_pushvalue(L, 2);
	f->fs_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_newtable(L);
	f->handles_ref = luaL_ref(L, LUA_REGISTRYINDEX);

	if (routes) {
		rc = flu_routes_main(L, 2, f, argc, av->argv);
	} else {
		lua_pushvalue(L, 2);
		flu_ops_for(L, &ops);
		lua_pop(L, 1);
		rc = fuse_main(argc, av->argv, &ops, f);
	}
	luaL_unref(L, LUA_REGISTRYINDEX, f->handles_ref);
	luaL_unref(L, LUA_REGISTRYINDEX, f->fs_ref);
	luaL_unref(L, LUA_REGISTRYINDEX, f->thread_ref);
	pthread_mutex_destroy(&f->lock);
	if (rc != 0)
		return luaL_error(L, "flu.main: the filesystem ended with status %d", rc);
	return 0;
}

static const luaL_Reg flu_funcs[] = {
	{ "main", flu_main },
	{ "get_context", flu_get_context },
	{ NULL, NULL },
};

LUAMOD_API int luaopen_flu(lua_State *L);
LUAMOD_API int luaopen_flu(lua_State *L)
{
	luaL_newlib(L, flu_funcs);
	push_errno_table(L);
	lua_setfield(L, -2, "errno");
	lua_pushcfunction(L, flu_routes_open);
	lua_setfield(L, -2, "routes");
	return 1;
}
