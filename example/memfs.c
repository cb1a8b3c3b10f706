// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memfs: a writable filesystem that lives in memory.
 *
 * Shows a complete high-level filesystem with its own inodes: directories,
 * regular files, symlinks, FIFOs, hard links (one node, many names), rename
 * with RENAME_NOREPLACE and RENAME_EXCHANGE, extended attributes,
 * chmod/chown/utimens with UTIME_NOW/UTIME_OMIT, fallocate and statfs.
 * Nodes are freed when their last name and last open handle are gone.
 * One mutex serialises everything: fuse_main() runs a multithreaded loop.
 * Usage: memfs MOUNTPOINT [fuse options]
 */
#define FUSE_USE_VERSION 314

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* Limits that keep one caller from eating the machine's memory. */
#define MEMFS_MAX_FILE (1ULL << 32)
#define MEMFS_MAX_XATTR_VALUE 65536
#define MEMFS_BLOCK 4096

struct xattr {
	struct xattr *next;
	char *name;
	size_t size;
	char value[];
};

struct dentry {
	struct dentry *next;
	struct node *node;
	char name[];
};

struct node {
	struct stat st;
	unsigned open_count;
	char *data;             /* regular file contents */
	size_t cap;
	char *target;           /* symlink target */
	struct dentry *children; /* directory entries, newest first */
	struct node *parent;    /* directories only: their one parent */
	struct xattr *xattrs;
};

static pthread_mutex_t memfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct node *memfs_root;
static ino_t memfs_next_ino = 2;
static unsigned long long memfs_bytes, memfs_nodes;

static void lock(void) { pthread_mutex_lock(&memfs_lock); }
static void unlock(void) { pthread_mutex_unlock(&memfs_lock); }

static struct timespec now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

static void touch_mc(struct node *n)
{
	n->st.st_mtim = n->st.st_ctim = now();
}

/* The owner is the caller's, or for the root, made before there is any
 * request, whoever runs the filesystem: fuse_get_context() is only
 * defined inside a request (libfuse's reads a thread key fuse_new() has
 * not created yet, some other library's key 0). */
static struct node *node_new(mode_t mode, uid_t uid, gid_t gid)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->st.st_ino = memfs_next_ino++;
	n->st.st_mode = mode;
	n->st.st_nlink = S_ISDIR(mode) ? 2 : 1;
	n->st.st_uid = uid;
	n->st.st_gid = gid;
	n->st.st_blksize = MEMFS_BLOCK;
	n->st.st_atim = n->st.st_mtim = n->st.st_ctim = now();
	memfs_nodes++;
	return n;
}

static void node_free(struct node *n)
{
	while (n->xattrs) {
		struct xattr *x = n->xattrs;
		n->xattrs = x->next;
		free(x->name);
		free(x);
	}
	memfs_bytes -= n->cap;
	memfs_nodes--;
	free(n->data);
	free(n->target);
	free(n);
}

/* Frees a node once nothing refers to it: neither a name nor an open handle. */
static void node_put(struct node *n)
{
	bool unnamed = S_ISDIR(n->st.st_mode) ? n->st.st_nlink < 2 : n->st.st_nlink == 0;

	if (unnamed && n->open_count == 0)
		node_free(n);
}

static struct dentry *dir_find(struct node *dir, const char *name, size_t len)
{
	for (struct dentry *d = dir->children; d; d = d->next)
		if (strlen(d->name) == len && memcmp(d->name, name, len) == 0)
			return d;
	return NULL;
}

/* Walks a path; on success *parentp is the directory holding the last
 * component (NULL for the root) and *lastp points at that component. */
static int walk(const char *path, struct node **parentp, const char **lastp, struct node **np)
{
	struct node *n = memfs_root, *parent = NULL;
	const char *last = path;

	while (*path == '/')
		path++;
	while (*path) {
		size_t len = strcspn(path, "/");
		struct dentry *d;

		if (!S_ISDIR(n->st.st_mode))
			return -ENOTDIR;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		parent = n;
		last = path;
		d = dir_find(n, path, len);
		path += len;
		while (*path == '/')
			path++;
		if (!d) {
			if (*path)
				return -ENOENT;
			n = NULL;
			break;
		}
		n = d->node;
	}
	if (parentp)
		*parentp = parent;
	if (lastp)
		*lastp = last;
	*np = n;
	return n ? 0 : -ENOENT;
}

