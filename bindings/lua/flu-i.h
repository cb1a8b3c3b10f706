/*
 * flu-i.h: what the parts of the flu module share.  Not installed.
 *
 *   flu.c         the module: flu.main, flu.get_context, flu.errno, and
 *                 flu_run(), the one way into the Lua state
 *   flu-conv.c    Flu's tables <-> C structs: modes, stat, statfs, file
 *                 info, open flags, errno names
 *   flu-ops.c     struct fuse_operations calling the fs table's methods
 *   flu-routes.c  flu.routes(): the route layer (bindings/routes) in Lua
 */
#ifndef FLU_I_H
#define FLU_I_H

#define FUSE_USE_VERSION 314

#include <fuse.h>
#include <lauxlib.h>
#include <lua.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>

/* One mounted filesystem's Lua side. */
struct flu {
	pthread_mutex_t lock;   /* held around every use of L */
	lua_State *L;           /* a Lua thread of its own, for the callbacks */
	int thread_ref;         /* registry refs: L, the fs table or routes, */
	int fs_ref;             /* the open handles (fh -> any Lua value) */
	int handles_ref;
	uint64_t next_fh;
};

/*
 * Run FN protected on F's thread, with ARG as light userdata at index 1,
 * under F's lock; FN leaves its results in ARG.  Returns 0, or the
 * negative errno the Lua code raised (an errno name, a flu.errno value or
 * an errno number), or -EIO for any other Lua error, which is logged with
 * OP (the method's name), PATH and a traceback.
 */
int flu_run(struct flu *f, const char *op, const char *path, lua_CFunction fn, void *arg);

/* The struct flu of the filesystem being served. */
static inline struct flu *flu_here(void)
{
	return fuse_get_context()->private_data;
}

/* flu.c: push F's filesystem object (table or routes). */
void flu_push_fs(lua_State *L, struct flu *f);
/* Push fs[NAME]; false (nothing pushed) if nil. */
bool flu_method(lua_State *L, struct flu *f, const char *name);
/* Handles: the Lua value of fh, a new fh for the value at the top (popped),
 * forget fh. */
void flu_push_handle(lua_State *L, struct flu *f, uint64_t fh);
uint64_t flu_handle_new(lua_State *L, struct flu *f);
void flu_handle_drop(lua_State *L, struct flu *f, uint64_t fh);
/* The errno of a flu.errno value at IDX, or 0. */
int flu_errno_value(lua_State *L, int idx);
/* Push flu.errno's value for ERR (positive) or its number if unnamed. */
void flu_push_errno(lua_State *L, int err);

/* flu-conv.c */
mode_t flu_to_mode(lua_State *L, int idx);
void flu_push_mode(lua_State *L, mode_t mode);
void flu_to_stat(lua_State *L, int idx, struct stat *st);
void flu_to_statvfs(lua_State *L, int idx, struct statvfs *st);
void flu_push_open_flags(lua_State *L, int flags);
/* fi as a table with its handle, and the table's changes back into fi. */
void flu_push_fi(lua_State *L, struct flu *f, const struct fuse_file_info *fi);
void flu_fi_back(lua_State *L, struct flu *f, int idx, struct fuse_file_info *fi);
/* The errno an error value names (positive), or 0. */
int flu_errno_of(lua_State *L, int idx);
/* Every errno name with its number, for flu.errno. */
struct flu_errno_name {
	const char *name;
	int value;
};
extern const struct flu_errno_name flu_errno_names[];

/* flu-ops.c */
extern const struct fuse_operations flu_all_ops;
/* The operations FS (at the top of L) has methods for. */
void flu_ops_for(lua_State *L, struct fuse_operations *ops);

/* flu-routes.c */
int flu_routes_open(lua_State *L);
/* The routes object at IDX, or NULL. */
struct fuse_routes *flu_routes_check(lua_State *L, int idx);
/* Serve the routes object at IDX with ARGV as fuse_routes_main does. */
int flu_routes_main(lua_State *L, int idx, struct flu *f, int argc, char *argv[]);

#endif
