/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal interfaces of the high-level (path) API.
 *
 * struct fuse is a low-level session plus the inode table (highlevel-node)
 * and a stack of struct fuse_fs: the user's operations at the bottom,
 * modules (subdir, iconv) on top.  highlevel.c (names, attributes, the
 * ops table), highlevel-file.c (open files) and highlevel-dir.c
 * (directories) are the low-level callbacks, highlevel-fs.c the fuse_fs_*
 * calls into the stack, highlevel-main.c construction, options, loops
 * and fuse_main.  Only the public low-level API is used. */
#pragma once

#include "fuse.h"
#include "fuse_lowlevel.h"
#include "highlevel-node.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

struct fuse_fs {
	struct fuse_operations op;
	void *user_data;
	int debug;
};

struct fuse {
	struct fuse_session *se;
	struct fuse_fs *fs;
	struct fuse_config conf;
	struct hl_table table;
	/* fmask/dmask: not in 3.14's struct fuse_config, so kept here */
	unsigned fmask, dmask;
	bool set_fmask, set_dmask;
	bool intr_installed;	/* our handler, to be restored */
	bool intr_ready;	/* intr_signal has a handler: safe to send */
	struct sigaction old_intr_sa;
	/* the remember= cleaner */
	pthread_mutex_t cleanup_lock;
	pthread_cond_t cleanup_cond;
	pthread_t cleanup_thread;
	bool cleanup_running, cleanup_stop;
};

/* The per-thread request context behind fuse_get_context(). */
struct hl_context {
	struct fuse_context ctx;
	fuse_req_t req;
};

struct hl_context *hl_context_get(void);

/* highlevel.c */
extern const struct fuse_lowlevel_ops hl_lowlevel_ops;
/* Fills this thread's context for req and returns its struct fuse. */
struct fuse *hl_req_prepare(fuse_req_t req);
/* st_ino, and the umask=/uid=/gid= overrides. */
void hl_set_stat(struct fuse *f, fuse_ino_t nodeid, struct stat *st);
/* getattr of path, then one more lookup of (parent, name). */
int hl_lookup_path(struct fuse *f, fuse_ino_t parent, const char *name,
		   const char *path, struct fuse_entry_param *e,
		   struct fuse_file_info *fi);
void hl_forget_node(struct fuse *f, fuse_ino_t nodeid, uint64_t n);
/* "When the file is open, a NULL path is fine" (nullpath_ok). */
int hl_get_path_nullok(struct fuse *f, fuse_ino_t nodeid, char **path,
		       int slot);
void hl_put_path_nullok(struct fuse *f, fuse_ino_t nodeid, char *path);

/* intr: the thread serving a request gets intr_signal when the kernel
 * interrupts it (only with -o intr). */
struct hl_intr {
	pthread_t thread;
	int signo;
	bool finished;
};

/* Makes sure intr_signal has a handler before any is sent. */
int hl_install_intr(struct fuse *f);
void hl_intr_begin(struct fuse *f, fuse_req_t req, struct hl_intr *d);
void hl_intr_end(struct fuse *f, fuse_req_t req, struct hl_intr *d);
int hl_get_path(struct fuse *f, fuse_ino_t nodeid, const char *name,
		char **path);
void hl_put_path(struct fuse *f, fuse_ino_t nodeid);
/* auto_cache bookkeeping of the attributes; caller holds the table lock */
void hl_update_stat(struct hl_node *n, const struct stat *st);
int hl_lookup_path_common(struct fuse *f, fuse_ino_t parent,
			  const char *name, const char *path,
			  struct fuse_entry_param *e,
			  struct fuse_file_info *fi, bool opened);
/* The name is gone from the file system: drop it from the table. */
void hl_remove_name(struct fuse *f, fuse_ino_t dir, const char *name);

static inline void hl_reply_err(fuse_req_t req, int err)
{
	fuse_reply_err(req, -err);
}

/* highlevel-file.c */
void hl_file_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode, struct fuse_file_info *fi);
void hl_file_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void hl_file_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi);
void hl_file_write_buf(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_bufvec *bufv, off_t off,
		       struct fuse_file_info *fi);
void hl_file_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void hl_file_release(fuse_req_t req, fuse_ino_t ino,
		     struct fuse_file_info *fi);
void hl_file_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		   struct fuse_file_info *fi);
void hl_file_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		   struct flock *lock);
void hl_file_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		   struct flock *lock, int sleep);
void hl_file_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		   int op);
void hl_file_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize,
		  uint64_t idx);
void hl_file_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		   void *arg, struct fuse_file_info *fi, unsigned flags,
		   const void *in_buf, size_t in_bufsz, size_t out_bufsz);
void hl_file_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  struct fuse_pollhandle *ph);
void hl_file_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
		       off_t offset, off_t length, struct fuse_file_info *fi);
void hl_file_copy_file_range(fuse_req_t req, fuse_ino_t ino_in,
			     off_t off_in, struct fuse_file_info *fi_in,
			     fuse_ino_t ino_out, off_t off_out,
			     struct fuse_file_info *fi_out, size_t len,
			     int flags);
void hl_file_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		   struct fuse_file_info *fi);

/* highlevel-dir.c */
void hl_lib_opendir(fuse_req_t req, fuse_ino_t ino,
		    struct fuse_file_info *fi);
void hl_lib_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void hl_lib_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi);
void hl_lib_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);
void hl_lib_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi);
/* The file system's fh of a directory handle (for ioctl on dirs). */
uint64_t hl_dir_fh(struct fuse_file_info *llfi);

/* module.c: the built-in modules ("subdir", "iconv").  Pushes the named
 * module on top of *fs, taking its options from args.  0, or -ENOENT for
 * an unknown name, -EINVAL when the module refused its options. */
int hl_module_push(const char *name, struct fuse_args *args,
		   struct fuse_fs **fs);
/* Prints each built-in module's help. */
void hl_module_help(void);

/* mod-subdir.c, mod-iconv.c */
struct fuse_fs *hl_subdir_factory(struct fuse_args *args,
				  struct fuse_fs *fs[]);
void hl_subdir_help(void);
struct fuse_fs *hl_iconv_factory(struct fuse_args *args,
				 struct fuse_fs *fs[]);
void hl_iconv_help(void);