static int lookup(const char *path, struct node **np)
{
	return walk(path, NULL, NULL, np);
}

/* Finds the parent of a path whose last component must not exist yet. */
static int lookup_new(const char *path, struct node **parentp, const char **namep)
{
	struct node *n;
	int r = walk(path, parentp, namep, &n);

	if (r == 0)
		return -EEXIST;
	if (r != -ENOENT || !*parentp)
		return r;
	return 0;
}

static struct dentry *dentry_new(const char *name)
{
	size_t len = strcspn(name, "/");
	struct dentry *d = malloc(sizeof(*d) + len + 1);

	if (d) {
		memcpy(d->name, name, len);
		d->name[len] = '\0';
	}
	return d;
}

/* Puts a name in a directory and counts the link it makes. */
static void dir_insert(struct node *dir, struct dentry *d, struct node *n)
{
	d->node = n;
	d->next = dir->children;
	dir->children = d;
	if (S_ISDIR(n->st.st_mode)) {
		n->parent = dir;
		dir->st.st_nlink++;
	} else {
		n->st.st_nlink++;
	}
	n->st.st_ctim = now();
	touch_mc(dir);
}

static int dir_add(struct node *dir, const char *name, struct node *n)
{
	struct dentry *d = dentry_new(name);

	if (!d)
		return -ENOMEM;
	dir_insert(dir, d, n);
	return 0;
}

/* Takes a name out of its directory's list, leaving all counts alone. */
static void dir_detach(struct node *dir, struct dentry *victim)
{
	for (struct dentry **dp = &dir->children; *dp; dp = &(*dp)->next) {
		if (*dp == victim) {
			*dp = victim->next;
			return;
		}
	}
}

/* Unlinks one name; the node lives on while it is open or has other names. */
static void dir_remove(struct node *dir, struct dentry *victim)
{
	struct node *n = victim->node;

	dir_detach(dir, victim);
	free(victim);
	if (S_ISDIR(n->st.st_mode)) {
		dir->st.st_nlink--;
		n->st.st_nlink = 0;
		n->parent = NULL;
	} else {
		n->st.st_nlink--;
	}
	n->st.st_ctim = now();
	touch_mc(dir);
	node_put(n);
}

static int make(const char *path, mode_t mode, struct node **np)
{
	struct fuse_context *ctx = fuse_get_context();
	struct node *dir, *n;
	const char *name;
	int r = lookup_new(path, &dir, &name);

	if (r < 0)
		return r;
	n = node_new(mode, ctx->uid, ctx->gid);
	if (!n)
		return -ENOMEM;
	/* A name in a setgid directory takes the directory's group. */
	if (dir->st.st_mode & S_ISGID) {
		n->st.st_gid = dir->st.st_gid;
		if (S_ISDIR(mode))
			n->st.st_mode |= S_ISGID;
	}
	/* dir_add() counts the new name; a directory also has its ".". */
	n->st.st_nlink = S_ISDIR(mode) ? 2 : 0;
	r = dir_add(dir, name, n);
	if (r < 0) {
		node_free(n);
		return r;
	}
	if (np)
		*np = n;
	return 0;
}

static int file_resize(struct node *n, off_t size)
{
	if (size < 0)
		return -EINVAL;
	if ((unsigned long long)size > MEMFS_MAX_FILE)
		return -EFBIG;
	if ((size_t)size > n->cap) {
		size_t cap = n->cap ? n->cap : MEMFS_BLOCK;
		char *data;

		while (cap < (size_t)size)
			cap *= 2;
		data = realloc(n->data, cap);
		if (!data)
			return -ENOSPC;
		memfs_bytes += cap - n->cap;
		n->data = data;
		n->cap = cap;
	}
	if (size > n->st.st_size)
		memset(n->data + n->st.st_size, 0, size - n->st.st_size);
	n->st.st_size = size;
	n->st.st_blocks = (size + 511) / 512;
	return 0;
}

static struct node *fi_node(struct fuse_file_info *fi)
{
	return fi ? (struct node *)(uintptr_t)fi->fh : NULL;
}

