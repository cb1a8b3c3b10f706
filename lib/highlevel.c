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
struct intr {
	pthread_t thread;
	int signo;
	bool finished;
};

static pthread_mutex_t intr_lock = PTHREAD_MUTEX_INITIALIZER;

static void intr_func(fuse_req_t req, void *data)
{
	struct intr *d = data;

	(void)req;
	pthread_mutex_lock(&intr_lock);
	if (!d->finished)
		pthread_kill(d->thread, d->signo);
	pthread_mutex_unlock(&intr_lock);
}

static void intr_begin(struct fuse *f, fuse_req_t req, struct intr *d)
{
	if (!f->conf.intr)
		return;
	d->thread = pthread_self();
	d->signo = f->conf.intr_signal;
	d->finished = false;
	fuse_req_interrupt_func(req, intr_func, d);
}

static void intr_end(struct fuse *f, fuse_req_t req, struct intr *d)
{
	if (!f->conf.intr)
		return;
	pthread_mutex_lock(&intr_lock);
	d->finished = true;
	pthread_mutex_unlock(&intr_lock);
	fuse_req_interrupt_func(req, NULL, NULL);
}

static void reply_err(fuse_req_t req, int err)
{
	fuse_reply_err(req, -err);
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
static void update_stat(struct hl_node *n, const struct stat *st)
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
		update_stat(n, st);
	pthread_mutex_unlock(&f->table.lock);
}

/* With opened (create), a regular file also counts one opener, under the
 * same lock as its lookup. */
static int lookup_path_common(struct fuse *f, fuse_ino_t parent,
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
			update_stat(n, &e->attr);
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
	return lookup_path_common(f, parent, name, path, e, fi, false);
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
		reply_err(req, err);
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

static int get_path(struct fuse *f, fuse_ino_t nodeid, const char *name,
		    char **path)
{
	return hl_path_get(&f->table, nodeid, name, path, NULL, 0);
}

static void put_path(struct fuse *f, fuse_ino_t nodeid)
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
	struct intr d;
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
			reply_err(req, -ESTALE);
			return;
		}
		name = NULL;
	}
	if (f->fs->debug)
		fuse_log(FUSE_LOG_DEBUG, "LOOKUP %llu/%s\n",
			 (unsigned long long)parent, name ? name : ".");
	err = get_path(f, parent, name, &path);
	if (!err) {
		intr_begin(f, req, &d);
		err = hl_lookup_path(f, parent, name, path, &e, NULL);
		intr_end(f, req, &d);
		if (err == -ENOENT && f->conf.negative_timeout != 0.0) {
			memset(&e, 0, sizeof(e));
			e.entry_timeout = f->conf.negative_timeout;
			err = 0;
		}
		put_path(f, parent);
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

static void ll_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct stat st;
	struct intr d;
	char *path;
	int err;

	memset(&st, 0, sizeof(st));
	if (fi)
		err = hl_get_path_nullok(f, ino, &path, 0);
	else
		err = get_path(f, ino, NULL, &path);
	if (!err) {
		intr_begin(f, req, &d);
		err = fuse_fs_getattr(f->fs, path, &st, fi);
		intr_end(f, req, &d);
		if (fi)
			hl_put_path_nullok(f, ino, path);
		else
			put_path(f, ino);
	}
	if (err) {
		reply_err(req, err);
		return;
	}
	note_stat(f, ino, &st);
	hl_set_stat(f, ino, &st);
	fuse_reply_attr(req, &st, f->conf.attr_timeout);
}

static void ll_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int valid, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct stat st;
	struct intr d;
	char *path;
	int err;

	memset(&st, 0, sizeof(st));
	if (fi)
		err = hl_get_path_nullok(f, ino, &path, 0);
	else
		err = get_path(f, ino, NULL, &path);
	if (err) {
		reply_err(req, err);
		return;
	}
	intr_begin(f, req, &d);
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
	intr_end(f, req, &d);
	if (fi)
		hl_put_path_nullok(f, ino, path);
	else
		put_path(f, ino);
	if (err) {
		reply_err(req, err);
		return;
	}
	note_stat(f, ino, &st);
	hl_set_stat(f, ino, &st);
	fuse_reply_attr(req, &st, f->conf.attr_timeout);
}

static void ll_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_access(f->fs, path, mask);
		put_path(f, ino);
	}
	reply_err(req, err);
}

