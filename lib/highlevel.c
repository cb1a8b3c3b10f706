// SPDX-License-Identifier: LGPL-2.1-or-later
/* The path adapter: low-level requests (fuse_lib_*) turned into path
 * calls on the file system stack.
 *
 * Every handler takes its path(s) from the inode table under tree locks,
 * calls fuse_fs_*, updates the table on success and replies.  Entry
 * replies count one lookup each; a reply the kernel refused (the request
 * was interrupted) is undone at once, so the count stays the kernel's. */
#include "highlevel-i.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

static __thread struct hl_context tls_ctx;

struct hl_context *hl_context_get(void)
{
	return &tls_ctx;
}

struct fuse_context *fuse_get_context(void)
{
	return &tls_ctx.ctx;
}

int fuse_interrupted(void)
{
	return tls_ctx.req ? fuse_req_interrupted(tls_ctx.req) : 0;
}

int fuse_getgroups(int size, gid_t list[])
{
	if (!tls_ctx.req)
		return -EINVAL;
	return fuse_req_getgroups(tls_ctx.req, size, list);
}

struct fuse *hl_req_prepare(fuse_req_t req)
{
	struct fuse *f = fuse_req_userdata(req);
	const struct fuse_ctx *c = fuse_req_ctx(req);

	tls_ctx.req = req;
	tls_ctx.ctx.fuse = f;
	tls_ctx.ctx.uid = c->uid;
	tls_ctx.ctx.gid = c->gid;
	tls_ctx.ctx.pid = c->pid;
	tls_ctx.ctx.umask = c->umask;
	tls_ctx.ctx.private_data = f->fs ? f->fs->user_data : NULL;
	return f;
}

/* intr: a request the kernel interrupts gets intr_signal sent to the
 * thread serving it, so a blocking syscall in the file system returns
 * EINTR.  The lock makes sure no signal arrives once it has finished. */

static pthread_mutex_t intr_lock = PTHREAD_MUTEX_INITIALIZER;

static void intr_func(fuse_req_t req, void *data)
{
	struct hl_intr *d = data;

	(void)req;
	pthread_mutex_lock(&intr_lock);
	if (!d->finished)
		pthread_kill(d->thread, d->signo);
	pthread_mutex_unlock(&intr_lock);
}

void hl_intr_begin(struct fuse *f, fuse_req_t req, struct hl_intr *d)
{
	/* a default-handled signal would kill the process */
	if (!f->conf.intr || !f->intr_ready)
		return;
	d->thread = pthread_self();
	d->signo = f->conf.intr_signal;
	d->finished = false;
	fuse_req_interrupt_func(req, intr_func, d);
}

void hl_intr_end(struct fuse *f, fuse_req_t req, struct hl_intr *d)
{
	if (!f->conf.intr || !f->intr_ready)
		return;
	pthread_mutex_lock(&intr_lock);
	d->finished = true;
	pthread_mutex_unlock(&intr_lock);
	fuse_req_interrupt_func(req, NULL, NULL);
}

void hl_set_stat(struct fuse *f, fuse_ino_t nodeid, struct stat *st)
{
	if (!f->conf.use_ino)
		st->st_ino = nodeid;
	if (f->conf.set_mode) {
		unsigned mask = f->conf.umask;

		if (S_ISDIR(st->st_mode) ? f->set_dmask : f->set_fmask)
			mask = S_ISDIR(st->st_mode) ? f->dmask : f->fmask;
		st->st_mode = (st->st_mode & S_IFMT) | (0777 & ~mask);
	}
	if (f->conf.set_uid)
		st->st_uid = f->conf.uid;
	if (f->conf.set_gid)
		st->st_gid = f->conf.gid;
}

/* auto_cache: a changed mtime or size means the kernel's cached pages of
 * the file are stale. */
void hl_update_stat(struct hl_node *n, const struct stat *st)
{
	if (n->cache_valid &&
	    (n->mtime.tv_sec != st->st_mtim.tv_sec ||
	     n->mtime.tv_nsec != st->st_mtim.tv_nsec || n->size != st->st_size))
		n->cache_valid = false;
	n->mtime = st->st_mtim;
	n->size = st->st_size;
	clock_gettime(CLOCK_MONOTONIC, &n->stat_updated);
}

