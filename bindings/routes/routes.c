/*
 * Route table: patterns, matching a path against them, the route that
 * serves a path and the names a directory holds.  No FUSE here but
 * struct stat: routes-fs.c adapts it to the high-level API, and
 * test-routes.c drives it directly.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "routes-i.h"

enum seg_rank { SEG_CATCH_ALL, SEG_PARAM, SEG_LITERAL };

static enum seg_rank seg_rank(const char *seg)
{
	return seg[0] == '*' ? SEG_CATCH_ALL : seg[0] == ':' ? SEG_PARAM : SEG_LITERAL;
}

struct fuse_routes *fuse_routes_new(void)
{
	struct fuse_routes *routes = calloc(1, sizeof(*routes));

	if (!routes)
		return NULL;
	routes->uid = getuid();
	routes->gid = getgid();
	clock_gettime(CLOCK_REALTIME, &routes->mounted);
	return routes;
}

static void route_done(struct route *r)
{
	for (unsigned i = 0; i < r->n_segs; i++)
		free(r->segs[i]);
	free(r->segs);
	free(r->pattern);
}

struct fuse_routes *fuse_routes_free(struct fuse_routes *routes)
{
	if (!routes)
		return NULL;
	for (size_t i = 0; i < routes->n; i++)
		route_done(&routes->v[i]);
	free(routes->v);
	free(routes);
	return NULL;
}

int route_path_split(struct route_path *p, const char *path)
{
	char *s, *save = NULL;

	*p = (struct route_path){ .path = path };
	if (path[0] != '/')
		return -EINVAL;
	p->copy = strdup(path);
	if (!p->copy)
		return -ENOMEM;
	for (s = strtok_r(p->copy, "/", &save); s; s = strtok_r(NULL, "/", &save)) {
		if (p->n == ROUTE_MAX_SEGS) {
			route_path_done(p);
			return -ENAMETOOLONG;
		}
		p->offs[p->n] = s - p->copy;
		p->segs[p->n++] = s;
	}
	return 0;
}

void route_path_done(struct route_path *p)
{
	free(p->copy);
	p->copy = NULL;
}

void route_node_done(struct route_node *node)
{
	free(node->catch_all);
	node->catch_all = NULL;
}

int fuse_routes_add(struct fuse_routes *routes, const char *pattern,
		    const struct fuse_route_ops *ops, void *data)
{
	struct route_path p;
	struct route r = { .data = data };
	struct route *v;
	int err;

	err = route_path_split(&p, pattern);
	if (err < 0)
		return err == -ENAMETOOLONG ? -EINVAL : err;
	/* "//" and "/a//b" would make a segment no path can have. */
	if (strstr(pattern, "//")) {
		route_path_done(&p);
		return -EINVAL;
	}
	for (unsigned i = 0; i < p.n; i++) {
		enum seg_rank rank = seg_rank(p.segs[i]);

		if ((rank == SEG_PARAM && !p.segs[i][1]) || (rank == SEG_CATCH_ALL && i + 1 != p.n)) {
			route_path_done(&p);
			return -EINVAL;
		}
	}
	r.pattern = strdup(pattern);
	r.segs = calloc(p.n ? p.n : 1, sizeof(*r.segs));
	err = r.pattern && r.segs ? 0 : -ENOMEM;
	for (unsigned i = 0; !err && i < p.n; i++, r.n_segs++) {
		r.segs[i] = strdup(p.segs[i]);
		if (!r.segs[i])
			err = -ENOMEM;
	}
	route_path_done(&p);
	if (!err) {
		v = realloc(routes->v, (routes->n + 1) * sizeof(*v));
		if (!v)
			err = -ENOMEM;
		else
			routes->v = v;
	}
	if (err) {
		route_done(&r);
		return err;
	}
	if (ops)
		r.ops = *ops;
	routes->v[routes->n++] = r;
	return 0;
}

const char *fuse_route_param(const struct fuse_route_req *req, const char *name)
{
	for (unsigned i = 0; i < req->n_params; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->param_values[i];
	return NULL;
}

/*
 * Does R serve the path P, exactly (returns 1) or as an implied directory
 * (2)?  0 if not.  A catch-all takes one segment or more.
 */
static int route_match(const struct route *r, const struct route_path *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		if (i == r->n_segs)
			return 0;
		switch (seg_rank(r->segs[i])) {
		case SEG_CATCH_ALL:
			return 1;
		case SEG_PARAM:
			break;
		case SEG_LITERAL:
			if (strcmp(r->segs[i], p->segs[i]) != 0)
				return 0;
		}
	}
	return p->n == r->n_segs ? 1 : 2;
}