static void ll_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse *f = hl_req_prepare(req);
	char link[PATH_MAX + 1];
	char *path;
	int err = get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_readlink(f->fs, path, link, sizeof(link));
		put_path(f, ino);
	}
	if (err) {
		reply_err(req, err);
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
	struct intr d;
	char *path;
	int err = get_path(f, parent, name, &path);

	if (!err) {
		intr_begin(f, req, &d);
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
		intr_end(f, req, &d);
		put_path(f, parent);
	}
	reply_entry(f, req, &e, err);
}

static void ll_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	char *path;
	int err = get_path(f, parent, name, &path);

	if (!err) {
		err = fuse_fs_mkdir(f->fs, path, mode);
		if (!err)
			err = hl_lookup_path(f, parent, name, path, &e, NULL);
		put_path(f, parent);
	}
	reply_entry(f, req, &e, err);
}

static void ll_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	char *path;
	int err = get_path(f, parent, name, &path);

	if (!err) {
		err = fuse_fs_symlink(f->fs, link, path);
		if (!err)
			err = hl_lookup_path(f, parent, name, path, &e, NULL);
		put_path(f, parent);
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

static void remove_name(struct fuse *f, fuse_ino_t dir, const char *name)
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
				remove_name(f, parent, name);
		}
		hl_path_put(&f->table, parent, wnode);
	}
	reply_err(req, err);
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
			remove_name(f, parent, name);
		hl_path_put(&f->table, parent, wnode);
	}
	reply_err(req, err);
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
	reply_err(req, err);
}

static void open_auto_cache(struct fuse *f, fuse_ino_t ino, const char *path,
			    struct fuse_file_info *fi)
{
	struct hl_node *n;
	bool check = false;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n && n->cache_valid) {
		double age = (double)(now.tv_sec - n->stat_updated.tv_sec) +
			     (double)(now.tv_nsec - n->stat_updated.tv_nsec) /
			     1e9;

		check = age >= f->conf.ac_attr_timeout;
	}
	pthread_mutex_unlock(&f->table.lock);
	if (check) {
		struct stat st;
		int err = fuse_fs_getattr(f->fs, path, &st, fi);

		pthread_mutex_lock(&f->table.lock);
		n = hl_node_get(&f->table, ino);
		if (n) {
			if (err)
				n->cache_valid = false;
			else
				update_stat(n, &st);
		}
		pthread_mutex_unlock(&f->table.lock);
	}
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n) {
		if (n->cache_valid)
			fi->keep_cache = 1;
		n->cache_valid = true;
	}
	pthread_mutex_unlock(&f->table.lock);
}

static void open_flags(struct fuse *f, fuse_ino_t ino, const char *path,
		       struct fuse_file_info *fi)
{
	struct hl_node *n;

	if (f->conf.direct_io)
		fi->direct_io = 1;
	if (f->conf.kernel_cache)
		fi->keep_cache = 1;
	if (f->conf.auto_cache)
		open_auto_cache(f, ino, path, fi);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n)
		n->open_count++;
	pthread_mutex_unlock(&f->table.lock);
}

/* After the file system's release: one opener less, and the hidden
 * file's unlink once its last opener is gone.  Called with no path held
 * (the unlink write-locks the hidden name). */
static void release_bookkeeping(struct fuse *f, fuse_ino_t ino)
{
	struct hl_node *n, *wnode;
	fuse_ino_t dir = 0;
	char name[64];
	char *hpath;

	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n && n->open_count > 0 && --n->open_count == 0 && n->hidden &&
	    n->parent && n->namelen < sizeof(name)) {
		n->hidden = false;
		dir = n->parent->nodeid;
		memcpy(name, n->name, n->namelen + 1);
	}
	if (n)
		hl_node_release(&f->table, n);
	pthread_mutex_unlock(&f->table.lock);
	if (!dir)
		return;
	if (hl_path_get(&f->table, dir, name, &hpath, &wnode, 2) == 0) {
		if (fuse_fs_unlink(f->fs, hpath) == 0)
			remove_name(f, dir, name);
		hl_path_put(&f->table, dir, wnode);
	}
}

/* The kernel refused an open reply (interrupted): close it again. */
static void undo_open(struct fuse *f, fuse_ino_t ino,
		      struct fuse_file_info *fi)
{
	char *path;

	if (hl_get_path_nullok(f, ino, &path, 0) != 0)
		path = NULL;
	fuse_fs_release(f->fs, path, fi);
	hl_put_path_nullok(f, ino, path);
	release_bookkeeping(f, ino);
}

