/*
 * routes-i.h: the route table and path resolution, shared by routes.c
 * (pure: patterns, matching, listing) and routes-fs.c (the fuse
 * operations).  Not installed.
 */
#ifndef FUSE_ROUTES_I_H
#define FUSE_ROUTES_I_H

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "fuse_routes.h"

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Deeper paths than this are refused (ENAMETOOLONG): bounded stacks. */
#define ROUTE_MAX_SEGS 64

struct route {
	char *pattern;
	char **segs;                  /* with their ':' or '*' */
	unsigned n_segs;
	struct fuse_route_ops ops;
	void *data;
};

struct fuse_routes {
	struct route *v;
	size_t n;
	uid_t uid;                    /* defaults for stat */
	gid_t gid;
	struct timespec mounted;
};

/* A path split into segments, pointing into a copy of it. */
struct route_path {
	const char *path;
	char *copy;
	const char *segs[ROUTE_MAX_SEGS];
	size_t offs[ROUTE_MAX_SEGS];  /* where each segment starts in path */
	unsigned n;
};

/* The route serving a path, with its parameters and attributes. */
struct route_node {
	const struct route *route;    /* NULL: the root, no route for it */
	bool implied;                 /* a proper prefix of route's pattern */
	struct fuse_route_req req;
	const char *names[ROUTE_MAX_SEGS];
	const char *values[ROUTE_MAX_SEGS];
	char *catch_all;              /* the catch-all's value, malloc'd */
	struct stat st;
};

int route_path_split(struct route_path *p, const char *path);
void route_path_done(struct route_path *p);
void route_node_done(struct route_node *node);

/*
 * Resolve PATH to the route serving it (the header's rules): split it
 * into P and fill NODE, its request and its attributes; -ENOENT if no
 * route does.  With FOR_CREATE, the first route with a create handler for
 * a file at PATH: nothing declined, no attributes.  On success the caller
 * ends both with route_node_done() and route_path_done() (the parameters
 * point into P).
 */
int route_resolve(const struct fuse_routes *routes, const char *path, bool for_create,
		  struct route_path *p, struct route_node *node);

/*
 * Every name in the directory NODE (resolved at P): the literal names of
 * patterns below it, then its list handler's, once each, in that order.
 * FN gets each; a non-zero return stops and is returned.
 */
int route_list(const struct fuse_routes *routes, const struct route_path *p,
	       const struct route_node *node,
	       int (*fn)(void *ctx, const char *name), void *ctx);

static inline bool route_is_file(const struct route *r)
{
	return !r->ops.list && (r->ops.content || r->ops.read || r->ops.write);
}

#endif