static void note_stat(struct fuse *f, fuse_ino_t ino, const struct stat *st)
{
	struct hl_node *n;

	if (!f->conf.auto_cache)
		return;
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n)
		hl_update_stat(n, st);
	pthread_mutex_unlock(&f->table.lock);
}

/* With opened (create), a regular file also counts one opener, under the
 * same lock as its lookup. */
int hl_lookup_path_common(struct fuse *f, fuse_ino_t parent,
			      const char *name, const char *path,
			      struct fuse_entry_param *e,
			      struct fuse_file_info *fi, bool opened)
{
	struct hl_node *n;
	int r;

	memset(e, 0, sizeof(*e));
	r = fuse_fs_getattr(f->fs, path, &e->attr, fi);
	if (r)
		return r;
	pthread_mutex_lock(&f->table.lock);
	if (name)
		r = hl_node_lookup(&f->table, parent, name, &n);
	else
		r = hl_node_ref(&f->table, parent, &n);
	if (r == 0) {
		e->ino = n->nodeid;
		e->generation = n->generation;
		if (f->conf.auto_cache)
			hl_update_stat(n, &e->attr);
		if (opened && S_ISREG(e->attr.st_mode))
			n->open_count++;
	}
	pthread_mutex_unlock(&f->table.lock);
	if (r)
		return r;
	e->entry_timeout = f->conf.entry_timeout;
	e->attr_timeout = f->conf.attr_timeout;
	hl_set_stat(f, e->ino, &e->attr);
	if (f->fs->debug)
		fuse_log(FUSE_LOG_DEBUG, "   NODEID: %llu\n",
			 (unsigned long long)e->ino);
	return 0;
}

int hl_lookup_path(struct fuse *f, fuse_ino_t parent, const char *name,
		   const char *path, struct fuse_entry_param *e,
		   struct fuse_file_info *fi)
{
	return hl_lookup_path_common(f, parent, name, path, e, fi, false);
}

void hl_forget_node(struct fuse *f, fuse_ino_t nodeid, uint64_t n)
{
	pthread_mutex_lock(&f->table.lock);
	hl_node_forget(&f->table, nodeid, n);
	pthread_mutex_unlock(&f->table.lock);
}

static void reply_entry(struct fuse *f, fuse_req_t req,
			const struct fuse_entry_param *e, int err)
{
	if (err) {
		hl_reply_err(req, err);
		return;
	}
	if (fuse_reply_entry(req, e) == -ENOENT && e->ino)
		hl_forget_node(f, e->ino, 1);
}

int hl_get_path_nullok(struct fuse *f, fuse_ino_t nodeid, char **path,
		       int slot)
{
	int r;

	*path = NULL;
	if (f->conf.nullpath_ok)
		return 0;
	r = hl_path_get(&f->table, nodeid, NULL, path, NULL, slot);
	if (r == -ESTALE) {
		/* unlinked while open (hard_remove): the fh is all there is */
		*path = NULL;
		r = 0;
	}
	return r;
}

void hl_put_path_nullok(struct fuse *f, fuse_ino_t nodeid, char *path)
{
	if (path)
		hl_path_put(&f->table, nodeid, NULL);
}

int hl_get_path(struct fuse *f, fuse_ino_t nodeid, const char *name,
		    char **path)
{
	return hl_path_get(&f->table, nodeid, name, path, NULL, 0);
}

void hl_put_path(struct fuse *f, fuse_ino_t nodeid)
{
	hl_path_put(&f->table, nodeid, NULL);
}

static void ll_init(void *data, struct fuse_conn_info *conn)
{
	struct fuse *f = data;

	memset(&tls_ctx, 0, sizeof(tls_ctx));
	tls_ctx.ctx.fuse = f;
	tls_ctx.ctx.private_data = f->fs->user_data;
	if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
		conn->want |= FUSE_CAP_EXPORT_SUPPORT;
	fuse_fs_init(f->fs, conn, &f->conf);
#if FUSED_SOVERSION >= 4
	/* 3.17 put fmask/dmask into fuse_config: init() may set them; a
	 * non-zero one wins over umask, as the options do */
	if (f->conf.fmask) {
		f->fmask = f->conf.fmask;
		f->set_fmask = true;
	}
	if (f->conf.dmask) {
		f->dmask = f->conf.dmask;
		f->set_dmask = true;
	}
#endif
	/* init() may have turned intr on */
	if (f->conf.intr && !f->intr_ready && hl_install_intr(f) < 0)
		fuse_log(FUSE_LOG_ERR, "fuse: cannot set up intr_signal %d\n",
			 f->conf.intr_signal);
}

