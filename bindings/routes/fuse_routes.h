/*
 * fuse_routes.h: a filesystem as handlers bound to path patterns.
 *
 * Part of libfuse3-routes, a small library on top of the libfuse 3
 * high-level API (libfuse3.so.3); it adds no symbol to that library.
 *
 * A pattern is a path whose segments are one of
 *   name     a literal segment, matched exactly
 *   :name    a parameter: matches any one segment, whose text the handler
 *            gets under "name" (fuse_route_param())
 *   *name    a catch-all, last segment only: matches one or more segments,
 *            the rest of the path ("a/b/c") under "name" ("*" alone: "*")
 * "/" is the root.  Every proper prefix of a pattern is a directory
 * ("/:user/notes/:name" implies "/:user" and "/:user/notes").
 *
 * For a path, the routes that match it (a pattern of the same length, or a
 * longer one whose prefix matches: an implied directory) are tried from
 * the most specific (literal before parameter before catch-all, segment by
 * segment from the left) to the least, ties in the order they were added.
 * A route declines a path when its stat handler returns -ENOENT, or, when
 * it has no stat handler, when the directory above has a list handler that
 * does not list the name.  The first route that does not decline serves
 * the path; if all decline, the path does not exist.
 *
 * Defaults for what a route does not say:
 *   - type: a directory if the route has a list handler, is implied by a
 *     longer pattern, or has neither content, read nor write; else a
 *     regular file.  A stat handler may change st_mode.
 *   - stat: directories 0555 (0755 if a route just below can create or
 *     unlink), files 0444 (0644 with a write handler); owner and group of
 *     the process that called fuse_routes_main(); times of the mount;
 *     st_size the length of the content handler's answer, else 0.
 *   - list: only the literal names that patterns imply below the
 *     directory; a list handler's names are added to those.
 *   - read: a read-only open of a file with content() reads what content()
 *     said at open; any other open reads through read() if there is one,
 *     else content() again.  Those opens use direct_io, so a size of 0
 *     does not hide what read() returns.
 *   - write, create, unlink without a handler: EACCES.  truncate without
 *     a handler: accepted when there is a write handler (EACCES if not).
 *     utimens is accepted and ignored (touch works); chmod, chown: EPERM.
 *
 * Handlers return 0 (or a byte count) or a negative errno.  They may be
 * called from several threads at once unless the filesystem runs with -s;
 * the route table itself must not change after fuse_routes_main().
 */
#ifndef FUSE_ROUTES_H
#define FUSE_ROUTES_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct fuse_routes;

/* What a handler is called with.  Valid for the call only. */
struct fuse_route_req {
	const char *path;                /* the whole path, "/alice/notes/todo" */
	const char *pattern;             /* the route's pattern */
	unsigned n_params;
	const char *const *param_names;  /* "user", "name" */
	const char *const *param_values; /* "alice", "todo" */
	void *data;                      /* given to fuse_routes_add() */
	uid_t uid;                       /* the caller (fuse_get_context()) */
	gid_t gid;
	pid_t pid;
};

/* The value of parameter NAME, or NULL if the pattern has none. */
const char *fuse_route_param(const struct fuse_route_req *req, const char *name);

/*
 * Called by a list handler once per name; returns 0 to go on, 1 when no
 * more names are wanted (a full reply), or -ENOMEM.  A handler may stop
 * at the first non-zero return and pass it on, or go on (later names are
 * then dropped).  Names are de-duplicated; ".", ".." and names with '/'
 * are ignored.
 */
typedef int (*fuse_route_fill_t)(void *fill_ctx, const char *name);

struct fuse_route_ops {
	/* Names in this directory (besides those patterns imply). */
	int (*list)(const struct fuse_route_req *req, fuse_route_fill_t fill, void *fill_ctx);
	/* Adjust the defaults in *st (see above); -ENOENT declines the path. */
	int (*stat)(const struct fuse_route_req *req, struct stat *st);
	/* The whole contents, in *buf (malloc'd, the caller frees) and *len. */
	int (*content)(const struct fuse_route_req *req, char **buf, size_t *len);
	/* Up to size bytes at off; returns the count (0 at the end). */
	ssize_t (*read)(const struct fuse_route_req *req, char *buf, size_t size, off_t off);
	/* Returns the count of bytes taken. */
	ssize_t (*write)(const struct fuse_route_req *req, const char *buf, size_t size, off_t off);
	int (*truncate)(const struct fuse_route_req *req, off_t size);
	/* A new file at req->path (open follows; a write handler for data). */
	int (*create)(const struct fuse_route_req *req, mode_t mode);
	int (*unlink)(const struct fuse_route_req *req);
};

/* An empty table (whose root is an implied directory), or NULL. */
struct fuse_routes *fuse_routes_new(void);
/* NULL-safe; returns NULL. */
struct fuse_routes *fuse_routes_free(struct fuse_routes *routes);

/*
 * Bind OPS (copied) and DATA to PATTERN.  Returns 0, -EINVAL for a
 * malformed pattern (not starting with '/', an empty segment, ":" or a
 * catch-all that is not last), -ENOMEM.
 */
int fuse_routes_add(struct fuse_routes *routes, const char *pattern,
		    const struct fuse_route_ops *ops, void *data);

/*
 * Mount and serve, as fuse_main() does with argc/argv (mountpoint, -f, -s,
 * -d, -o ...); returns its exit status.  As a user who is not root, the
 * library mounts through fused.
 */
int fuse_routes_main(struct fuse_routes *routes, int argc, char *argv[]);

#ifdef __cplusplus
}
#endif

#endif
