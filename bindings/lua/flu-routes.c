/*
 * flu.routes(): the route layer of bindings/routes for Lua.
 *
 *   local r = flu.routes()
 *   r:add("/:number", { stat = ..., content = ... })
 *   flu.main(mountpoint, r, options)
 *
 * Each route's handlers are a Lua table; the C layer calls trampolines
 * here, which enter the Lua state through flu_run() like every other
 * callback, with a request table {path, pattern, params, uid, gid, pid}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flu-i.h"
#include "fuse_routes.h"

#define FLU_ROUTES "flu.routes"

struct lroutes;

struct lroute {
	struct lroutes *owner;
	int handlers_ref;
};

struct lroutes {
	struct fuse_routes *routes;
	struct flu *f;               /* while flu.main serves them */
	struct lroute **v;
	size_t n;
};

/* What a trampoline hands to its Lua side. */
struct rargs {
	const struct fuse_route_req *req;
	const char *handler;
	fuse_route_fill_t fill;
	void *fill_ctx;
	struct stat *st;
	char **out;
	size_t *out_len;
	char *buf;
	const char *cbuf;
	size_t size;
	off_t off;
	mode_t mode;
	ssize_t ret;
};

static struct lroute *route_of(const struct fuse_route_req *req)
{
	return req->data;
}

/* Push the handler and the request table; returns false if no handler. */
static bool push_call(lua_State *L, struct rargs *a)
{
	struct lroute *r = route_of(a->req);

	lua_rawgeti(L, LUA_REGISTRYINDEX, r->handlers_ref);
	lua_getfield(L, -1, a->handler);
	lua_remove(L, -2);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		return false;
	}
	lua_createtable(L, 0, 6);
	lua_pushstring(L, a->req->path);
	lua_setfield(L, -2, "path");
	lua_pushstring(L, a->req->pattern);
	lua_setfield(L, -2, "pattern");
	lua_createtable(L, 0, a->req->n_params);
	for (unsigned i = 0; i < a->req->n_params; i++) {
		lua_pushstring(L, a->req->param_values[i]);
		lua_setfield(L, -2, a->req->param_names[i]);
	}
	lua_setfield(L, -2, "params");
	lua_pushinteger(L, a->req->uid);
	lua_setfield(L, -2, "uid");
	lua_pushinteger(L, a->req->gid);
	lua_setfield(L, -2, "gid");
	lua_pushinteger(L, a->req->pid);
	lua_setfield(L, -2, "pid");
	return true;
}

static int run(struct rargs *a, lua_CFunction fn)
{
	struct flu *f = route_of(a->req)->owner->f;

	return flu_run(f, a->handler, a->req->path, fn, a);
}

static int l_list(lua_State *L)
{
	struct rargs *a = lua_touserdata(L, 1);
	int err;

	if (!push_call(L, a))
		return 0;
	lua_call(L, 1, 1);
	if (lua_isnil(L, -1))
		return 0;
	luaL_checktype(L, -1, LUA_TTABLE);
	for (lua_Integer i = 1; lua_geti(L, -1, i) != LUA_TNIL; i++) {
		err = a->fill(a->fill_ctx, luaL_checkstring(L, -1));
		if (err < 0)
			return luaL_error(L, "%s", "ENOMEM");
		lua_pop(L, 1);
	}
	return 0;
}

static int t_list(const struct fuse_route_req *req, fuse_route_fill_t fill, void *ctx)
{
	struct rargs a = { .req = req, .handler = "list", .fill = fill, .fill_ctx = ctx };

	return run(&a, l_list);
}