static void ll_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_entry_param e;
	struct intr d;
	char *path;
	int err = get_path(f, parent, name, &path);

	if (err) {
		reply_err(req, err);
		return;
	}
	intr_begin(f, req, &d);
	err = fuse_fs_create(f->fs, path, mode, fi);
	if (!err) {
		err = lookup_path_common(f, parent, name, path, &e, fi, true);
		if (!err && !S_ISREG(e.attr.st_mode)) {
			/* create made something that is not a file */
			hl_forget_node(f, e.ino, 1);
			err = -EIO;
		}
		if (err) {
			fuse_fs_release(f->fs, path, fi);
		} else {
			if (f->conf.direct_io)
				fi->direct_io = 1;
			if (f->conf.kernel_cache)
				fi->keep_cache = 1;
		}
	}
	intr_end(f, req, &d);
	put_path(f, parent);
	if (err) {
		reply_err(req, err);
		return;
	}
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		undo_open(f, e.ino, fi);
		hl_forget_node(f, e.ino, 1);
	}
}

static void ll_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct intr d;
	char *path;
	int err = get_path(f, ino, NULL, &path);

	if (err) {
		reply_err(req, err);
		return;
	}
	intr_begin(f, req, &d);
	err = fuse_fs_open(f->fs, path, fi);
	if (!err) {
		open_flags(f, ino, path, fi);
		/* no_rofd_flush: closing a read-only fd needs no FLUSH */
		if (f->conf.no_rofd_flush &&
		    (fi->flags & O_ACCMODE) == O_RDONLY)
			fi->noflush = 1;
	}
	intr_end(f, req, &d);
	put_path(f, ino);
	if (err) {
		reply_err(req, err);
		return;
	}
	if (fuse_reply_open(req, fi) == -ENOENT)
		undo_open(f, ino, fi);
}

/* Per-thread read buffer: a read of a file system without read_buf
 * lands here and goes straight to the kernel, no allocation. */
static pthread_key_t readbuf_key;
static pthread_once_t readbuf_once = PTHREAD_ONCE_INIT;
static __thread char *readbuf;
static __thread size_t readbuf_size;

static void readbuf_key_init(void)
{
	(void)pthread_key_create(&readbuf_key, free);
}

static char *get_readbuf(size_t size)
{
	if (readbuf_size < size) {
		char *p = realloc(readbuf, size);

		if (!p)
			return NULL;
		pthread_once(&readbuf_once, readbuf_key_init);
		(void)pthread_setspecific(readbuf_key, p);
		readbuf = p;
		readbuf_size = size;
	}
	return readbuf;
}

static void ll_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_bufvec *buf = NULL;
	struct intr d;
	char *path;
	int res = hl_get_path_nullok(f, ino, &path, 0);

	if (res) {
		reply_err(req, res);
		return;
	}
	intr_begin(f, req, &d);
	if (!f->fs->op.read_buf && f->fs->op.read) {
		char *mem = get_readbuf(size ? size : 1);

		res = mem ? fuse_fs_read(f->fs, path, mem, size, off, fi) :
			    -ENOMEM;
		intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
		if (res < 0)
			reply_err(req, res);
		else
			fuse_reply_buf(req, mem,
				       (size_t)res < size ? (size_t)res : size);
		return;
	}
	res = fuse_fs_read_buf(f->fs, path, &buf, size, off, fi);
	intr_end(f, req, &d);
	hl_put_path_nullok(f, ino, path);
	if (res)
		reply_err(req, res);
	else
		fuse_reply_data(req, buf, FUSE_BUF_SPLICE_MOVE);
	if (buf) {
		for (size_t i = 0; i < buf->count; i++)
			if (!(buf->buf[i].flags & FUSE_BUF_IS_FD))
				free(buf->buf[i].mem);
		free(buf);
	}
}

static void ll_write_buf(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_bufvec *bufv, off_t off,
			 struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct intr d;
	char *path;
	int res = hl_get_path_nullok(f, ino, &path, 0);

	if (!res) {
		intr_begin(f, req, &d);
		res = fuse_fs_write_buf(f->fs, path, bufv, off, fi);
		intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	if (res < 0)
		reply_err(req, res);
	else
		fuse_reply_write(req, (size_t)res);
}

/* Records a granted lock (or unlock) in the inode's lock list. */
static void note_lock(struct fuse *f, fuse_ino_t ino, const struct flock *fl,
		      uint64_t owner)
{
	struct hl_lock_req l;
	struct hl_node *n;

	hl_lock_from_flock(fl, owner, &l);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	if (n)
		(void)hl_locks_insert(n, &l);
	pthread_mutex_unlock(&f->table.lock);
}

/* flush, then drop the POSIX locks the closing owner holds, as close()
 * does on a local file system. */
static int flush_common(struct fuse *f, fuse_ino_t ino, const char *path,
			struct fuse_file_info *fi)
{
	int err = fuse_fs_flush(f->fs, path, fi);

	if (f->fs->op.lock) {
		struct flock lock = { .l_type = F_UNLCK,
				      .l_whence = SEEK_SET };
		int errlock = fuse_fs_lock(f->fs, path, fi, F_SETLK, &lock);

		if (errlock != -ENOSYS) {
			note_lock(f, ino, &lock, fi->lock_owner);
			if (err == -ENOSYS)
				err = 0;
		}
	}
	return err;
}

static void ll_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		intr_begin(f, req, &d);
		err = flush_common(f, ino, path, fi);
		intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	reply_err(req, err);
}

