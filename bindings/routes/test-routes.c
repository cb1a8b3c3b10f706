/*
 * test-routes: the route table without FUSE: which patterns are taken,
 * which route serves a path (specificity, declining, implied directories),
 * the parameters a handler gets, default attributes and listings.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "routes-i.h"

static int fails;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
			fails++;                                                 \
		}                                                                \
	} while (0)

static int root_list(const struct fuse_route_req *req, fuse_route_fill_t fill, void *ctx)
{
	/* "7" twice and "latest" (a literal too): each listed once. */
	return fill(ctx, "7") ?: fill(ctx, "7") ?: fill(ctx, "alice") ?: fill(ctx, "latest") ?:
	       fill(ctx, "bad/name") ?: fill(ctx, "..");
}

static int number_stat(const struct fuse_route_req *req, struct stat *st)
{
	const char *n = fuse_route_param(req, "number");

	return strspn(n, "0123456789") == strlen(n) ? 0 : -ENOENT;
}

static int hello_content(const struct fuse_route_req *req, char **buf, size_t *len)
{
	*buf = strdup("hello\n");
	*len = 6;
	return *buf ? 0 : -ENOMEM;
}

static ssize_t note_write(const struct fuse_route_req *req, const char *buf, size_t size, off_t off)
{
	return size;
}

static int note_create(const struct fuse_route_req *req, mode_t mode)
{
	return 0;
}

struct names {
	char all[256];
};

static int collect(void *ctx, const char *name)
{
	struct names *n = ctx;

	strcat(n->all, name);
	strcat(n->all, " ");
	return 0;
}

/* Resolve PATH: its errno, and on success its mode and pattern. */
static int resolve(struct fuse_routes *r, const char *path, mode_t *mode, const char **pattern,
		   char *params, size_t params_size)
{
	struct route_path p;
	struct route_node node;
	int err = route_resolve(r, path, false, &p, &node);

	if (err < 0)
		return err;
	*mode = node.st.st_mode;
	*pattern = node.route ? node.route->pattern : "(root)";
	params[0] = '\0';
	for (unsigned i = 0; i < node.req.n_params; i++)
		snprintf(params + strlen(params), params_size - strlen(params), "%s=%s;",
			 node.req.param_names[i], node.req.param_values[i]);
	route_node_done(&node);
	route_path_done(&p);
	return 0;
}

static void list(struct fuse_routes *r, const char *path, struct names *out)
{
	struct route_path p;
	struct route_node node;

	out->all[0] = '\0';
	CHECK(route_resolve(r, path, false, &p, &node) == 0);
	CHECK(route_list(r, &p, &node, collect, out) == 0);
	route_node_done(&node);
	route_path_done(&p);
}

int main(void)
{
	struct fuse_routes *r = fuse_routes_new();
	const struct fuse_route_ops none = { 0 };
	char params[256];
	const char *pattern;
	struct names names;
	mode_t mode;

	CHECK(r);
	/* Malformed patterns. */
	CHECK(fuse_routes_add(r, "", &none, NULL) == -EINVAL);
	CHECK(fuse_routes_add(r, "a", &none, NULL) == -EINVAL);
	CHECK(fuse_routes_add(r, "/a//b", &none, NULL) == -EINVAL);
	CHECK(fuse_routes_add(r, "/:/b", &none, NULL) == -EINVAL);
	CHECK(fuse_routes_add(r, "/*rest/b", &none, NULL) == -EINVAL);
	CHECK(r->n == 0);

	/* Nothing registered: the root is an empty directory, nothing else is. */
	CHECK(resolve(r, "/", &mode, &pattern, params, sizeof(params)) == 0 && S_ISDIR(mode));
	CHECK(resolve(r, "/x", &mode, &pattern, params, sizeof(params)) == -ENOENT);

	CHECK(fuse_routes_add(r, "/", &(struct fuse_route_ops){ .list = root_list }, NULL) == 0);
	CHECK(fuse_routes_add(r, "/latest", &(struct fuse_route_ops){ .content = hello_content }, NULL) == 0);
	CHECK(fuse_routes_add(r, "/:number", &(struct fuse_route_ops){
		.stat = number_stat, .content = hello_content }, NULL) == 0);
	CHECK(fuse_routes_add(r, "/:user/notes/:name", &(struct fuse_route_ops){
		.content = hello_content, .write = note_write, .create = note_create }, NULL) == 0);
	CHECK(fuse_routes_add(r, "/about/*what", &(struct fuse_route_ops){
		.content = hello_content }, NULL) == 0);

	/* The literal before the parameters. */
	CHECK(resolve(r, "/latest", &mode, &pattern, params, sizeof(params)) == 0);
	CHECK(S_ISREG(mode) && (mode & 07777) == 0444 && strcmp(pattern, "/latest") == 0);
	/* /:number takes digits; its stat declines the rest. */
	CHECK(resolve(r, "/7", &mode, &pattern, params, sizeof(params)) == 0);
	CHECK(S_ISREG(mode) && strcmp(pattern, "/:number") == 0 && strcmp(params, "number=7;") == 0);
	/* Declined by /:number, listed by the root: the implied /:user. */
	CHECK(resolve(r, "/alice", &mode, &pattern, params, sizeof(params)) == 0);
	CHECK(S_ISDIR(mode) && (mode & 07777) == 0555 && strcmp(params, "user=alice;") == 0);
	/* Not listed by the root: every route without a stat declines it. */
	CHECK(resolve(r, "/carol", &mode, &pattern, params, sizeof(params)) == -ENOENT);
	/* Implied, writable: a route below creates. */
	CHECK(resolve(r, "/alice/notes", &mode, &pattern, params, sizeof(params)) == 0);
	CHECK(S_ISDIR(mode) && (mode & 07777) == 0755);
	CHECK(resolve(r, "/alice/notes/todo", &mode, &pattern, params, sizeof(params)) == 0);
	CHECK(S_ISREG(mode) && (mode & 07777) == 0644);
	CHECK(strcmp(params, "user=alice;name=todo;") == 0);
	CHECK(resolve(r, "/alice/other", &mode, &pattern, params, sizeof(params)) == -ENOENT);
	/* The catch-all takes the rest of the path. */
	CHECK(resolve(r, "/about", &mode, &pattern, params, sizeof(params)) == 0 && S_ISDIR(mode));
	CHECK(resolve(r, "/about/a/b/c", &mode, &pattern, params, sizeof(params)) == 0);
	CHECK(S_ISREG(mode) && strcmp(params, "what=a/b/c;") == 0);

	/* Size from content(). */
	{
		struct route_path p;
		struct route_node node;

		CHECK(route_resolve(r, "/latest", false, &p, &node) == 0);
		CHECK(node.st.st_size == 6 && node.st.st_nlink == 1);
		route_node_done(&node);
		route_path_done(&p);
		/* create: the first route with a create handler, nothing declined. */
		CHECK(route_resolve(r, "/bob/notes/new", true, &p, &node) == 0);
		CHECK(strcmp(node.route->pattern, "/:user/notes/:name") == 0);
		route_node_done(&node);
		route_path_done(&p);
		CHECK(route_resolve(r, "/latest/x", true, &p, &node) == -EACCES);
	}

	/* Literals implied below the directory, then the handler's, once each. */
	list(r, "/", &names);
	CHECK(strcmp(names.all, "latest about 7 alice ") == 0);
	list(r, "/alice", &names);
	CHECK(strcmp(names.all, "notes ") == 0);

	fuse_routes_free(r);
	if (fails) {
		fprintf(stderr, "%d check(s) failed\n", fails);
		return 1;
	}
	return 0;
}
