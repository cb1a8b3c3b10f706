// SPDX-License-Identifier: LGPL-2.1-or-later
/* Directory handles and readdir(plus) for the path API.
 *
 * A file system's readdir either passes offsets to the filler (it can
 * resume anywhere: each kernel request becomes one call, the filler
 * writes straight into the reply) or passes 0 (it lists everything in
 * one call: the entries are kept in the handle and served in slices, the
 * offset being the index).  readdirplus looks each entry up when it is
 * put into a reply, so the lookup count matches what the kernel got. */
#include "highlevel-i.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct dirent_saved {
	char *name;
	struct stat st;
	enum fuse_fill_dir_flags flags;
};

struct dirhandle {
	pthread_mutex_t lock;
	struct fuse *f;
	fuse_ino_t nodeid;
	uint64_t fh;		/* the file system's */
	/* whole-directory mode */
	struct dirent_saved *ents;
	size_t nents, cap;
	bool filled;
	/* the request being filled */
	fuse_req_t req;
	char *buf;
	size_t bufcap, size, len;
	bool plus;
	bool full;
	int error;
};

static struct dirhandle *get_dh(struct fuse_file_info *llfi)
{
	return (struct dirhandle *)(uintptr_t)llfi->fh;
}

uint64_t hl_dir_fh(struct fuse_file_info *llfi)
{
	return get_dh(llfi)->fh;
}

static void dh_clear(struct dirhandle *dh)
{
	for (size_t i = 0; i < dh->nents; i++)
		free(dh->ents[i].name);
	dh->nents = 0;
	dh->filled = false;
}

static void dh_free(struct dirhandle *dh)
{
	dh_clear(dh);
	free(dh->ents);
	free(dh->buf);
	pthread_mutex_destroy(&dh->lock);
	free(dh);
}