static void ll_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (err)
		path = NULL;
	err = 0;
	if (fi->flush) {
		err = flush_common(f, ino, path, fi);
		if (err == -ENOSYS)
			err = 0;
	} else if (fi->flock_release) {
		fuse_fs_flock(f->fs, path, fi, LOCK_UN);
	}
	fuse_fs_release(f->fs, path, fi);
	hl_put_path_nullok(f, ino, path);
	release_bookkeeping(f, ino);
	reply_err(req, err);
}

static void ll_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	struct intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		intr_begin(f, req, &d);
		err = fuse_fs_fsync(f->fs, path, datasync, fi);
		intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	reply_err(req, err);
}

static void ll_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse *f = hl_req_prepare(req);
	struct statvfs buf;
	char *path;
	int err;

	memset(&buf, 0, sizeof(buf));
	err = get_path(f, ino ? ino : FUSE_ROOT_ID, NULL, &path);
	if (!err) {
		err = fuse_fs_statfs(f->fs, path, &buf);
		put_path(f, ino ? ino : FUSE_ROOT_ID);
	}
	if (err)
		reply_err(req, err);
	else
		fuse_reply_statfs(req, &buf);
}

static void ll_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_setxattr(f->fs, path, name, value, size, flags);
		put_path(f, ino);
	}
	reply_err(req, err);
}

static void ll_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	struct fuse *f = hl_req_prepare(req);
	char *value = NULL;
	char *path;
	int res = get_path(f, ino, NULL, &path);

	if (!res) {
		if (size) {
			value = malloc(size);
			res = value ? fuse_fs_getxattr(f->fs, path, name,
						       value, size) : -ENOMEM;
		} else {
			res = fuse_fs_getxattr(f->fs, path, name, NULL, 0);
		}
		put_path(f, ino);
	}
	if (res < 0)
		reply_err(req, res);
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
	int res = get_path(f, ino, NULL, &path);

	if (!res) {
		if (size) {
			list = malloc(size);
			res = list ? fuse_fs_listxattr(f->fs, path, list,
						       size) : -ENOMEM;
		} else {
			res = fuse_fs_listxattr(f->fs, path, NULL, 0);
		}
		put_path(f, ino);
	}
	if (res < 0)
		reply_err(req, res);
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
	int err = get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_removexattr(f->fs, path, name);
		put_path(f, ino);
	}
	reply_err(req, err);
}

static void ll_getlk(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi, struct flock *lock)
{
	struct fuse *f = hl_req_prepare(req);
	struct hl_lock_req l;
	struct hl_node *n;
	struct flock held;
	bool conflict;
	char *path;
	int err;

	/* the library knows the holder's pid even when the file system's
	 * locks (OFD) do not */
	hl_lock_from_flock(lock, fi->lock_owner, &l);
	pthread_mutex_lock(&f->table.lock);
	n = hl_node_get(&f->table, ino);
	conflict = n && hl_locks_conflict(n, &l, &held);
	pthread_mutex_unlock(&f->table.lock);
	if (conflict) {
		fuse_reply_lock(req, &held);
		return;
	}
	err = hl_get_path_nullok(f, ino, &path, 0);
	if (!err) {
		err = fuse_fs_lock(f->fs, path, fi, F_GETLK, lock);
		hl_put_path_nullok(f, ino, path);
	}
	if (err)
		reply_err(req, err);
	else
		fuse_reply_lock(req, lock);
}

static void ll_setlk(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi, struct flock *lock, int sleep)
{
	struct fuse *f = hl_req_prepare(req);
	struct intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		intr_begin(f, req, &d);
		err = fuse_fs_lock(f->fs, path, fi, sleep ? F_SETLKW : F_SETLK,
				   lock);
		intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	if (!err)
		note_lock(f, ino, lock, fi->lock_owner);
	reply_err(req, err);
}

