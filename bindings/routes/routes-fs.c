/*
 * The route table as a libfuse 3 high-level filesystem: each operation
 * resolves its path (routes.c) and calls the serving route's handler, or
 * does what fuse_routes.h says a route without one does.
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <string.h>

#include "routes-i.h"

/* A read-only open of a content() file: what it said at open. */
struct open_content {
	char *buf;
	size_t len;
};

static struct fuse_routes *routes_here(void)
{
	return fuse_get_context()->private_data;
}

/* Resolve PATH; the caller ends P and NODE (route_resolve()). */
static int resolve(const char *path, bool for_create, struct route_path *p,
		   struct route_node *node)
{
	struct fuse_context *ctx = fuse_get_context();
	int err = route_resolve(ctx->private_data, path, for_create, p, node);

	node->req.uid = ctx->uid;
	node->req.gid = ctx->gid;
	node->req.pid = ctx->pid;
	return err;
}

static void done(struct route_path *p, struct route_node *node)
{
	route_node_done(node);
	route_path_done(p);
}

static void *routes_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* Handlers answer from live data: no cached attributes or names. */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return routes_here();
}

static int routes_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct route_path p;
	struct route_node node;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	*st = node.st;
	done(&p, &node);
	return 0;
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t fill;
};

static int fill_one(void *ctx, const char *name)
{
	struct fill_ctx *f = ctx;

	return f->fill(f->buf, name, NULL, 0, 0);
}

static int routes_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			  struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct fill_ctx f = { buf, fill };
	struct route_path p;
	struct route_node node;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	if (!S_ISDIR(node.st.st_mode)) {
		done(&p, &node);
		return -ENOTDIR;
	}
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	err = route_list(routes_here(), &p, &node, fill_one, &f);
	done(&p, &node);
	return err < 0 ? err : 0;
}

/* Open NODE's file with FI's flags (open and create). */
static int open_node(struct route_node *node, struct fuse_file_info *fi)
{
	const struct route *r = node->route;
	int acc = fi->flags & O_ACCMODE;
	struct open_content *oc;
	int err;

	if (S_ISDIR(node->st.st_mode) || !r)
		return -EISDIR;
	if (acc != O_RDONLY && !r->ops.write)
		return -EACCES;
	if (acc != O_WRONLY && !r->ops.content && !r->ops.read)
		return -EACCES;
	/* With atomic_o_trunc the kernel leaves O_TRUNC to open. */
	if ((fi->flags & O_TRUNC) && acc != O_RDONLY && r->ops.truncate) {
		err = r->ops.truncate(&node->req, 0);
		if (err < 0)
			return err;
	}
	if (acc != O_RDONLY || !r->ops.content) {
		/* Every read and write goes to the handlers, whatever st_size says. */
		fi->direct_io = 1;
		return 0;
	}
	oc = calloc(1, sizeof(*oc));
	if (!oc)
		return -ENOMEM;
	err = r->ops.content(&node->req, &oc->buf, &oc->len);
	if (err < 0) {
		free(oc);
		return err;
	}
	fi->fh = (uintptr_t)oc;
	return 0;
}

static int routes_open(const char *path, struct fuse_file_info *fi)
{
	struct route_path p;
	struct route_node node;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	err = open_node(&node, fi);
	done(&p, &node);
	return err;
}

static int routes_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct route_path p;
	struct route_node node;
	int err = resolve(path, true, &p, &node);

	if (err < 0)
		return err;
	err = node.route->ops.create(&node.req, mode);
	done(&p, &node);
	if (err < 0)
		return err;
	/* Now it exists: open it as the route serving it says. */
	err = resolve(path, false, &p, &node);
	if (err < 0)
		return err;
	err = open_node(&node, fi);
	done(&p, &node);
	return err;
}

static int slice(const char *data, size_t len, char *buf, size_t size, off_t off)
{
	if (off < 0)
		return -EINVAL;
	if ((size_t)off >= len)
		return 0;
	if (size > len - off)
		size = len - off;
	memcpy(buf, data + off, size);
	return size;
}

static int routes_read(const char *path, char *buf, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct open_content *oc = (struct open_content *)(uintptr_t)fi->fh;
	struct route_path p;
	struct route_node node;
	ssize_t n;
	int err;

	if (oc)
		return slice(oc->buf, oc->len, buf, size, off);
	err = resolve(path, false, &p, &node);
	if (err < 0)
		return err;
	if (node.route && node.route->ops.read) {
		n = node.route->ops.read(&node.req, buf, size, off);
	} else if (node.route && node.route->ops.content) {
		_cleanup_free_ char *data = NULL;
		size_t len = 0;

		n = node.route->ops.content(&node.req, &data, &len);
		if (n >= 0)
			n = slice(data, len, buf, size, off);
	} else {
		n = -EACCES;
	}
	done(&p, &node);
	return n > (ssize_t)size ? -EIO : (int)n;
}

static int routes_write(const char *path, const char *buf, size_t size, off_t off,
			struct fuse_file_info *fi)
{
	struct route_path p;
	struct route_node node;
	ssize_t n;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	n = node.route && node.route->ops.write ?
		node.route->ops.write(&node.req, buf, size, off) : -EACCES;
	done(&p, &node);
	return n > (ssize_t)size ? -EIO : (int)n;
}

static int routes_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct route_path p;
	struct route_node node;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	if (S_ISDIR(node.st.st_mode))
		err = -EISDIR;
	else if (node.route && node.route->ops.truncate)
		err = node.route->ops.truncate(&node.req, size);
	else
		err = node.route && node.route->ops.write ? 0 : -EACCES;
	done(&p, &node);
	return err;
}

static int routes_unlink(const char *path)
{
	struct route_path p;
	struct route_node node;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	if (S_ISDIR(node.st.st_mode))
		err = -EISDIR;
	else
		err = node.route->ops.unlink ? node.route->ops.unlink(&node.req) : -EACCES;
	done(&p, &node);
	return err;
}

/* Existence only: utimens is accepted (touch), chmod and chown are not. */
static int exists(const char *path)
{
	struct route_path p;
	struct route_node node;
	int err = resolve(path, false, &p, &node);

	if (err < 0)
		return err;
	done(&p, &node);
	return 0;
}

static int routes_utimens(const char *path, const struct timespec tv[2],
			  struct fuse_file_info *fi)
{
	return exists(path);
}

static int routes_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int err = exists(path);

	return err < 0 ? err : -EPERM;
}

static int routes_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	int err = exists(path);

	return err < 0 ? err : -EPERM;
}

static int routes_release(const char *path, struct fuse_file_info *fi)
{
	struct open_content *oc = (struct open_content *)(uintptr_t)fi->fh;

	if (oc) {
		free(oc->buf);
		free(oc);
	}
	return 0;
}

static const struct fuse_operations routes_ops = {
	.init = routes_init,
	.getattr = routes_getattr,
	.readdir = routes_readdir,
	.open = routes_open,
	.create = routes_create,
	.read = routes_read,
	.write = routes_write,
	.truncate = routes_truncate,
	.unlink = routes_unlink,
	.utimens = routes_utimens,
	.chmod = routes_chmod,
	.chown = routes_chown,
	.release = routes_release,
};

int fuse_routes_main(struct fuse_routes *routes, int argc, char *argv[])
{
	return fuse_main(argc, argv, &routes_ops, routes);
}