/* stat's table changes only the fields it has; false declines. */
static int l_stat(lua_State *L)
{
	struct rargs *a = lua_touserdata(L, 1);
	struct stat st;
	int t;

	if (!push_call(L, a))
		return 0;
	lua_call(L, 1, 1);
	if (lua_isboolean(L, -1) && !lua_toboolean(L, -1))
		return luaL_error(L, "%s", "ENOENT");
	if (!lua_istable(L, -1))
		return 0;
	t = lua_gettop(L);
	flu_to_stat(L, t, &st);
#define TAKE(key, field)                                  \
	if (lua_getfield(L, t, key) != LUA_TNIL)          \
		a->st->field = st.field;                  \
	lua_pop(L, 1)
	TAKE("mode", st_mode);
	TAKE("ino", st_ino);
	TAKE("nlink", st_nlink);
	TAKE("uid", st_uid);
	TAKE("gid", st_gid);
	TAKE("size", st_size);
	TAKE("blocks", st_blocks);
	TAKE("access", st_atim);
	TAKE("modification", st_mtim);
	TAKE("change", st_ctim);
#undef TAKE
	if (lua_getfield(L, t, "nlink") == LUA_TNIL && lua_getfield(L, t, "mode") != LUA_TNIL)
		a->st->st_nlink = S_ISDIR(a->st->st_mode) ? 2 : 1;
	return 0;
}

static int t_stat(const struct fuse_route_req *req, struct stat *st)
{
	struct rargs a = { .req = req, .handler = "stat", .st = st };

	return run(&a, l_stat);
}

static int l_content(lua_State *L)
{
	struct rargs *a = lua_touserdata(L, 1);
	const char *s;
	size_t len;

	if (!push_call(L, a))
		return luaL_error(L, "%s", "EACCES");
	lua_call(L, 1, 1);
	s = luaL_checklstring(L, -1, &len);
	*a->out = malloc(len ? len : 1);
	if (!*a->out)
		return luaL_error(L, "%s", "ENOMEM");
	memcpy(*a->out, s, len);
	*a->out_len = len;
	return 0;
}