static void ll_destroy(void *data)
{
	struct fuse *f = data;

	memset(&tls_ctx, 0, sizeof(tls_ctx));
	tls_ctx.ctx.fuse = f;
	if (!f->fs)
		return;
	tls_ctx.ctx.private_data = f->fs->user_data;
	fuse_fs_destroy(f->fs);
	f->fs = NULL;
}

static void ll_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	struct hl_intr d;
	char *path;
	int err;

	if (name[0] == '.' && (name[1] == '\0' ||
			       (name[1] == '.' && name[2] == '\0'))) {
		/* NFS export looks up "." and ".." by nodeid */
		struct hl_node *n;

		pthread_mutex_lock(&f->table.lock);
		n = hl_node_get(&f->table, parent);
		if (n && name[1] == '.')
			n = n->parent ? n->parent : (n == f->table.root ? n : NULL);
		if (n)
			parent = n->nodeid;
		pthread_mutex_unlock(&f->table.lock);
		if (!n) {
			hl_reply_err(req, -ESTALE);
			return;
		}
		name = NULL;
	}
	if (f->fs->debug)
		fuse_log(FUSE_LOG_DEBUG, "LOOKUP %llu/%s\n",
			 (unsigned long long)parent, name ? name : ".");
	err = hl_get_path(f, parent, name, &path);
	if (!err) {
		hl_intr_begin(f, req, &d);
		err = hl_lookup_path(f, parent, name, path, &e, NULL);
		hl_intr_end(f, req, &d);
		if (err == -ENOENT && f->conf.negative_timeout != 0.0) {
			memset(&e, 0, sizeof(e));
			e.entry_timeout = f->conf.negative_timeout;
			err = 0;
		}
		hl_put_path(f, parent);
	}
	reply_entry(f, req, &e, err);
}

static void ll_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct fuse *f = fuse_req_userdata(req);

	hl_forget_node(f, ino, nlookup);
	fuse_reply_none(req);
}

static void ll_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	struct fuse *f = fuse_req_userdata(req);

	pthread_mutex_lock(&f->table.lock);
	for (size_t i = 0; i < count; i++)
		hl_node_forget(&f->table, forgets[i].ino, forgets[i].nlookup);
	pthread_mutex_unlock(&f->table.lock);
	fuse_reply_none(req);
}

/* getattr/setattr: with an open file (fi), its path may be NULL
 * (nullpath_ok, or unlinked while open). */
static int get_path_fi(struct fuse *f, fuse_ino_t ino,
		       struct fuse_file_info *fi, char **path)
{
	if (fi)
		return hl_get_path_nullok(f, ino, path, 0);
	return hl_get_path(f, ino, NULL, path);
}

static void put_path_fi(struct fuse *f, fuse_ino_t ino,
			struct fuse_file_info *fi, char *path)
{
	if (fi)
		hl_put_path_nullok(f, ino, path);
	else
		hl_put_path(f, ino);
}

/* The attributes after getattr/setattr, or err. */
static void reply_attr(struct fuse *f, fuse_req_t req, fuse_ino_t ino,
		       struct stat *st, int err)
{
	if (err) {
		hl_reply_err(req, err);
		return;
	}
	note_stat(f, ino, st);
	hl_set_stat(f, ino, st);
	fuse_reply_attr(req, st, f->conf.attr_timeout);
}