/* The open file's node, else the one at path (nullpath_ok may leave
 * path NULL when there is a handle).  With the lock held. */
static int fi_lookup(const char *path, struct fuse_file_info *fi, struct node **n)
{
	*n = fi_node(fi);
	return *n ? 0 : lookup(path, n);
}

/* Every operation below: take the lock, find the node, act, unlock. */

static void *memfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->use_ino = 1;
	/* The library gives each name of a hard link its own kernel inode; a
	 * cached attribute of one name would miss a link count changed through
	 * another. */
	cfg->attr_timeout = 0;
	/* Open files are found by their handle, not by a path: they keep
	 * working once unlinked, also with -o hard_remove. */
	cfg->nullpath_ok = 1;
	return NULL;
}

static int memfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = fi_lookup(path, fi, &n);
	if (r == 0)
		*st = n->st;
	unlock();
	return r;
}

static int memfs_opendir(const char *path, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = lookup(path, &n);
	if (r == 0 && !S_ISDIR(n->st.st_mode))
		r = -ENOTDIR;
	if (r == 0) {
		n->open_count++;
		fi->fh = (uintptr_t)n;
	}
	unlock();
	return r;
}

/* With nullpath_ok the library may pass no path: the handle has the node. */
static int memfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			 struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct node *n;
	int r;

	lock();
	r = fi_lookup(path, fi, &n);
	if (r == 0) {
		/* Offset 0 everywhere: the library keeps the listing between calls. */
		fill(buf, ".", &n->st, 0, 0);
		fill(buf, "..", n->parent ? &n->parent->st : NULL, 0, 0);
		for (struct dentry *d = n->children; d; d = d->next)
			if (fill(buf, d->name, &d->node->st, 0, FUSE_FILL_DIR_PLUS))
				break;
	}
	unlock();
	return r;
}

static int memfs_mkdir(const char *path, mode_t mode)
{
	int r;

	lock();
	r = make(path, S_IFDIR | (mode & 07777), NULL);
	unlock();
	return r;
}

static int memfs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct node *n;
	int r;

	if (!S_ISREG(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode) &&
	    !S_ISCHR(mode) && !S_ISBLK(mode))
		return -EINVAL;
	lock();
	r = make(path, mode, &n);
	if (r == 0)
		n->st.st_rdev = rdev;
	unlock();
	return r;
}

static int memfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = make(path, S_IFREG | (mode & 07777), &n);
	if (r == 0) {
		n->open_count++;
		fi->fh = (uintptr_t)n;
	}
	unlock();
	return r;
}

static int memfs_symlink(const char *target, const char *path)
{
	struct node *n;
	int r;

	if (strlen(target) >= PATH_MAX)
		return -ENAMETOOLONG;
	lock();
	r = make(path, S_IFLNK | 0777, &n);
	if (r == 0) {
		n->target = strdup(target);
		n->st.st_size = strlen(target);
		if (!n->target) {
			struct node *dir;
			const char *name;
			walk(path, &dir, &name, &n);
			dir_remove(dir, dir_find(dir, name, strlen(name)));
			r = -ENOMEM;
		}
	}
	unlock();
	return r;
}

static int memfs_readlink(const char *path, char *buf, size_t size)
{
	struct node *n;
	int r;

	lock();
	r = lookup(path, &n);
	if (r == 0 && !S_ISLNK(n->st.st_mode))
		r = -EINVAL;
	if (r == 0) {
		strncpy(buf, n->target, size - 1);
		buf[size - 1] = '\0';
	}
	unlock();
	return r;
}

static int remove_name(const char *path, bool want_dir)
{
	struct node *dir, *n;
	const char *name;
	int r;

	lock();
	r = walk(path, &dir, &name, &n);
	if (r == 0 && !dir)
		r = -EBUSY;
	if (r == 0 && want_dir && !S_ISDIR(n->st.st_mode))
		r = -ENOTDIR;
	if (r == 0 && !want_dir && S_ISDIR(n->st.st_mode))
		r = -EISDIR;
	if (r == 0 && want_dir && n->children)
		r = -ENOTEMPTY;
	if (r == 0)
		dir_remove(dir, dir_find(dir, name, strlen(name)));
	unlock();
	return r;
}