/* The rank of R's segment I of a path (a catch-all covers the rest). */
static enum seg_rank route_rank_at(const struct route *r, unsigned i)
{
	for (unsigned j = 0; j <= i && j < r->n_segs; j++)
		if (seg_rank(r->segs[j]) == SEG_CATCH_ALL)
			return SEG_CATCH_ALL;
	return seg_rank(r->segs[i]);
}

struct candidate {
	const struct route *route;
	int how;                      /* route_match()'s 1 or 2 */
	size_t order;
};

/* Negative if A is to be tried before B. */
static int candidate_cmp(const struct candidate *a, const struct candidate *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int d = (int)route_rank_at(b->route, i) - (int)route_rank_at(a->route, i);

		if (d)
			return d;
	}
	if (a->how != b->how)
		return a->how - b->how;
	return a->order < b->order ? -1 : 1;
}

static void node_fill_params(struct route_node *node, const struct route *r,
			     const struct route_path *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n && i < r->n_segs; i++) {
		enum seg_rank rank = seg_rank(r->segs[i]);

		if (rank == SEG_LITERAL)
			continue;
		node->names[n] = r->segs[i][1] ? r->segs[i] + 1 : r->segs[i];
		node->values[n] = p->segs[i];
		if (rank == SEG_CATCH_ALL) {
			/* The rest of the path, trailing slashes dropped. */
			free(node->catch_all);
			node->catch_all = strdup(p->path + p->offs[i]);
			if (node->catch_all) {
				size_t len = strlen(node->catch_all);

				while (len > 0 && node->catch_all[len - 1] == '/')
					node->catch_all[--len] = '\0';
				node->values[n] = node->catch_all;
			}
		}
		n++;
	}
	node->req.n_params = n;
	node->req.param_names = node->names;
	node->req.param_values = node->values;
}

/* Can a route just below the directory at P create or unlink? */
static bool dir_writable(const struct fuse_routes *routes, const struct route_path *p)
{
	for (size_t i = 0; i < routes->n; i++) {
		const struct route *r = &routes->v[i];

		if (r->n_segs == p->n + 1 && route_match(r, p) == 2 &&
		    (r->ops.create || r->ops.unlink))
			return true;
	}
	return false;
}

static int node_default_stat(const struct fuse_routes *routes, const struct route_path *p,
			     struct route_node *node)
{
	const struct route *r = node->route;
	struct stat *st = &node->st;

	memset(st, 0, sizeof(*st));
	st->st_uid = routes->uid;
	st->st_gid = routes->gid;
	st->st_atim = st->st_mtim = st->st_ctim = routes->mounted;
	st->st_blksize = 4096;
	if (!r || node->implied || !route_is_file(r)) {
		st->st_mode = S_IFDIR | (dir_writable(routes, p) ? 0755 : 0555);
		st->st_nlink = 2;
		return 0;
	}
	st->st_mode = S_IFREG | (r->ops.write ? 0644 : 0444);
	st->st_nlink = 1;
	if (r->ops.content) {
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;
		int err = r->ops.content(&node->req, &buf, &len);

		if (err < 0)
			return err;
		st->st_size = len;
	}
	st->st_blocks = (st->st_size + 511) / 512;
	return 0;
}

static int route_resolve_at(const struct fuse_routes *routes, const struct route_path *p,
			    bool for_create, bool check_listed, struct route_node *node);

struct member_check {
	const char *name;
	bool found;
};

static int member_fn(void *ctx, const char *name)
{
	struct member_check *m = ctx;

	if (strcmp(m->name, name) == 0) {
		m->found = true;
		return 1;
	}
	return 0;
}

/*
 * Is the last segment of P listed by the directory above, if that has a
 * list handler?  1 yes (or nothing to ask), 0 no, or a negative errno.
 */
static int listed_by_parent(const struct fuse_routes *routes, const struct route_path *p)
{
	_cleanup_free_ char *ppath = NULL;
	struct route_path parent;
	struct route_node pnode;
	struct member_check m = { .name = p->segs[p->n - 1] };
	int err;

	ppath = strndup(p->path, p->n > 1 ? p->offs[p->n - 1] - 1 : 1);
	if (!ppath)
		return -ENOMEM;
	err = route_path_split(&parent, ppath);
	if (err < 0)
		return err;
	/* The kernel looked the parent up before: no membership check there. */
	err = route_resolve_at(routes, &parent, false, false, &pnode);
	if (err < 0) {
		route_path_done(&parent);
		return err;
	}
	if (!pnode.route || pnode.implied || !pnode.route->ops.list) {
		route_node_done(&pnode);
		route_path_done(&parent);
		return 1;
	}
	err = route_list(routes, &parent, &pnode, member_fn, &m);
	route_node_done(&pnode);
	route_path_done(&parent);
	return err < 0 ? err : m.found;
}