static void ll_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct stat st;
	struct hl_intr d;
	char *path;
	int err;

	memset(&st, 0, sizeof(st));
	err = get_path_fi(f, ino, fi, &path);
	if (!err) {
		hl_intr_begin(f, req, &d);
		err = fuse_fs_getattr(f->fs, path, &st, fi);
		hl_intr_end(f, req, &d);
		put_path_fi(f, ino, fi, path);
	}
	reply_attr(f, req, ino, &st, err);
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int valid, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct stat st;
	struct hl_intr d;
	char *path;
	int err;

	memset(&st, 0, sizeof(st));
	err = get_path_fi(f, ino, fi, &path);
	if (err) {
		hl_reply_err(req, err);
		return;
	}
	hl_intr_begin(f, req, &d);
	if (valid & FUSE_SET_ATTR_MODE)
		err = fuse_fs_chmod(f->fs, path, attr->st_mode, fi);
	if (!err && (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		err = fuse_fs_chown(f->fs, path,
				    (valid & FUSE_SET_ATTR_UID) ?
				    attr->st_uid : (uid_t)-1,
				    (valid & FUSE_SET_ATTR_GID) ?
				    attr->st_gid : (gid_t)-1, fi);
	if (!err && (valid & FUSE_SET_ATTR_SIZE))
		err = fuse_fs_truncate(f->fs, path, attr->st_size, fi);
	if (!err && (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME))) {
		struct timespec tv[2] = {
			{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT }
		};

		if (valid & FUSE_SET_ATTR_ATIME_NOW)
			tv[0].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_ATIME)
			tv[0] = attr->st_atim;
		if (valid & FUSE_SET_ATTR_MTIME_NOW)
			tv[1].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_MTIME)
			tv[1] = attr->st_mtim;
		err = fuse_fs_utimens(f->fs, path, tv, fi);
	}
	if (!err)
		err = fuse_fs_getattr(f->fs, path, &st, fi);
	hl_intr_end(f, req, &d);
	put_path_fi(f, ino, fi, path);
	reply_attr(f, req, ino, &st, err);
}

static void ll_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_access(f->fs, path, mask);
		hl_put_path(f, ino);
	}
	hl_reply_err(req, err);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse *f = hl_req_prepare(req);
	char link[PATH_MAX + 1];
	char *path;
	int err = hl_get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_readlink(f->fs, path, link, sizeof(link));
		hl_put_path(f, ino);
	}
	if (err) {
		hl_reply_err(req, err);
		return;
	}
	link[PATH_MAX] = '\0';
	fuse_reply_readlink(req, link);
}

static void ll_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	struct hl_intr d;
	char *path;
	int err = hl_get_path(f, parent, name, &path);

	if (!err) {
		hl_intr_begin(f, req, &d);
		err = -ENOSYS;
		if (S_ISREG(mode)) {
			/* a regular file: create and close it, so that file
			 * systems with create() but no mknod() work */
			struct fuse_file_info fi = {
				.flags = O_CREAT | O_EXCL | O_WRONLY
			};

			err = fuse_fs_create(f->fs, path, mode, &fi);
			if (!err) {
				err = hl_lookup_path(f, parent, name, path,
						     &e, &fi);
				fuse_fs_release(f->fs, path, &fi);
			}
		}
		if (err == -ENOSYS) {
			err = fuse_fs_mknod(f->fs, path, mode, rdev);
			if (!err)
				err = hl_lookup_path(f, parent, name, path, &e,
						     NULL);
		}
		hl_intr_end(f, req, &d);
		hl_put_path(f, parent);
	}
	reply_entry(f, req, &e, err);
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	char *path;
	int err = hl_get_path(f, parent, name, &path);

	if (!err) {
		err = fuse_fs_mkdir(f->fs, path, mode);
		if (!err)
			err = hl_lookup_path(f, parent, name, path, &e, NULL);
		hl_put_path(f, parent);
	}
	reply_entry(f, req, &e, err);
}

static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	char *path;
	int err = hl_get_path(f, parent, name, &path);

	if (!err) {
		err = fuse_fs_symlink(f->fs, link, path);
		if (!err)
			err = hl_lookup_path(f, parent, name, path, &e, NULL);
		hl_put_path(f, parent);
	}
	reply_entry(f, req, &e, err);
}

static void ll_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	char *oldpath, *newpath;
	int err = hl_path_get2(&f->table, ino, NULL, newparent, newname,
			       &oldpath, &newpath, NULL, NULL);

	if (!err) {
		err = fuse_fs_link(f->fs, oldpath, newpath);
		if (!err)
			err = hl_lookup_path(f, newparent, newname, newpath,
					     &e, NULL);
		hl_path_put2(&f->table, ino, newparent, NULL, NULL);
	}
	reply_entry(f, req, &e, err);
}