static int memfs_unlink(const char *path)
{
	return remove_name(path, false);
}

static int memfs_rmdir(const char *path)
{
	return remove_name(path, true);
}

static bool is_ancestor(struct node *a, struct node *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

static int rename_locked(const char *from, const char *to, unsigned int flags)
{
	struct node *fdir, *tdir, *fn, *tn;
	const char *fname, *tname;
	struct dentry *fd, *td, *nd;
	int r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE))
		return -EINVAL;
	r = walk(from, &fdir, &fname, &fn);
	if (r < 0)
		return r;
	if (!fdir)
		return -EBUSY;
	r = walk(to, &tdir, &tname, &tn);
	if (r < 0 && r != -ENOENT)
		return r;
	if (!tdir)
		return -EBUSY;
	fd = dir_find(fdir, fname, strlen(fname));
	td = tn ? dir_find(tdir, tname, strlen(tname)) : NULL;

	if (flags & RENAME_EXCHANGE) {
		if (!tn)
			return -ENOENT;
		if ((S_ISDIR(fn->st.st_mode) && is_ancestor(fn, tdir)) ||
		    (S_ISDIR(tn->st.st_mode) && is_ancestor(tn, fdir)))
			return -EINVAL;
		fd->node = tn;
		td->node = fn;
		if (S_ISDIR(fn->st.st_mode) != S_ISDIR(tn->st.st_mode) && fdir != tdir) {
			/* A directory moving to another parent moves its ".." link. */
			struct node *dn = S_ISDIR(fn->st.st_mode) ? fn : tn;
			struct node *newp = dn == fn ? tdir : fdir;
			dn->parent->st.st_nlink--;
			newp->st.st_nlink++;
		}
		if (S_ISDIR(fn->st.st_mode))
			fn->parent = tdir;
		if (S_ISDIR(tn->st.st_mode))
			tn->parent = fdir;
		fn->st.st_ctim = tn->st.st_ctim = now();
		touch_mc(fdir);
		touch_mc(tdir);
		return 0;
	}

	if (tn) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (tn == fn)
			return 0;
		if (S_ISDIR(fn->st.st_mode) && !S_ISDIR(tn->st.st_mode))
			return -ENOTDIR;
		if (!S_ISDIR(fn->st.st_mode) && S_ISDIR(tn->st.st_mode))
			return -EISDIR;
		if (S_ISDIR(tn->st.st_mode) && tn->children)
			return -ENOTEMPTY;
	}
	if (S_ISDIR(fn->st.st_mode) && is_ancestor(fn, tdir))
		return -EINVAL;
	/* Allocate before changing anything, so ENOMEM leaves the tree as it was. */
	nd = dentry_new(tname);
	if (!nd)
		return -ENOMEM;
	if (td)
		dir_remove(tdir, td);
	dir_detach(fdir, fd);
	free(fd);
	if (S_ISDIR(fn->st.st_mode))
		fdir->st.st_nlink--;
	else
		fn->st.st_nlink--;
	touch_mc(fdir);
	dir_insert(tdir, nd, fn);
	return 0;
}

static int memfs_rename(const char *from, const char *to, unsigned int flags)
{
	int r;

	lock();
	r = rename_locked(from, to, flags);
	unlock();
	return r;
}

static int memfs_link(const char *from, const char *to)
{
	struct node *n, *dir;
	const char *name;
	int r;

	lock();
	r = lookup(from, &n);
	if (r == 0 && S_ISDIR(n->st.st_mode))
		r = -EPERM;
	if (r == 0)
		r = lookup_new(to, &dir, &name);
	if (r == 0)
		r = dir_add(dir, name, n);
	unlock();
	return r;
}

static int memfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = fi_lookup(path, fi, &n);
	if (r == 0) {
		n->st.st_mode = (n->st.st_mode & S_IFMT) | (mode & 07777);
		n->st.st_ctim = now();
	}
	unlock();
	return r;
}