static void ll_flock(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi, int op)
{
	struct fuse *f = hl_req_prepare(req);
	struct intr d;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		intr_begin(f, req, &d);
		err = fuse_fs_flock(f->fs, path, fi, op);
		intr_end(f, req, &d);
		hl_put_path_nullok(f, ino, path);
	}
	reply_err(req, err);
}

static void ll_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize,
		    uint64_t idx)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = get_path(f, ino, NULL, &path);

	if (!err) {
		err = fuse_fs_bmap(f->fs, path, blocksize, &idx);
		put_path(f, ino);
	}
	if (err)
		reply_err(req, err);
	else
		fuse_reply_bmap(req, idx);
}

static void ll_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		     void *arg, struct fuse_file_info *llfi, unsigned flags,
		     const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_file_info fi = *llfi;
	void *out = NULL;
	char *path;
	int err;

	if (flags & FUSE_IOCTL_UNRESTRICTED) {
		reply_err(req, -EPERM);
		return;
	}
	if (flags & FUSE_IOCTL_DIR)
		fi.fh = hl_dir_fh(llfi);
	if (out_bufsz) {
		out = calloc(1, out_bufsz > in_bufsz ? out_bufsz : in_bufsz);
		if (!out) {
			reply_err(req, -ENOMEM);
			return;
		}
		if (in_bufsz)
			memcpy(out, in_buf, in_bufsz);
	}
	err = hl_get_path_nullok(f, ino, &path, 0);
	if (!err) {
		err = fuse_fs_ioctl(f->fs, path, cmd, arg, &fi, flags,
				    out ? out : (void *)in_buf);
		hl_put_path_nullok(f, ino, path);
	}
	if (err < 0)
		reply_err(req, err);
	else
		fuse_reply_ioctl(req, err, out, out_bufsz);
	free(out);
}

static void ll_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct fuse_pollhandle *ph)
{
	struct fuse *f = hl_req_prepare(req);
	unsigned revents = 0;
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		err = fuse_fs_poll(f->fs, path, fi, ph, &revents);
		hl_put_path_nullok(f, ino, path);
	} else if (ph) {
		fuse_pollhandle_destroy(ph);
	}
	if (err)
		reply_err(req, err);
	else
		fuse_reply_poll(req, revents);
}

static void ll_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			 off_t offset, off_t length, struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	int err = hl_get_path_nullok(f, ino, &path, 0);

	if (!err) {
		err = fuse_fs_fallocate(f->fs, path, mode, offset, length, fi);
		hl_put_path_nullok(f, ino, path);
	}
	reply_err(req, err);
}

static void ll_copy_file_range(fuse_req_t req, fuse_ino_t ino_in,
			       off_t off_in, struct fuse_file_info *fi_in,
			       fuse_ino_t ino_out, off_t off_out,
			       struct fuse_file_info *fi_out, size_t len,
			       int flags)
{
	struct fuse *f = hl_req_prepare(req);
	char *path_in, *path_out;
	ssize_t res = hl_get_path_nullok(f, ino_in, &path_in, 0);

	if (!res) {
		res = hl_get_path_nullok(f, ino_out, &path_out, 1);
		if (!res) {
			res = fuse_fs_copy_file_range(f->fs, path_in, fi_in,
						      off_in, path_out, fi_out,
						      off_out, len, flags);
			hl_put_path_nullok(f, ino_out, path_out);
		}
		hl_put_path_nullok(f, ino_in, path_in);
	}
	if (res < 0)
		reply_err(req, (int)res);
	else
		fuse_reply_write(req, (size_t)res);
}

static void ll_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	struct fuse *f = hl_req_prepare(req);
	char *path;
	off_t res = hl_get_path_nullok(f, ino, &path, 0);

	if (!res) {
		res = fuse_fs_lseek(f->fs, path, off, whence, fi);
		hl_put_path_nullok(f, ino, path);
	}
	if (res < 0)
		reply_err(req, (int)res);
	else
		fuse_reply_lseek(req, res);
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
	.create = ll_create,
	.open = ll_open,
	.read = ll_read,
	.write_buf = ll_write_buf,
	.flush = ll_flush,
	.release = ll_release,
	.fsync = ll_fsync,
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
	.getlk = ll_getlk,
	.setlk = ll_setlk,
	.flock = ll_flock,
	.bmap = ll_bmap,
	.ioctl = ll_ioctl,
	.poll = ll_poll,
	.fallocate = ll_fallocate,
	.copy_file_range = ll_copy_file_range,
	.lseek = ll_lseek,
};