/* Renames an open file that is about to lose its name to a hidden one,
 * so that it lives on until its last release (unless hard_remove). */
static int hide_node(struct fuse *f, const char *oldpath, fuse_ino_t dir,
		     const char *oldname)
{
	const char *slash = strrchr(oldpath, '/');
	size_t dirlen = (size_t)(slash - oldpath);
	char name[64];
	char *newpath = malloc(dirlen + sizeof(name) + 2);
	int err = -EBUSY;

	if (!newpath)
		return -ENOMEM;
	for (int tries = 0; tries < 10; tries++) {
		struct hl_node *n;
		struct stat st;

		pthread_mutex_lock(&f->table.lock);
		n = hl_node_child(&f->table, dir, oldname);
		if (n)
			hl_node_hidden_name(&f->table, dir, n, name,
					    sizeof(name));
		pthread_mutex_unlock(&f->table.lock);
		if (!n)
			break;
		memcpy(newpath, oldpath, dirlen);
		newpath[dirlen] = '/';
		strcpy(newpath + dirlen + 1, name);
		/* a name nobody uses in the file system either */
		if (fuse_fs_getattr(f->fs, newpath, &st, NULL) == 0)
			continue;
		err = fuse_fs_rename(f->fs, oldpath, newpath, 0);
		if (!err) {
			pthread_mutex_lock(&f->table.lock);
			err = hl_node_rename(&f->table, dir, oldname, dir,
					     name, true);
			pthread_mutex_unlock(&f->table.lock);
		}
		break;
	}
	free(newpath);
	return err;
}

static bool is_open(struct fuse *f, fuse_ino_t dir, const char *name)
{
	bool r;

	pthread_mutex_lock(&f->table.lock);
	r = hl_node_is_open(&f->table, dir, name);
	pthread_mutex_unlock(&f->table.lock);
	return r;
}

void hl_remove_name(struct fuse *f, fuse_ino_t dir, const char *name)
{
	pthread_mutex_lock(&f->table.lock);
	hl_node_remove(&f->table, dir, name);
	pthread_mutex_unlock(&f->table.lock);
}

static void ll_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_node *wnode;
	char *path;
	int err = hl_path_get(&f->table, parent, name, &path, &wnode, 0);

	if (!err) {
		if (!f->conf.hard_remove && is_open(f, parent, name)) {
			err = hide_node(f, path, parent, name);
		} else {
			err = fuse_fs_unlink(f->fs, path);
			if (!err)
				hl_remove_name(f, parent, name);
		}
		hl_path_put(&f->table, parent, wnode);
	}
	hl_reply_err(req, err);
}

static void ll_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_node *wnode;
	char *path;
	int err = hl_path_get(&f->table, parent, name, &path, &wnode, 0);

	if (!err) {
		err = fuse_fs_rmdir(f->fs, path);
		if (!err)
			hl_remove_name(f, parent, name);
		hl_path_put(&f->table, parent, wnode);
	}
	hl_reply_err(req, err);
}

static void ll_rename(fuse_req_t req, fuse_ino_t olddir, const char *oldname,
		      fuse_ino_t newdir, const char *newname,
		      unsigned int flags)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_node *wn1, *wn2;
	char *oldpath, *newpath;
	int err = hl_path_get2(&f->table, olddir, oldname, newdir, newname,
			       &oldpath, &newpath, &wn1, &wn2);

	if (!err) {
		/* an open target about to be replaced lives on hidden; with
		 * NOREPLACE or EXCHANGE nothing is replaced */
		if (!f->conf.hard_remove &&
		    !(flags & (RENAME_EXCHANGE | RENAME_NOREPLACE)) &&
		    is_open(f, newdir, newname))
			err = hide_node(f, newpath, newdir, newname);
		if (!err)
			err = fuse_fs_rename(f->fs, oldpath, newpath, flags);
		if (!err) {
			pthread_mutex_lock(&f->table.lock);
			if (flags & RENAME_EXCHANGE)
				err = hl_node_exchange(&f->table, olddir,
						       oldname, newdir,
						       newname);
			else
				err = hl_node_rename(&f->table, olddir,
						     oldname, newdir, newname,
						     false);
			pthread_mutex_unlock(&f->table.lock);
		}
		hl_path_put2(&f->table, olddir, newdir, wn1, wn2);
	}
	hl_reply_err(req, err);
}