static int memfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = fi_lookup(path, fi, &n);
	if (r == 0) {
		if (uid != (uid_t)-1)
			n->st.st_uid = uid;
		if (gid != (gid_t)-1)
			n->st.st_gid = gid;
		/* A change of owner drops set-id bits, as local filesystems do. */
		if (!S_ISDIR(n->st.st_mode))
			n->st.st_mode &= ~(S_ISUID | ((n->st.st_mode & S_IXGRP) ? S_ISGID : 0));
		n->st.st_ctim = now();
	}
	unlock();
	return r;
}

static int memfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = fi_lookup(path, fi, &n);
	if (r == 0 && S_ISDIR(n->st.st_mode))
		r = -EISDIR;
	else if (r == 0 && !S_ISREG(n->st.st_mode))
		r = -EINVAL;
	if (r == 0)
		r = file_resize(n, size);
	if (r == 0)
		touch_mc(n);
	unlock();
	return r;
}

static void set_time(struct timespec *t, const struct timespec *ts)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return;
	*t = ts->tv_nsec == UTIME_NOW ? now() : *ts;
}

static int memfs_utimens(const char *path, const struct timespec ts[2],
			 struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = fi_lookup(path, fi, &n);
	if (r == 0) {
		set_time(&n->st.st_atim, &ts[0]);
		set_time(&n->st.st_mtim, &ts[1]);
		n->st.st_ctim = now();
	}
	unlock();
	return r;
}

static int memfs_open(const char *path, struct fuse_file_info *fi)
{
	struct node *n;
	int r;

	lock();
	r = lookup(path, &n);
	if (r == 0 && S_ISDIR(n->st.st_mode))
		r = -EISDIR;
	if (r == 0 && (fi->flags & O_TRUNC) && S_ISREG(n->st.st_mode)) {
		r = file_resize(n, 0);
		touch_mc(n);
	}
	if (r == 0) {
		n->open_count++;
		fi->fh = (uintptr_t)n;
	}
	unlock();
	return r;
}

static int memfs_release(const char *path, struct fuse_file_info *fi)
{
	struct node *n = fi_node(fi);

	lock();
	n->open_count--;
	node_put(n);
	unlock();
	return 0;
}

static int memfs_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct node *n = fi_node(fi);
	int r = 0;

	lock();
	if (off < n->st.st_size) {
		if (size > (size_t)(n->st.st_size - off))
			size = n->st.st_size - off;
		memcpy(buf, n->data + off, size);
		r = size;
	}
	n->st.st_atim = now();
	unlock();
	return r;
}

static int memfs_write(const char *path, const char *buf, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct node *n = fi_node(fi);
	int r = 0;

	lock();
	/* The kernel sends the file's end as the offset for O_APPEND writes
	 * unless writeback caching is on; honour the flag ourselves as well. */
	if (fi->flags & O_APPEND)
		off = n->st.st_size;
	if (off + (off_t)size > n->st.st_size)
		r = file_resize(n, off + size);
	if (r == 0) {
		memcpy(n->data + off, buf, size);
		touch_mc(n);
		/* A write by anyone but root drops the set-id bits. */
		n->st.st_mode &= ~(S_ISUID | S_ISGID);
		r = size;
	}
	unlock();
	return r;
}

static int memfs_fallocate(const char *path, int mode, off_t off, off_t len,
			   struct fuse_file_info *fi)
{
	struct node *n = fi_node(fi);
	int r = 0;

	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	lock();
	if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > n->st.st_size)
		r = file_resize(n, off + len);
	if (r == 0)
		n->st.st_ctim = now();
	unlock();
	return r;
}

static int memfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	return 0;
}

static int memfs_statfs(const char *path, struct statvfs *st)
{
	memset(st, 0, sizeof(*st));
	lock();
	st->f_bsize = st->f_frsize = MEMFS_BLOCK;
	st->f_blocks = (1ULL << 40) / MEMFS_BLOCK;
	st->f_bfree = st->f_bavail = st->f_blocks - memfs_bytes / MEMFS_BLOCK;
	st->f_files = 1 << 24;
	st->f_ffree = st->f_favail = st->f_files - memfs_nodes;
	st->f_namemax = NAME_MAX;
	unlock();
	return 0;
}

static struct xattr **xattr_find(struct node *n, const char *name)
{
	struct xattr **xp;

	for (xp = &n->xattrs; *xp; xp = &(*xp)->next)
		if (strcmp((*xp)->name, name) == 0)
			break;
	return xp;
}