static bool is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' &&
	       (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

/* st_ino as the kernel should see it without a lookup. */
static void entry_ino(struct fuse *f, fuse_ino_t dir, const char *name,
		      struct stat *st)
{
	if (f->conf.use_ino)
		return;
	st->st_ino = HL_UNKNOWN_INO;
	if (f->conf.readdir_ino) {
		struct hl_node *n;

		pthread_mutex_lock(&f->table.lock);
		n = hl_node_child(&f->table, dir, name);
		if (n)
			st->st_ino = n->nodeid;
		pthread_mutex_unlock(&f->table.lock);
	}
}

/* Adds one entry to the reply; true if it did not fit. */
static bool add_entry(struct dirhandle *dh, const char *name,
		      const struct stat *statp, enum fuse_fill_dir_flags flags,
		      off_t off)
{
	struct fuse *f = dh->f;
	char *p = dh->buf + dh->len;
	size_t room = dh->size - dh->len;
	size_t need;

	if (!dh->plus) {
		struct stat st;

		if (statp) {
			st = *statp;
		} else {
			memset(&st, 0, sizeof(st));
			st.st_ino = HL_UNKNOWN_INO;
		}
		entry_ino(f, dh->nodeid, name, &st);
		need = fuse_add_direntry(dh->req, p, room, name, &st, off);
	} else {
		struct fuse_entry_param e;

		memset(&e, 0, sizeof(e));
		/* measure first: a lookup for an entry that does not fit
		 * would be one the kernel never hears of */
		need = fuse_add_direntry_plus(dh->req, NULL, 0, name, &e, off);
		if (need > room)
			return true;
		if (statp && (flags & FUSE_FILL_DIR_PLUS) &&
		    !is_dot_or_dotdot(name)) {
			struct hl_node *n;
			int r;

			e.attr = *statp;
			pthread_mutex_lock(&f->table.lock);
			r = hl_node_lookup(&f->table, dh->nodeid, name, &n);
			if (r == 0) {
				e.ino = n->nodeid;
				e.generation = n->generation;
			}
			pthread_mutex_unlock(&f->table.lock);
			if (r) {
				dh->error = r;
				return true;
			}
			e.entry_timeout = f->conf.entry_timeout;
			e.attr_timeout = f->conf.attr_timeout;
			hl_set_stat(f, e.ino, &e.attr);
		} else {
			e.attr.st_ino = HL_UNKNOWN_INO;
			if (statp) {
				e.attr.st_mode = statp->st_mode;
				if (f->conf.use_ino)
					e.attr.st_ino = statp->st_ino;
			}
			entry_ino(f, dh->nodeid, name, &e.attr);
		}
		need = fuse_add_direntry_plus(dh->req, p, room, name, &e, off);
	}
	if (need > room)
		return true;
	dh->len += need;
	return false;
}

static int fill_dir(void *buf, const char *name, const struct stat *statp,
		    off_t off, enum fuse_fill_dir_flags flags)
{
	struct dirhandle *dh = buf;
	struct dirent_saved *e;

	if (dh->error || dh->full)
		return 1;
	if (off) {
		if (dh->nents) {
			/* mixing both styles in one listing */
			dh->error = -EIO;
			return 1;
		}
		dh->full = add_entry(dh, name, statp, flags, off);
		return dh->full ? 1 : 0;
	}
	if (dh->len) {
		dh->error = -EIO;
		return 1;
	}
	if (dh->nents == dh->cap) {
		size_t cap = dh->cap ? dh->cap * 2 : 64;
		struct dirent_saved *n = realloc(dh->ents, cap * sizeof(*n));

		if (!n) {
			dh->error = -ENOMEM;
			return 1;
		}
		dh->ents = n;
		dh->cap = cap;
	}
	e = &dh->ents[dh->nents];
	e->name = strdup(name);
	if (!e->name) {
		dh->error = -ENOMEM;
		return 1;
	}
	if (statp) {
		e->st = *statp;
	} else {
		memset(&e->st, 0, sizeof(e->st));
		e->st.st_ino = HL_UNKNOWN_INO;
	}
	e->flags = statp ? flags : 0;
	dh->nents++;
	return 0;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
		       off_t off, struct fuse_file_info *llfi, bool plus)
{
	struct fuse *f = hl_req_prepare(req);
	struct dirhandle *dh = get_dh(llfi);
	int err = 0;

	pthread_mutex_lock(&dh->lock);
	if (dh->bufcap < size) {
		char *b = realloc(dh->buf, size);

		if (!b) {
			pthread_mutex_unlock(&dh->lock);
			fuse_reply_err(req, ENOMEM);
			return;
		}
		dh->buf = b;
		dh->bufcap = size;
	}
	dh->req = req;
	dh->size = size;
	dh->len = 0;
	dh->plus = plus;
	dh->full = false;
	dh->error = 0;
	if (off == 0)
		dh_clear(dh);	/* rewinddir: list afresh */
	if (!dh->filled) {
		struct fuse_file_info fi = *llfi;
		char *path;

		fi.fh = dh->fh;
		err = hl_get_path_nullok(f, ino, &path, 0);
		if (!err) {
			dh_clear(dh);
			err = fuse_fs_readdir(f->fs, path, dh, fill_dir, off,
					      &fi, plus ? FUSE_READDIR_PLUS : 0);
			hl_put_path_nullok(f, ino, path);
		}
		if (!err && dh->error && !(dh->full && dh->len))
			err = dh->error;
		if (!err && dh->nents)
			dh->filled = true;
		if (err)
			dh_clear(dh);
	}
	if (!err && dh->filled) {
		for (size_t i = (size_t)off; i < dh->nents; i++) {
			struct dirent_saved *e = &dh->ents[i];

			if (add_entry(dh, e->name, &e->st, e->flags,
				      (off_t)(i + 1)))
				break;
		}
		if (dh->error && !dh->len)
			err = dh->error;
	}
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_buf(req, dh->buf, dh->len);
	pthread_mutex_unlock(&dh->lock);
}

void hl_lib_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

void hl_lib_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

void hl_lib_opendir(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *llfi)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_file_info fi = { .flags = llfi->flags };
	struct dirhandle *dh = calloc(1, sizeof(*dh));
	char *path;
	int err;

	if (!dh) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_mutex_init(&dh->lock, NULL);
	dh->f = f;
	dh->nodeid = ino;
	err = hl_path_get(&f->table, ino, NULL, &path, NULL, 0);
	if (err) {
		dh_free(dh);
		fuse_reply_err(req, -err);
		return;
	}
	err = fuse_fs_opendir(f->fs, path, &fi);
	if (err) {
		hl_path_put(&f->table, ino, NULL);
		dh_free(dh);
		fuse_reply_err(req, -err);
		return;
	}
	dh->fh = fi.fh;
	llfi->fh = (uintptr_t)dh;
	llfi->keep_cache = fi.keep_cache;
	llfi->cache_readdir = fi.cache_readdir;
	if (fuse_reply_open(req, llfi) == -ENOENT) {
		/* the opendir was interrupted: close it again */
		fuse_fs_releasedir(f->fs, path, &fi);
		dh_free(dh);
	}
	hl_path_put(&f->table, ino, NULL);
}

void hl_lib_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *llfi)
{
	struct fuse *f = hl_req_prepare(req);
	struct dirhandle *dh = get_dh(llfi);
	struct fuse_file_info fi = *llfi;
	char *path;

	fi.fh = dh->fh;
	if (hl_get_path_nullok(f, ino, &path, 0) != 0)
		path = NULL;
	fuse_fs_releasedir(f->fs, path, &fi);
	hl_put_path_nullok(f, ino, path);
	/* no other request can use the handle once it is released */
	pthread_mutex_lock(&dh->lock);
	pthread_mutex_unlock(&dh->lock);
	dh_free(dh);
	fuse_reply_err(req, 0);
}

void hl_lib_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *llfi)
{
	struct fuse *f = hl_req_prepare(req);
	struct fuse_file_info fi = *llfi;
	char *path;
	int err;

	fi.fh = get_dh(llfi)->fh;
	err = hl_get_path_nullok(f, ino, &path, 0);
	if (!err) {
		err = fuse_fs_fsyncdir(f->fs, path, datasync, &fi);
		hl_put_path_nullok(f, ino, path);
	}
	fuse_reply_err(req, -err);
}