static void ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse *f = hl_req_prepare(req);
	struct statvfs buf;
	char *path;
	int err;

	memset(&buf, 0, sizeof(buf));
	err = hl_get_path(f, ino ? ino : FUSE_ROOT_ID, NULL, &path);
	if (!err) {
		err = fuse_fs_statfs(f->fs, path, &buf);
		hl_put_path(f, ino ? ino : FUSE_ROOT_ID);
	}
	if (err)
		hl_reply_err(req, err);
	else
		fuse_reply_statfs(req, &buf);
}

static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_setxattr(f->fs, path, name, value, size, flags);
		hl_put_path(f, ino);
	}
	hl_reply_err(req, err);
}

static void ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	struct fuse *f = hl_req_prepare(req);
	char *value = NULL;
	char *path;
	int res = hl_get_path(f, ino, NULL, &path);

	if (!res) {
		if (size) {
			value = malloc(size);
			res = value ? fuse_fs_getxattr(f->fs, path, name,
						       value, size) : -ENOMEM;
		} else {
			res = fuse_fs_getxattr(f->fs, path, name, NULL, 0);
		}
		hl_put_path(f, ino);
	}
	if (res < 0)
		hl_reply_err(req, res);
	else if (size)
		fuse_reply_buf(req, value, (size_t)res);
	else
		fuse_reply_xattr(req, (size_t)res);
	free(value);
}

static void ll_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct fuse *f = hl_req_prepare(req);
	char *list = NULL;
	char *path;
	int res = hl_get_path(f, ino, NULL, &path);

	if (!res) {
		if (size) {
			list = malloc(size);
			res = list ? fuse_fs_listxattr(f->fs, path, list,
						       size) : -ENOMEM;
		} else {
			res = fuse_fs_listxattr(f->fs, path, NULL, 0);
		}
		hl_put_path(f, ino);
	}
	if (res < 0)
		hl_reply_err(req, res);
	else if (size)
		fuse_reply_buf(req, list, (size_t)res);
	else
		fuse_reply_xattr(req, (size_t)res);
	free(list);
}

static void ll_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_removexattr(f->fs, path, name);
		hl_put_path(f, ino);
	}
	hl_reply_err(req, err);
}

const struct fuse_lowlevel_ops hl_lowlevel_ops = {
	.init = ll_init,
	.destroy = ll_destroy,
	.lookup = ll_lookup,
	.forget = ll_forget,
	.forget_multi = ll_forget_multi,
	.getattr = ll_getattr,
	.setattr = ll_setattr,
	.access = ll_access,
	.readlink = ll_readlink,
	.mknod = ll_mknod,
	.mkdir = ll_mkdir,
	.unlink = ll_unlink,
	.rmdir = ll_rmdir,
	.symlink = ll_symlink,
	.rename = ll_rename,
	.link = ll_link,
	.create = hl_file_create,
	.open = hl_file_open,
	.read = hl_file_read,
	.write_buf = hl_file_write_buf,
	.flush = hl_file_flush,
	.release = hl_file_release,
	.fsync = hl_file_fsync,
	.opendir = hl_lib_opendir,
	.readdir = hl_lib_readdir,
	.readdirplus = hl_lib_readdirplus,
	.releasedir = hl_lib_releasedir,
	.fsyncdir = hl_lib_fsyncdir,
	.statfs = ll_statfs,
	.setxattr = ll_setxattr,
	.getxattr = ll_getxattr,
	.listxattr = ll_listxattr,
	.removexattr = ll_removexattr,
	.getlk = hl_file_getlk,
	.setlk = hl_file_setlk,
	.flock = hl_file_flock,
	.bmap = hl_file_bmap,
	.ioctl = hl_file_ioctl,
	.poll = hl_file_poll,
	.fallocate = hl_file_fallocate,
	.copy_file_range = hl_file_copy_file_range,
	.lseek = hl_file_lseek,
};