static int memfs_setxattr(const char *path, const char *name, const char *value,
			  size_t size, int flags)
{
	struct xattr **xp, *x;
	struct node *n;
	int r;

	if (size > MEMFS_MAX_XATTR_VALUE)
		return -E2BIG;
	lock();
	r = lookup(path, &n);
	if (r < 0)
		goto out;
	xp = xattr_find(n, name);
	if (*xp && (flags & XATTR_CREATE)) {
		r = -EEXIST;
		goto out;
	}
	if (!*xp && (flags & XATTR_REPLACE)) {
		r = -ENODATA;
		goto out;
	}
	x = malloc(sizeof(*x) + size);
	if (!x || !(x->name = strdup(name))) {
		free(x);
		r = -ENOMEM;
		goto out;
	}
	x->size = size;
	memcpy(x->value, value, size);
	if (*xp) {
		x->next = (*xp)->next;
		free((*xp)->name);
		free(*xp);
	} else {
		x->next = NULL;
	}
	*xp = x;
	n->st.st_ctim = now();
out:
	unlock();
	return r;
}

static int memfs_getxattr(const char *path, const char *name, char *value, size_t size)
{
	struct xattr *x;
	struct node *n;
	int r;

	lock();
	r = lookup(path, &n);
	if (r < 0)
		goto out;
	x = *xattr_find(n, name);
	if (!x)
		r = -ENODATA;
	else if (size == 0)
		r = x->size;
	else if (size < x->size)
		r = -ERANGE;
	else {
		memcpy(value, x->value, x->size);
		r = x->size;
	}
out:
	unlock();
	return r;
}

static int memfs_listxattr(const char *path, char *list, size_t size)
{
	size_t need = 0;
	struct node *n;
	int r;

	lock();
	r = lookup(path, &n);
	if (r < 0)
		goto out;
	for (struct xattr *x = n->xattrs; x; x = x->next)
		need += strlen(x->name) + 1;
	if (size == 0) {
		r = need;
	} else if (size < need) {
		r = -ERANGE;
	} else {
		for (struct xattr *x = n->xattrs; x; x = x->next) {
			size_t len = strlen(x->name) + 1;
			memcpy(list, x->name, len);
			list += len;
		}
		r = need;
	}
out:
	unlock();
	return r;
}

static int memfs_removexattr(const char *path, const char *name)
{
	struct xattr **xp, *x;
	struct node *n;
	int r;

	lock();
	r = lookup(path, &n);
	if (r < 0)
		goto out;
	xp = xattr_find(n, name);
	if (!*xp) {
		r = -ENODATA;
		goto out;
	}
	x = *xp;
	*xp = x->next;
	free(x->name);
	free(x);
	n->st.st_ctim = now();
out:
	unlock();
	return r;
}

static const struct fuse_operations memfs_ops = {
	.init = memfs_init,
	.getattr = memfs_getattr,
	.opendir = memfs_opendir,
	.readdir = memfs_readdir,
	.releasedir = memfs_release,
	.mkdir = memfs_mkdir,
	.mknod = memfs_mknod,
	.create = memfs_create,
	.symlink = memfs_symlink,
	.readlink = memfs_readlink,
	.unlink = memfs_unlink,
	.rmdir = memfs_rmdir,
	.rename = memfs_rename,
	.link = memfs_link,
	.chmod = memfs_chmod,
	.chown = memfs_chown,
	.truncate = memfs_truncate,
	.utimens = memfs_utimens,
	.open = memfs_open,
	.release = memfs_release,
	.read = memfs_read,
	.write = memfs_write,
	.fallocate = memfs_fallocate,
	.fsync = memfs_fsync,
	.statfs = memfs_statfs,
	.setxattr = memfs_setxattr,
	.getxattr = memfs_getxattr,
	.listxattr = memfs_listxattr,
	.removexattr = memfs_removexattr,
};

int main(int argc, char *argv[])
{
	memfs_root = node_new(S_IFDIR | 0755, getuid(), getgid());
	if (!memfs_root)
		return 1;
	memfs_root->st.st_ino = 1;
	return fuse_main(argc, argv, &memfs_ops, NULL);
}