static int t_content(const struct fuse_route_req *req, char **buf, size_t *len)
{
	struct rargs a = { .req = req, .handler = "content", .out = buf, .out_len = len };
	int err;

	*buf = NULL;
	err = run(&a, l_content);
	if (err < 0) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

static int l_read(lua_State *L)
{
	struct rargs *a = lua_touserdata(L, 1);
	const char *s = "";
	size_t len = 0;

	if (!push_call(L, a))
		return luaL_error(L, "%s", "EACCES");
	lua_pushinteger(L, a->size);
	lua_pushinteger(L, a->off);
	lua_call(L, 3, 1);
	if (!lua_isnil(L, -1))
		s = luaL_checklstring(L, -1, &len);
	if (len > a->size)
		len = a->size;
	memcpy(a->buf, s, len);
	a->ret = len;
	return 0;
}

static ssize_t t_read(const struct fuse_route_req *req, char *buf, size_t size, off_t off)
{
	struct rargs a = { .req = req, .handler = "read", .buf = buf, .size = size, .off = off };
	int err = run(&a, l_read);

	return err < 0 ? err : a.ret;
}

static int l_write(lua_State *L)
{
	struct rargs *a = lua_touserdata(L, 1);

	if (!push_call(L, a))
		return luaL_error(L, "%s", "EACCES");
	lua_pushlstring(L, a->cbuf, a->size);
	lua_pushinteger(L, a->off);
	lua_call(L, 3, 1);
	a->ret = lua_isnil(L, -1) ? (lua_Integer)a->size : luaL_checkinteger(L, -1);
	return 0;
}

static ssize_t t_write(const struct fuse_route_req *req, const char *buf, size_t size, off_t off)
{
	struct rargs a = { .req = req, .handler = "write", .cbuf = buf, .size = size, .off = off };
	int err = run(&a, l_write);

	return err < 0 ? err : a.ret;
}

/* truncate(req, size), create(req, mode), unlink(req): nothing back. */
static int l_plain(lua_State *L)
{
	struct rargs *a = lua_touserdata(L, 1);
	int n = 1;

	if (!push_call(L, a))
		return luaL_error(L, "%s", "EACCES");
	if (strcmp(a->handler, "truncate") == 0) {
		lua_pushinteger(L, a->off);
		n++;
	} else if (strcmp(a->handler, "create") == 0) {
		flu_push_mode(L, a->mode);
		n++;
	}
	lua_call(L, n, 0);
	return 0;
}

static int t_truncate(const struct fuse_route_req *req, off_t size)
{
	struct rargs a = { .req = req, .handler = "truncate", .off = size };

	return run(&a, l_plain);
}

static int t_create(const struct fuse_route_req *req, mode_t mode)
{
	struct rargs a = { .req = req, .handler = "create", .mode = mode };

	return run(&a, l_plain);
}

static int t_unlink(const struct fuse_route_req *req)
{
	struct rargs a = { .req = req, .handler = "unlink" };

	return run(&a, l_plain);
}

static struct lroutes *check(lua_State *L, int idx)
{
	struct lroutes *r = luaL_checkudata(L, idx, FLU_ROUTES);

	if (!r->routes)
		luaL_error(L, "routes object already freed");
	return r;
}

struct fuse_routes *flu_routes_check(lua_State *L, int idx)
{
	struct lroutes *r = luaL_testudata(L, idx, FLU_ROUTES);

	return r ? r->routes : NULL;
}

static bool has(lua_State *L, int t, const char *name)
{
	int type = lua_getfield(L, t, name);

	lua_pop(L, 1);
	if (type != LUA_TNIL && type != LUA_TFUNCTION && type != LUA_TTABLE &&
	    type != LUA_TUSERDATA)
		luaL_error(L, "handler '%s' is not callable", name);
	return type != LUA_TNIL;
}

/* r:add(pattern, handlers) */
static int routes_add(lua_State *L)
{
	struct lroutes *r = check(L, 1);
	const char *pattern = luaL_checkstring(L, 2);
	struct fuse_route_ops ops = { 0 };
	struct lroute **v, *route;
	int err;

	luaL_checktype(L, 3, LUA_TTABLE);
	if (r->f)
		return luaL_error(L, "routes cannot change while they are served");
	if (has(L, 3, "list"))
		ops.list = t_list;
	if (has(L, 3, "stat"))
		ops.stat = t_stat;
	if (has(L, 3, "content"))
		ops.content = t_content;
	if (has(L, 3, "read"))
		ops.read = t_read;
	if (has(L, 3, "write"))
		ops.write = t_write;
	if (has(L, 3, "truncate"))
		ops.truncate = t_truncate;
	if (has(L, 3, "create"))
		ops.create = t_create;
	if (has(L, 3, "unlink"))
		ops.unlink = t_unlink;
	v = realloc(r->v, (r->n + 1) * sizeof(*v));
	if (!v)
		return luaL_error(L, "out of memory");
	r->v = v;
	route = calloc(1, sizeof(*route));
	if (!route)
		return luaL_error(L, "out of memory");
	route->owner = r;
	lua_pushvalue(L, 3);
	route->handlers_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	r->v[r->n++] = route;
	err = fuse_routes_add(r->routes, pattern, &ops, route);
	if (err < 0)
		return luaL_error(L, "routes:add('%s'): %s", pattern,
				  err == -EINVAL ? "malformed pattern" : strerror(-err));
	lua_settop(L, 1);
	return 1;
}

static int routes_gc(lua_State *L)
{
	struct lroutes *r = luaL_checkudata(L, 1, FLU_ROUTES);

	for (size_t i = 0; i < r->n; i++) {
		luaL_unref(L, LUA_REGISTRYINDEX, r->v[i]->handlers_ref);
		free(r->v[i]);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->routes = fuse_routes_free(r->routes);
	return 0;
}

int flu_routes_main(lua_State *L, int idx, struct flu *f, int argc, char *argv[])
{
	struct lroutes *r = check(L, idx);
	int rc;

	r->f = f;
	rc = fuse_routes_main(r->routes, argc, argv);
	r->f = NULL;
	return rc;
}

static const luaL_Reg routes_methods[] = {
	{ "add", routes_add },
	{ NULL, NULL },
};

int flu_routes_open(lua_State *L)
{
	struct lroutes *r = lua_newuserdatauv(L, sizeof(*r), 0);

	memset(r, 0, sizeof(*r));
	if (luaL_newmetatable(L, FLU_ROUTES)) {
		luaL_newlib(L, routes_methods);
		lua_setfield(L, -2, "__index");
		lua_pushcfunction(L, routes_gc);
		lua_setfield(L, -2, "__gc");
	}
	lua_setmetatable(L, -2);
	r->routes = fuse_routes_new();
	if (!r->routes)
		return luaL_error(L, "out of memory");
	return 1;
}