/* Try candidate C for P: 0 if it serves P, 1 if it declines, or -errno. */
static int try_candidate(const struct fuse_routes *routes, const struct route_path *p,
			 const struct candidate *c, bool check_listed, struct route_node *node)
{
	const struct route *r = c->route;
	int err;

	node->route = r;
	node->implied = c->how == 2;
	node->req.pattern = r->pattern;
	node->req.data = r->data;
	node_fill_params(node, r, p);
	/* content() saying -ENOENT (for the size) declines too. */
	err = node_default_stat(routes, p, node);
	if (err < 0)
		return err == -ENOENT ? 1 : err;
	if (!node->implied && r->ops.stat) {
		err = r->ops.stat(&node->req, &node->st);
		return err == -ENOENT ? 1 : err;
	}
	/* A literal segment is its own listing. */
	if (check_listed && p->n > 0 && route_rank_at(r, p->n - 1) != SEG_LITERAL) {
		err = listed_by_parent(routes, p);
		if (err < 0)
			return err;
		return err ? 0 : 1;
	}
	return 0;
}

static int route_resolve_at(const struct fuse_routes *routes, const struct route_path *p,
			    bool for_create, bool check_listed, struct route_node *node)
{
	_cleanup_free_ struct candidate *cands = NULL;
	size_t n = 0;
	int err;

	*node = (struct route_node){ .req.path = p->path };
	cands = calloc(routes->n ? routes->n : 1, sizeof(*cands));
	if (!cands)
		return -ENOMEM;
	for (size_t i = 0; i < routes->n; i++) {
		int how = route_match(&routes->v[i], p);
		struct candidate c = { &routes->v[i], how, i };
		size_t j;

		if (!how || (for_create && (how != 1 || !routes->v[i].ops.create)))
			continue;
		/* Insertion sort: tables are small, and it keeps ties stable. */
		for (j = n; j > 0 && candidate_cmp(&c, &cands[j - 1], p->n) < 0; j--)
			cands[j] = cands[j - 1];
		cands[j] = c;
		n++;
	}
	if (for_create) {
		if (n == 0)
			return -EACCES;
		node->route = cands[0].route;
		node->req.pattern = cands[0].route->pattern;
		node->req.data = cands[0].route->data;
		node_fill_params(node, cands[0].route, p);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		err = try_candidate(routes, p, &cands[i], check_listed, node);
		if (err <= 0)
			return err;
		route_node_done(node);
		*node = (struct route_node){ .req.path = p->path };
	}
	if (p->n == 0) {
		/* The root always exists. */
		return node_default_stat(routes, p, node);
	}
	return -ENOENT;
}

int route_resolve(const struct fuse_routes *routes, const char *path, bool for_create,
		  struct route_path *p, struct route_node *node)
{
	int err;

	*node = (struct route_node){ .req.path = path };
	err = route_path_split(p, path);
	if (err < 0)
		return err;
	err = route_resolve_at(routes, p, for_create, true, node);
	if (err < 0) {
		route_node_done(node);
		route_path_done(p);
	}
	return err;
}

struct name_set {
	char **v;
	size_t n;
	int (*fn)(void *ctx, const char *name);
	void *ctx;
	int stop;                     /* fn's non-zero return */
};

static int name_set_add(void *ctx, const char *name)
{
	struct name_set *s = ctx;
	char **v;

	if (s->stop || !name[0] || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 0;
	v = realloc(s->v, (s->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n] = strdup(name);
	if (!s->v[s->n])
		return -ENOMEM;
	s->n++;
	s->stop = s->fn(s->ctx, name);
	return 0;
}

int route_list(const struct fuse_routes *routes, const struct route_path *p,
	       const struct route_node *node,
	       int (*fn)(void *ctx, const char *name), void *ctx)
{
	struct name_set s = { .fn = fn, .ctx = ctx };
	int err = 0;

	for (size_t i = 0; !err && !s.stop && i < routes->n; i++) {
		const struct route *r = &routes->v[i];

		if (r->n_segs > p->n && route_match(r, p) == 2 &&
		    seg_rank(r->segs[p->n]) == SEG_LITERAL)
			err = name_set_add(&s, r->segs[p->n]);
	}
	if (!err && !s.stop && node->route && !node->implied && node->route->ops.list)
		err = node->route->ops.list(&node->req, name_set_add, &s);
	for (size_t i = 0; i < s.n; i++)
		free(s.v[i]);
	free(s.v);
	if (err < 0)
		return err;
	return s.stop;
}
