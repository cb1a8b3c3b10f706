// SPDX-License-Identifier: LGPL-2.1-or-later
/* Protocol tests: a real session driven through an in-memory transport
 *
 * fuse_session_custom_io() gives the session a read() that hands out the
 * request the test crafted and a writev() that keeps what the library
 * answered, so every opcode runs the whole path (receive, decode,
 * dispatch, the filesystem's op, the reply) with no kernel.  Then the
 * nonsense: truncated, oversized and inconsistent requests must get EIO
 * (or nothing, where no reply is possible) and never reach an op.  The
 * pure decoder is also checked on its own at several protocol minors. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fuse_lowlevel.h"
#include "proto.h"
#include "test-transport.h"
#include "test-util.h"

/* ---- the answers (through test-transport) ---- */

static const struct fuse_out_header *msg(int i)
{
	return (const struct fuse_out_header *)(tio.out + tio.msg_off[i]);
}

static const void *msg_body(int i)
{
	return tio.out + tio.msg_off[i] + sizeof(struct fuse_out_header);
}

/* Message i is a reply to unique with this error and total length. */
static int is_reply(int i, uint64_t unique, int error, size_t len)
{
	const struct fuse_out_header *h;

	if (i >= tio.nmsgs)
		return 0;
	h = msg(i);
	return h->unique == unique && h->error == error && h->len == len;
}

/* ---- building requests ---- */

struct rq {
	union {
		uint64_t align;
		unsigned char b[1 << 16];
	} u;
	size_t len;
};

static uint64_t next_unique = 2;

static struct fuse_in_header *rq_hdr(struct rq *r)
{
	return (struct fuse_in_header *)r->u.b;
}

static void rq_start(struct rq *r, uint32_t opcode, uint64_t nodeid)
{
	struct fuse_in_header *h = rq_hdr(r);

	memset(r->u.b, 0, sizeof(struct fuse_in_header));
	h->opcode = opcode;
	h->unique = next_unique;
	next_unique += 2;
	h->nodeid = nodeid;
	h->uid = 0;
	h->gid = 0;
	h->pid = (uint32_t)getpid();
	r->len = sizeof(*h);
	h->len = (uint32_t)r->len;
}

static void rq_add(struct rq *r, const void *p, size_t n)
{
	memcpy(r->u.b + r->len, p, n);
	r->len += n;
	rq_hdr(r)->len = (uint32_t)r->len;
}

static void rq_str(struct rq *r, const char *s)
{
	rq_add(r, s, strlen(s) + 1);
}

static uint64_t rq_unique(struct rq *r)
{
	return rq_hdr(r)->unique;
}

/* The receive buffer, kept across requests as a loop keeps it. */
static struct fuse_buf fbuf;

/* Feed buf[0..len) through the session's receive and process. */
static void feed(struct fuse_session *se, const void *buf, size_t len)
{
	int r;

	tio_feed(buf, len);
	r = fuse_session_receive_buf(se, &fbuf);
	CHECK(r == (int)len);
	if (r > 0)
		fuse_session_process_buf(se, &fbuf);
}

static void send_rq(struct fuse_session *se, struct rq *r)
{
	feed(se, r->u.b, r->len);
}

/* ---- a recording filesystem ---- */

static struct {
	const char *op;
	fuse_ino_t ino, ino2;
	char name[300], name2[300];
	uint64_t a, b, c;
	int flags;
	int to_set;
	struct stat st;
	struct fuse_file_info fi;
	struct fuse_ctx ctx;
	struct flock fl;
	void *cookie;
	unsigned char data[4096];
	size_t datalen;
	int inits, destroys;
	struct fuse_conn_info conn;
	unsigned want_extra;
	fuse_req_t held;
	int interrupted_calls;
} rec;

/* A file the read tests take their data from. */
static int rec_data_fd = -1;

static void record(fuse_req_t req, const char *op, fuse_ino_t ino)
{
	rec.op = op;
	rec.ino = ino;
	rec.ctx = *fuse_req_ctx(req);
}

static void set_name(char *dst, const char *src)
{
	snprintf(dst, 300, "%s", src);
}

static void reply_some_entry(fuse_req_t req, fuse_ino_t ino)
{
	struct fuse_entry_param e;

	memset(&e, 0, sizeof(e));
	e.ino = ino;
	e.generation = 7;
	e.attr.st_ino = ino;
	e.attr.st_mode = S_IFREG | 0644;
	e.attr.st_size = 1234;
	e.attr_timeout = 1.5;
	e.entry_timeout = 2.25;
	fuse_reply_entry(req, &e);
}

static void t_init(void *ud, struct fuse_conn_info *conn)
{
	rec.inits++;
	conn->want |= rec.want_extra;
	rec.conn = *conn;
}

static void t_destroy(void *ud)
{
	rec.destroys++;
}

static void t_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	record(req, "lookup", parent);
	set_name(rec.name, name);
	reply_some_entry(req, 100);
}

static void t_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	record(req, "forget", ino);
	rec.a += nlookup;
	fuse_reply_none(req);
}

static void t_forget_multi(fuse_req_t req, size_t count,
			   struct fuse_forget_data *f)
{
	record(req, "forget_multi", 0);
	rec.a = count;
	rec.b = count ? f[count - 1].ino : 0;
	rec.c = count ? f[count - 1].nlookup : 0;
	fuse_reply_none(req);
}

static void t_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	record(req, "getattr", ino);
	rec.a = fi ? 1 : 0;
	if (fi)
		rec.fi = *fi;
	memset(&st, 0, sizeof(st));
	st.st_ino = ino;
	st.st_mode = S_IFDIR | 0755;
	st.st_nlink = 2;
	fuse_reply_attr(req, &st, 1.0);
}

static void t_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		      int to_set, struct fuse_file_info *fi)
{
	record(req, "setattr", ino);
	rec.st = *attr;
	rec.to_set = to_set;
	rec.a = fi ? 1 : 0;
	if (fi)
		rec.fi = *fi;
	fuse_reply_attr(req, attr, 0);
}

static void t_readlink(fuse_req_t req, fuse_ino_t ino)
{
	record(req, "readlink", ino);
	fuse_reply_readlink(req, "target");
}

static void t_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode, dev_t rdev)
{
	record(req, "mknod", parent);
	set_name(rec.name, name);
	rec.a = mode;
	rec.b = rdev;
	reply_some_entry(req, 101);
}

static void t_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		    mode_t mode)
{
	record(req, "mkdir", parent);
	set_name(rec.name, name);
	rec.a = mode;
	reply_some_entry(req, 102);
}

static void t_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	record(req, "unlink", parent);
	set_name(rec.name, name);
	fuse_reply_err(req, 0);
}

static void t_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	record(req, "rmdir", parent);
	set_name(rec.name, name);
	fuse_reply_err(req, ENOTEMPTY);
}

static void t_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		      const char *name)
{
	record(req, "symlink", parent);
	set_name(rec.name, name);
	set_name(rec.name2, link);
	reply_some_entry(req, 103);
}

static void t_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		     fuse_ino_t newparent, const char *newname,
		     unsigned int flags)
{
	record(req, "rename", parent);
	set_name(rec.name, name);
	set_name(rec.name2, newname);
	rec.ino2 = newparent;
	rec.flags = (int)flags;
	fuse_reply_err(req, 0);
}

static void t_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		   const char *newname)
{
	record(req, "link", ino);
	rec.ino2 = newparent;
	set_name(rec.name, newname);
	reply_some_entry(req, ino);
}

static void t_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	record(req, "open", ino);
	rec.fi = *fi;
	fi->fh = 77;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

static void t_interrupted(fuse_req_t req, void *data)
{
	rec.interrupted_calls++;
	CHECK(data == &rec);
}

static void t_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	record(req, "read", ino);
	rec.a = size;
	rec.b = (uint64_t)off;
	rec.fi = *fi;
	if (fi->fh == 500 || fi->fh == 502) {
		/* Data still in a file: fuse_reply_data reads it for us. */
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(size);

		bv.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		bv.buf[0].fd = rec_data_fd;
		bv.buf[0].pos = off;
		fuse_reply_data(req, &bv, FUSE_BUF_SPLICE_MOVE);
		return;
	}
	if (fi->fh == 501) {
		/* Two memory pieces, the first one partly used already. */
		struct {
			size_t count, idx, off;
			struct fuse_buf buf[2];
		} bv2 = {
			.count = 2, .idx = 0, .off = 2,
			.buf = {
				{ .size = 5, .mem = "xxabc" },
				{ .size = 3, .mem = "def" },
			},
		};

		fuse_reply_data(req, (struct fuse_bufvec *)&bv2, 0);
		return;
	}
	if (fi->fh == 503) {
		/* A memory piece and a file piece: copied through. */
		struct {
			size_t count, idx, off;
			struct fuse_buf buf[2];
		} bv2 = {
			.count = 2,
			.buf = {
				{ .size = 3, .mem = "abc" },
				{ .size = 4, .flags = FUSE_BUF_IS_FD |
						      FUSE_BUF_FD_SEEK,
				  .fd = rec_data_fd, .pos = 1 },
			},
		};

		fuse_reply_data(req, (struct fuse_bufvec *)&bv2, 0);
		return;
	}
	if (fi->fh == 504) {
		struct iovec iov[3] = {
			{ "one", 3 }, { "", 0 }, { "three", 5 },
		};

		fuse_reply_iov(req, iov, 3);
		return;
	}
	if (fi->fh == 999) {
		/* Held for the interrupt test: answered later. */
		rec.held = req;
		fuse_req_interrupt_func(req, t_interrupted, &rec);
		return;
	}
	fuse_reply_buf(req, "hello", 5);
}

static void t_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		    size_t size, off_t off, struct fuse_file_info *fi)
{
	record(req, "write", ino);
	rec.a = size;
	rec.b = (uint64_t)off;
	rec.fi = *fi;
	rec.datalen = size < sizeof(rec.data) ? size : sizeof(rec.data);
	memcpy(rec.data, buf, rec.datalen);
	fuse_reply_write(req, size);
}

static void t_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	record(req, "flush", ino);
	rec.fi = *fi;
	fuse_reply_err(req, 0);
}

static void t_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	record(req, "release", ino);
	rec.fi = *fi;
	fuse_reply_err(req, 0);
}

static void t_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		    struct fuse_file_info *fi)
{
	record(req, "fsync", ino);
	rec.a = (uint64_t)datasync;
	rec.fi = *fi;
	fuse_reply_err(req, 0);
}

static void t_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	record(req, "opendir", ino);
	fi->fh = 55;
	fuse_reply_open(req, fi);
}

static void t_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	char buf[512];
	struct stat st;
	size_t n = 0;

	record(req, "readdir", ino);
	rec.a = size;
	rec.b = (uint64_t)off;
	rec.fi = *fi;
	memset(&st, 0, sizeof(st));
	st.st_ino = 5;
	st.st_mode = S_IFREG;
	/* A probe with no buffer says how much room an entry needs. */
	CHECK(fuse_add_direntry(req, NULL, 0, "abc", &st, 1) == 32);
	n += fuse_add_direntry(req, buf + n, sizeof(buf) - n, "abc", &st, 1);
	n += fuse_add_direntry(req, buf + n, sizeof(buf) - n, "defghijkl", &st, 2);
	/* Too small: nothing written, the needed size returned. */
	CHECK(fuse_add_direntry(req, buf + n, 8, "x", &st, 3) == 32);
	fuse_reply_buf(req, buf, n);
}

static void t_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			  off_t off, struct fuse_file_info *fi)
{
	char buf[512];
	struct fuse_entry_param e;
	size_t n;

	record(req, "readdirplus", ino);
	memset(&e, 0, sizeof(e));
	e.ino = 9;
	e.attr.st_ino = 9;
	e.attr.st_mode = S_IFDIR | 0700;
	n = fuse_add_direntry_plus(req, buf, sizeof(buf), "sub", &e, 1);
	fuse_reply_buf(req, buf, n);
}

static void t_releasedir(fuse_req_t req, fuse_ino_t ino,
			 struct fuse_file_info *fi)
{
	record(req, "releasedir", ino);
	rec.fi = *fi;
	fuse_reply_err(req, 0);
}

static void t_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		       struct fuse_file_info *fi)
{
	record(req, "fsyncdir", ino);
	rec.a = (uint64_t)datasync;
	fuse_reply_err(req, 0);
}

static void t_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	record(req, "statfs", ino);
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = 4096;
	sv.f_blocks = 1000;
	sv.f_namemax = 255;
	fuse_reply_statfs(req, &sv);
}

static void t_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       const char *value, size_t size, int flags)
{
	record(req, "setxattr", ino);
	set_name(rec.name, name);
	rec.a = size;
	rec.flags = flags;
	rec.datalen = size;
	memcpy(rec.data, value, size);
	fuse_reply_err(req, 0);
}

static void t_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		       size_t size)
{
	record(req, "getxattr", ino);
	set_name(rec.name, name);
	rec.a = size;
	if (size == 0)
		fuse_reply_xattr(req, 5);
	else if (size < 5)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, "value", 5);
}

static void t_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	record(req, "listxattr", ino);
	rec.a = size;
	if (size == 0)
		fuse_reply_xattr(req, 8);
	else
		fuse_reply_buf(req, "user.a\0", 7);
}

static void t_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	record(req, "removexattr", ino);
	set_name(rec.name, name);
	fuse_reply_err(req, ENODATA);
}

static void t_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	gid_t mine[256], got[256];
	int n, m;

	record(req, "access", ino);
	rec.a = (uint64_t)mask;
	/* The request comes from this very process (pid in the header). */
	n = getgroups(256, mine);
	m = fuse_req_getgroups(req, 256, got);
	CHECK(m == n);
	for (int i = 0; i < n && i < m; i++)
		CHECK(mine[i] == got[i]);
	CHECK(fuse_req_getgroups(req, 0, got) == n);
	fuse_reply_err(req, 0);
}

static void t_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, struct fuse_file_info *fi)
{
	struct fuse_entry_param e;

	record(req, "create", parent);
	set_name(rec.name, name);
	rec.a = mode;
	rec.fi = *fi;
	memset(&e, 0, sizeof(e));
	e.ino = 104;
	e.attr.st_ino = 104;
	e.attr.st_mode = S_IFREG | mode;
	fi->fh = 88;
	fi->direct_io = 1;
	fuse_reply_create(req, &e, fi);
}

static void t_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock)
{
	record(req, "getlk", ino);
	rec.fl = *lock;
	rec.fi = *fi;
	lock->l_type = F_WRLCK;
	lock->l_pid = 42;
	fuse_reply_lock(req, lock);
}

static void t_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    struct flock *lock, int sleep)
{
	record(req, "setlk", ino);
	rec.fl = *lock;
	rec.fi = *fi;
	rec.a = (uint64_t)sleep;
	fuse_reply_err(req, 0);
}

static void t_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		    int op)
{
	record(req, "flock", ino);
	rec.a = (uint64_t)op;
	rec.fi = *fi;
	fuse_reply_err(req, 0);
}

static void t_bmap(fuse_req_t req, fuse_ino_t ino, size_t blocksize,
		   uint64_t idx)
{
	record(req, "bmap", ino);
	rec.a = blocksize;
	rec.b = idx;
	fuse_reply_bmap(req, idx * 2);
}

static void t_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd,
		    void *arg, struct fuse_file_info *fi, unsigned flags,
		    const void *in_buf, size_t in_bufsz, size_t out_bufsz)
{
	record(req, "ioctl", ino);
	rec.a = cmd;
	rec.b = (uint64_t)(uintptr_t)arg;
	rec.flags = (int)flags;
	rec.datalen = in_bufsz;
	if (in_bufsz)
		memcpy(rec.data, in_buf, in_bufsz);
	rec.c = out_bufsz;
	if (cmd == 2) {
		struct iovec in = { arg, 8 };

		fuse_reply_ioctl_retry(req, &in, 1, NULL, 0);
		return;
	}
	fuse_reply_ioctl(req, 3, "out", 3);
}

static void t_poll(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		   struct fuse_pollhandle *ph)
{
	record(req, "poll", ino);
	rec.a = fi->poll_events;
	rec.b = ph != NULL;
	fuse_reply_poll(req, 1 /* POLLIN */);
	if (ph) {
		CHECK(fuse_lowlevel_notify_poll(ph) == 0);
		fuse_pollhandle_destroy(ph);
	}
}

static void t_retrieve_reply(fuse_req_t req, void *cookie, fuse_ino_t ino,
			     off_t offset, struct fuse_bufvec *bufv)
{
	record(req, "retrieve_reply", ino);
	rec.cookie = cookie;
	rec.b = (uint64_t)offset;
	rec.datalen = bufv->buf[0].size;
	memcpy(rec.data, bufv->buf[0].mem, rec.datalen);
	fuse_reply_none(req);
}

static void t_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			off_t offset, off_t length, struct fuse_file_info *fi)
{
	record(req, "fallocate", ino);
	rec.a = (uint64_t)mode;
	rec.b = (uint64_t)offset;
	rec.c = (uint64_t)length;
	rec.fi = *fi;
	fuse_reply_err(req, 0);
}

static void t_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			      struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			      off_t off_out, struct fuse_file_info *fi_out,
			      size_t len, int flags)
{
	record(req, "copy_file_range", ino_in);
	rec.ino2 = ino_out;
	rec.a = (uint64_t)off_in;
	rec.b = (uint64_t)off_out;
	rec.c = len;
	rec.fi = *fi_out;
	fuse_reply_write(req, len);
}

static void t_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		    struct fuse_file_info *fi)
{
	record(req, "lseek", ino);
	rec.a = (uint64_t)off;
	rec.b = (uint64_t)whence;
	fuse_reply_lseek(req, off + 10);
}

static const struct fuse_lowlevel_ops full_ops = {
	.init = t_init,
	.destroy = t_destroy,
	.lookup = t_lookup,
	.forget = t_forget,
	.getattr = t_getattr,
	.setattr = t_setattr,
	.readlink = t_readlink,
	.mknod = t_mknod,
	.mkdir = t_mkdir,
	.unlink = t_unlink,
	.rmdir = t_rmdir,
	.symlink = t_symlink,
	.rename = t_rename,
	.link = t_link,
	.open = t_open,
	.read = t_read,
	.write = t_write,
	.flush = t_flush,
	.release = t_release,
	.fsync = t_fsync,
	.opendir = t_opendir,
	.readdir = t_readdir,
	.releasedir = t_releasedir,
	.fsyncdir = t_fsyncdir,
	.statfs = t_statfs,
	.setxattr = t_setxattr,
	.getxattr = t_getxattr,
	.listxattr = t_listxattr,
	.removexattr = t_removexattr,
	.access = t_access,
	.create = t_create,
	.getlk = t_getlk,
	.setlk = t_setlk,
	.bmap = t_bmap,
	.ioctl = t_ioctl,
	.poll = t_poll,
	.retrieve_reply = t_retrieve_reply,
	.forget_multi = t_forget_multi,
	.flock = t_flock,
	.fallocate = t_fallocate,
	.readdirplus = t_readdirplus,
	.copy_file_range = t_copy_file_range,
	.lseek = t_lseek,
};

/* ---- sessions ---- */

static struct fuse_session *new_session(const struct fuse_lowlevel_ops *ops,
					const char *opt)
{
	char *argv[] = { "test-proto", NULL, NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se;
	int fd;

	if (opt) {
		argv[1] = "-o";
		argv[2] = (char *)opt;
		args.argc = 3;
	}
	se = fuse_session_new(&args, ops, sizeof(*ops), NULL);
	fuse_opt_free_args(&args);
	if (!se)
		return NULL;
	/* The session closes this fd when destroyed. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK(fuse_session_custom_io(se, &test_io, fd) == 0);
	return se;
}

/* INIT at minor; returns the reply body (valid until the next request). */
static const struct fuse_init_out *do_init(struct fuse_session *se,
					   unsigned major, unsigned minor,
					   uint64_t flags, size_t expect_len)
{
	struct rq r;
	struct fuse_init_in in;

	memset(&in, 0, sizeof(in));
	in.major = major;
	in.minor = minor;
	in.max_readahead = 128 * 1024;
	in.flags = (uint32_t)flags;
	in.flags2 = (uint32_t)(flags >> 32);
	rq_start(&r, FUSE_INIT, 0);
	/* Kernels before 7.36 send the 16-byte form. */
	rq_add(&r, &in, minor >= 36 ? sizeof(in) : 16);
	send_rq(se, &r);
	CHECK(tio.nmsgs == 1);
	CHECK(is_reply(0, rq_unique(&r), 0, sizeof(struct fuse_out_header) + expect_len));
	return msg_body(0);
}

#define KERNEL_FLAGS ((uint64_t)(FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | \
	FUSE_ATOMIC_O_TRUNC | FUSE_EXPORT_SUPPORT | FUSE_BIG_WRITES | \
	FUSE_DONT_MASK | FUSE_FLOCK_LOCKS | FUSE_HAS_IOCTL_DIR | \
	FUSE_AUTO_INVAL_DATA | FUSE_DO_READDIRPLUS | FUSE_READDIRPLUS_AUTO | \
	FUSE_ASYNC_DIO | FUSE_WRITEBACK_CACHE | FUSE_NO_OPEN_SUPPORT | \
	FUSE_PARALLEL_DIROPS | FUSE_HANDLE_KILLPRIV | FUSE_POSIX_ACL | \
	FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS | FUSE_NO_OPENDIR_SUPPORT | \
	FUSE_EXPLICIT_INVAL_DATA | FUSE_INIT_EXT) | FUSE_HAS_EXPIRE_ONLY)

static void test_init_minors(void)
{
	static const unsigned minors[] = { 31, 36, 38, 45 };

	for (size_t i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		unsigned minor = minors[i];
		struct fuse_session *se;
		const struct fuse_init_out *o;
		uint64_t flags = KERNEL_FLAGS;

		if (minor < 36)
			flags &= ~((uint64_t)FUSE_INIT_EXT | FUSE_HAS_EXPIRE_ONLY);
		memset(&rec, 0, sizeof(rec));
		rec.want_extra = FUSE_CAP_WRITEBACK_CACHE;
		se = new_session(&full_ops, NULL);
		CHECK(se != NULL);
		if (!se)
			continue;
		o = do_init(se, 7, minor, flags, sizeof(struct fuse_init_out));
		CHECK(o->major == 7);
		CHECK(o->minor == FUSE_KERNEL_MINOR_VERSION);
		CHECK(o->max_write == 1024 * 1024);
		CHECK(o->max_pages == 256);
		CHECK(o->time_gran == 1);
		CHECK(o->max_readahead == 128 * 1024);
		CHECK(o->flags & FUSE_ASYNC_READ);
		CHECK(o->flags & FUSE_BIG_WRITES);
		CHECK(o->flags & FUSE_MAX_PAGES);
		CHECK(o->flags & FUSE_WRITEBACK_CACHE);
		CHECK(o->flags & FUSE_POSIX_LOCKS);
		CHECK(o->flags & FUSE_FLOCK_LOCKS);
		CHECK(o->flags & FUSE_DO_READDIRPLUS);
		CHECK(o->flags & FUSE_READDIRPLUS_AUTO);
		CHECK(!(o->flags & FUSE_EXPORT_SUPPORT));
		CHECK(!!(o->flags & FUSE_INIT_EXT) == (minor >= 36));
		CHECK(rec.inits == 1);
		CHECK(rec.conn.proto_minor == minor);
		CHECK(rec.conn.max_write == 1024 * 1024);
		CHECK(rec.conn.capable & FUSE_CAP_EXPORT_SUPPORT);
		CHECK(!!(rec.conn.capable & FUSE_CAP_EXPIRE_ONLY) == (minor >= 36));
		CHECK(rec.conn.want & FUSE_CAP_ASYNC_READ);

		/* A second INIT is a protocol error. */
		do {
			struct rq r;
			struct fuse_init_in in = { .major = 7, .minor = minor };

			rq_start(&r, FUSE_INIT, 0);
			rq_add(&r, &in, 16);
			send_rq(se, &r);
			CHECK(is_reply(0, rq_unique(&r), -EIO, 16));
			CHECK(rec.inits == 1);
		} while (0);

		fuse_session_destroy(se);
		CHECK(rec.destroys == 1);
	}
}

static void test_init_old_and_odd(void)
{
	struct fuse_session *se;
	const struct fuse_init_out *o;
	struct rq r;

	/* 7.22: the short reply (no time_gran, no max_pages). */
	memset(&rec, 0, sizeof(rec));
	se = new_session(&full_ops, NULL);
	o = do_init(se, 7, 22, FUSE_ASYNC_READ | FUSE_BIG_WRITES,
		    FUSE_COMPAT_22_INIT_OUT_SIZE);
	CHECK(o->max_write == 1024 * 1024);
	fuse_session_destroy(se);

	/* A future major: answered with our version, INIT not done yet. */
	memset(&rec, 0, sizeof(rec));
	se = new_session(&full_ops, NULL);
	o = do_init(se, 8, 0, 0, FUSE_COMPAT_INIT_OUT_SIZE);
	CHECK(o->major == 7);
	CHECK(rec.inits == 0);
	do_init(se, 7, 38, KERNEL_FLAGS, sizeof(struct fuse_init_out));
	CHECK(rec.inits == 1);
	fuse_session_destroy(se);

	/* Major 6: refused, the session ends. */
	se = new_session(&full_ops, NULL);
	rq_start(&r, FUSE_INIT, 0);
	do {
		struct fuse_init_in in = { .major = 6, .minor = 0 };

		rq_add(&r, &in, 16);
	} while (0);
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), -EPROTO, 16));
	CHECK(fuse_session_exited(se));
	fuse_session_destroy(se);

	/* Wanting what the kernel lacks: refused. */
	memset(&rec, 0, sizeof(rec));
	rec.want_extra = FUSE_CAP_WRITEBACK_CACHE;
	se = new_session(&full_ops, NULL);
	rq_start(&r, FUSE_INIT, 0);
	do {
		struct fuse_init_in in = { .major = 7, .minor = 38,
					   .flags = FUSE_ASYNC_READ };

		rq_add(&r, &in, sizeof(in));
	} while (0);
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), -EPROTO, 16));
	CHECK(fuse_session_exited(se));
	fuse_session_destroy(se);

	/* Anything before INIT: EIO, and no op runs. */
	memset(&rec, 0, sizeof(rec));
	se = new_session(&full_ops, NULL);
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "x");
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), -EIO, 16));
	CHECK(rec.op == NULL);
	fuse_session_destroy(se);
	CHECK(rec.destroys == 0);
}

static struct fuse_session *ready_session(const struct fuse_lowlevel_ops *ops,
					  const char *opt)
{
	struct fuse_session *se = new_session(ops, opt);

	CHECK(se != NULL);
	if (se)
		do_init(se, 7, 38, KERNEL_FLAGS, sizeof(struct fuse_init_out));
	return se;
}

#define ENTRY_REPLY (16 + sizeof(struct fuse_entry_out))

static void test_entries(struct fuse_session *se)
{
	struct rq r;

	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "file");
	send_rq(se, &r);
	CHECK(rec.op && !strcmp(rec.op, "lookup"));
	CHECK(rec.ino == 1 && !strcmp(rec.name, "file"));
	CHECK(rec.ctx.pid == getpid());
	CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));
	do {
		const struct fuse_entry_out *e = msg_body(0);

		CHECK(e->nodeid == 100 && e->generation == 7);
		CHECK(e->attr_valid == 1 && e->attr_valid_nsec == 500000000);
		CHECK(e->entry_valid == 2 && e->entry_valid_nsec == 250000000);
		CHECK(e->attr.size == 1234 && e->attr.ino == 100);
	} while (0);

	do {
		struct fuse_forget_in in = { .nlookup = 3 };

		rec.a = 0;
		rq_start(&r, FUSE_FORGET, 100);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "forget") && rec.ino == 100 && rec.a == 3);
		CHECK(tio.nmsgs == 0);
	} while (0);

	do {
		struct fuse_batch_forget_in in = { .count = 3 };
		struct fuse_forget_one one[3] = {
			{ 10, 1 }, { 11, 2 }, { 12, 5 },
		};

		rq_start(&r, FUSE_BATCH_FORGET, 0);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, one, sizeof(one));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "forget_multi"));
		CHECK(rec.a == 3 && rec.b == 12 && rec.c == 5);
		CHECK(tio.nmsgs == 0);
	} while (0);

	do {
		struct fuse_getattr_in in = { .getattr_flags = FUSE_GETATTR_FH,
					      .fh = 5 };

		rq_start(&r, FUSE_GETATTR, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "getattr") && rec.a == 1 && rec.fi.fh == 5);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_attr_out)));
		CHECK(((const struct fuse_attr_out *)msg_body(0))->attr.mode ==
		      (S_IFDIR | 0755));
		in.getattr_flags = 0;
		rq_start(&r, FUSE_GETATTR, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(rec.a == 0);
	} while (0);

	do {
		struct fuse_setattr_in in;

		memset(&in, 0, sizeof(in));
		in.valid = FATTR_MODE | FATTR_SIZE | FATTR_MTIME | FATTR_FH |
			   FATTR_LOCKOWNER;
		in.mode = 0640;
		in.size = 4096;
		in.mtime = 1000;
		in.mtimensec = 5;
		in.fh = 9;
		in.lock_owner = 0xabc;
		rq_start(&r, FUSE_SETATTR, 3);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "setattr") && rec.ino == 3);
		CHECK(rec.to_set == (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_SIZE |
				     FUSE_SET_ATTR_MTIME));
		CHECK(rec.st.st_mode == 0640 && rec.st.st_size == 4096);
		CHECK(rec.st.st_mtim.tv_sec == 1000 && rec.st.st_mtim.tv_nsec == 5);
		CHECK(rec.a == 1 && rec.fi.fh == 9 && rec.fi.lock_owner == 0xabc);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_attr_out)));
	} while (0);

	rq_start(&r, FUSE_READLINK, 4);
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "readlink"));
	CHECK(is_reply(0, rq_unique(&r), 0, 16 + 6));
	CHECK(!memcmp(msg_body(0), "target", 6));

	do {
		struct fuse_mknod_in in = { .mode = S_IFIFO | 0600, .rdev = 77,
					    .umask = 022 };

		rq_start(&r, FUSE_MKNOD, 1);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "fifo");
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "mknod") && !strcmp(rec.name, "fifo"));
		CHECK(rec.a == (S_IFIFO | 0600) && rec.b == 77);
		CHECK(rec.ctx.umask == 022);
		CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));
	} while (0);

	do {
		struct fuse_mkdir_in in = { .mode = 0755, .umask = 077 };

		rq_start(&r, FUSE_MKDIR, 1);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "dir");
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "mkdir") && !strcmp(rec.name, "dir"));
		CHECK(rec.a == 0755 && rec.ctx.umask == 077);
		CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));
	} while (0);

	rq_start(&r, FUSE_UNLINK, 1);
	rq_str(&r, "gone");
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "unlink") && !strcmp(rec.name, "gone"));
	CHECK(is_reply(0, rq_unique(&r), 0, 16));

	rq_start(&r, FUSE_RMDIR, 1);
	rq_str(&r, "full");
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "rmdir") && !strcmp(rec.name, "full"));
	CHECK(is_reply(0, rq_unique(&r), -ENOTEMPTY, 16));

	rq_start(&r, FUSE_SYMLINK, 1);
	rq_str(&r, "link");
	rq_str(&r, "/some/where");
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "symlink") && !strcmp(rec.name, "link"));
	CHECK(!strcmp(rec.name2, "/some/where"));
	CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));

	do {
		struct fuse_rename_in in = { .newdir = 8 };
		struct fuse_rename2_in in2 = { .newdir = 9,
					       .flags = (1 << 1) /* RENAME_EXCHANGE */ };

		rq_start(&r, FUSE_RENAME, 1);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "a");
		rq_str(&r, "b");
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "rename") && !strcmp(rec.name, "a"));
		CHECK(!strcmp(rec.name2, "b") && rec.ino2 == 8 && rec.flags == 0);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));

		rq_start(&r, FUSE_RENAME2, 1);
		rq_add(&r, &in2, sizeof(in2));
		rq_str(&r, "c");
		rq_str(&r, "d");
		send_rq(se, &r);
		CHECK(!strcmp(rec.name, "c") && !strcmp(rec.name2, "d"));
		CHECK(rec.ino2 == 9 && rec.flags == (1 << 1) /* RENAME_EXCHANGE */);
	} while (0);

	do {
		struct fuse_link_in in = { .oldnodeid = 33 };

		rq_start(&r, FUSE_LINK, 2);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "hard");
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "link") && rec.ino == 33 && rec.ino2 == 2);
		CHECK(!strcmp(rec.name, "hard"));
		CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));
	} while (0);
}

static void test_files(struct fuse_session *se)
{
	struct rq r;

	do {
		struct fuse_open_in in = { .flags = O_RDWR };

		rq_start(&r, FUSE_OPEN, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "open") && rec.fi.flags == O_RDWR);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_open_out)));
		CHECK(((const struct fuse_open_out *)msg_body(0))->fh == 77);
		CHECK(((const struct fuse_open_out *)msg_body(0))->open_flags ==
		      FOPEN_KEEP_CACHE);
	} while (0);

	do {
		struct fuse_read_in in = { .fh = 77, .offset = 4096, .size = 100,
					   .lock_owner = 5, .flags = O_RDONLY };

		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "read") && rec.a == 100 && rec.b == 4096);
		CHECK(rec.fi.fh == 77);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 5));
		CHECK(!memcmp(msg_body(0), "hello", 5));
	} while (0);

	do {
		char path[] = "/tmp/test-proto.XXXXXX";
		struct fuse_read_in in = { .offset = 2, .size = 100 };

		rec_data_fd = mkstemp(path);
		CHECK(rec_data_fd >= 0);
		unlink(path);
		CHECK(write(rec_data_fd, "0123456789", 10) == 10);

		/* fd buffer: from offset 2 up to EOF (8 bytes, not 100) */
		in.fh = 500;
		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 8));
		CHECK(!memcmp(msg_body(0), "23456789", 8));
		/* fd buffer past EOF: an empty reply */
		in.fh = 502;
		in.offset = 50;
		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
		/* memory pieces, sent without copying */
		in.fh = 501;
		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 6));
		CHECK(!memcmp(msg_body(0), "abcdef", 6));
		/* memory and fd mixed */
		in.fh = 503;
		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 7));
		CHECK(!memcmp(msg_body(0), "abc1234", 7));
		/* fuse_reply_iov */
		in.fh = 504;
		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 8));
		CHECK(!memcmp(msg_body(0), "onethree", 8));
		close(rec_data_fd);
		rec_data_fd = -1;
	} while (0);

	do {
		struct fuse_write_in in = { .fh = 77, .offset = 10, .size = 6,
					    .write_flags = FUSE_WRITE_CACHE };

		rq_start(&r, FUSE_WRITE, 5);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, "abcdef", 6);
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "write") && rec.a == 6 && rec.b == 10);
		CHECK(rec.datalen == 6 && !memcmp(rec.data, "abcdef", 6));
		CHECK(rec.fi.writepage == 1 && rec.fi.fh == 77);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_write_out)));
		CHECK(((const struct fuse_write_out *)msg_body(0))->size == 6);
	} while (0);

	do {
		struct fuse_flush_in in = { .fh = 77, .lock_owner = 0x55 };

		rq_start(&r, FUSE_FLUSH, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "flush") && rec.fi.flush == 1);
		CHECK(rec.fi.lock_owner == 0x55);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_fsync_in in = { .fh = 77,
					    .fsync_flags = FUSE_FSYNC_FDATASYNC };

		rq_start(&r, FUSE_FSYNC, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "fsync") && rec.a == 1 && rec.fi.fh == 77);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_release_in in = { .fh = 77, .flags = O_WRONLY,
			.release_flags = FUSE_RELEASE_FLUSH |
					 FUSE_RELEASE_FLOCK_UNLOCK,
			.lock_owner = 0x66 };

		rq_start(&r, FUSE_RELEASE, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "release") && rec.fi.fh == 77);
		CHECK(rec.fi.flush == 1 && rec.fi.flock_release == 1);
		CHECK(rec.fi.lock_owner == 0x66 && rec.fi.flags == O_WRONLY);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	rq_start(&r, FUSE_STATFS, 1);
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "statfs"));
	CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_statfs_out)));
	CHECK(((const struct fuse_statfs_out *)msg_body(0))->st.blocks == 1000);

	do {
		struct fuse_access_in in = { .mask = 4 };

		rq_start(&r, FUSE_ACCESS, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "access") && rec.a == 4);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_create_in in = { .flags = O_CREAT | O_WRONLY,
					     .mode = 0600, .umask = 02 };
		const struct fuse_open_out *oo;

		rq_start(&r, FUSE_CREATE, 1);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "new");
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "create") && !strcmp(rec.name, "new"));
		CHECK(rec.a == 0600 && rec.ctx.umask == 02);
		CHECK(rec.fi.flags == (O_CREAT | O_WRONLY));
		CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY +
			       sizeof(struct fuse_open_out)));
		oo = (const void *)((const char *)msg_body(0) +
				    sizeof(struct fuse_entry_out));
		CHECK(oo->fh == 88 && oo->open_flags == FOPEN_DIRECT_IO);
	} while (0);

	do {
		struct fuse_fallocate_in in = { .fh = 3, .offset = 10,
						.length = 20, .mode = 1 };

		rq_start(&r, FUSE_FALLOCATE, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "fallocate") && rec.a == 1);
		CHECK(rec.b == 10 && rec.c == 20 && rec.fi.fh == 3);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_lseek_in in = { .fh = 3, .offset = 100,
					    .whence = SEEK_DATA };

		rq_start(&r, FUSE_LSEEK, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "lseek") && rec.a == 100);
		CHECK(rec.b == SEEK_DATA);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_lseek_out)));
		CHECK(((const struct fuse_lseek_out *)msg_body(0))->offset == 110);
	} while (0);

	do {
		struct fuse_copy_file_range_in in = { .fh_in = 1, .off_in = 2,
			.nodeid_out = 6, .fh_out = 4, .off_out = 8,
			.len = 4096, .flags = 0 };

		rq_start(&r, FUSE_COPY_FILE_RANGE, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "copy_file_range") && rec.ino == 5);
		CHECK(rec.ino2 == 6 && rec.a == 2 && rec.b == 8 && rec.c == 4096);
		CHECK(rec.fi.fh == 4);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_write_out)));
	} while (0);

	do {
		struct fuse_bmap_in in = { .block = 21, .blocksize = 512 };

		rq_start(&r, FUSE_BMAP, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "bmap") && rec.a == 512 && rec.b == 21);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_bmap_out)));
		CHECK(((const struct fuse_bmap_out *)msg_body(0))->block == 42);
	} while (0);
}

static void test_dirs_xattrs_locks(struct fuse_session *se)
{
	struct rq r;

	do {
		struct fuse_open_in in = { .flags = O_RDONLY | O_DIRECTORY };

		rq_start(&r, FUSE_OPENDIR, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "opendir"));
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_open_out)));
	} while (0);

	do {
		struct fuse_read_in in = { .fh = 55, .offset = 0, .size = 4096 };
		const struct fuse_dirent *d;

		rq_start(&r, FUSE_READDIR, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "readdir") && rec.fi.fh == 55);
		CHECK(rec.a == 4096);
		/* "abc" takes 24+3 -> 32, "defghijkl" 24+9 -> 40 */
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 32 + 40));
		d = msg_body(0);
		CHECK(d->ino == 5 && d->off == 1 && d->namelen == 3);
		CHECK(d->type == (S_IFREG >> 12) && !memcmp(d->name, "abc", 3));

		rq_start(&r, FUSE_READDIRPLUS, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "readdirplus"));
		CHECK(is_reply(0, rq_unique(&r), 0, 16 +
			       FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + 3)));
		do {
			const struct fuse_direntplus *dp = msg_body(0);

			CHECK(dp->entry_out.nodeid == 9);
			CHECK(dp->dirent.namelen == 3 && dp->dirent.ino == 9);
			CHECK(dp->dirent.type == (S_IFDIR >> 12));
		} while (0);
	} while (0);

	do {
		struct fuse_fsync_in in = { .fh = 55 };

		rq_start(&r, FUSE_FSYNCDIR, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "fsyncdir") && rec.a == 0);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_release_in in = { .fh = 55 };

		rq_start(&r, FUSE_RELEASEDIR, 1);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "releasedir") && rec.fi.fh == 55);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_setxattr_in in = { .size = 4, .flags = 1 };

		/* Without FUSE_SETXATTR_EXT the kernel sends the 8-byte form. */
		rq_start(&r, FUSE_SETXATTR, 5);
		rq_add(&r, &in, FUSE_COMPAT_SETXATTR_IN_SIZE);
		rq_str(&r, "user.k");
		rq_add(&r, "v\0lu", 4);
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "setxattr") && !strcmp(rec.name, "user.k"));
		CHECK(rec.a == 4 && rec.flags == 1 && !memcmp(rec.data, "v\0lu", 4));
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);

	do {
		struct fuse_getxattr_in in = { .size = 0 };

		/* size 0: the size probe */
		rq_start(&r, FUSE_GETXATTR, 5);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "user.k");
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "getxattr") && rec.a == 0);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_getxattr_out)));
		CHECK(((const struct fuse_getxattr_out *)msg_body(0))->size == 5);

		in.size = 2;
		rq_start(&r, FUSE_GETXATTR, 5);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "user.k");
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), -ERANGE, 16));

		in.size = 100;
		rq_start(&r, FUSE_GETXATTR, 5);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "user.k");
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 5));

		in.size = 0;
		rq_start(&r, FUSE_LISTXATTR, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "listxattr"));
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_getxattr_out)));
		in.size = 64;
		rq_start(&r, FUSE_LISTXATTR, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(rec.a == 64 && is_reply(0, rq_unique(&r), 0, 16 + 7));
	} while (0);

	rq_start(&r, FUSE_REMOVEXATTR, 5);
	rq_str(&r, "user.k");
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "removexattr") && !strcmp(rec.name, "user.k"));
	CHECK(is_reply(0, rq_unique(&r), -ENODATA, 16));

	do {
		struct fuse_lk_in in;
		const struct fuse_lk_out *lo;

		memset(&in, 0, sizeof(in));
		in.fh = 3;
		in.owner = 0x99;
		in.lk.start = 10;
		in.lk.end = 19;
		in.lk.type = F_RDLCK;
		in.lk.pid = 7;
		rq_start(&r, FUSE_GETLK, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "getlk") && rec.fi.lock_owner == 0x99);
		CHECK(rec.fl.l_start == 10 && rec.fl.l_len == 10);
		CHECK(rec.fl.l_type == F_RDLCK && rec.fl.l_pid == 7);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_lk_out)));
		lo = msg_body(0);
		CHECK(lo->lk.type == F_WRLCK && lo->lk.start == 10);
		CHECK(lo->lk.end == 19 && lo->lk.pid == 42);

		/* To EOF: end is OFFSET_MAX on the wire, l_len 0 here. */
		in.lk.end = INT64_MAX;
		in.lk.type = F_WRLCK;
		rq_start(&r, FUSE_SETLK, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "setlk") && rec.a == 0);
		CHECK(rec.fl.l_len == 0 && rec.fl.l_type == F_WRLCK);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));

		rq_start(&r, FUSE_SETLKW, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "setlk") && rec.a == 1);

		/* flock(2) locks come as SETLK(W) with FUSE_LK_FLOCK. */
		in.lk_flags = FUSE_LK_FLOCK;
		rq_start(&r, FUSE_SETLK, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "flock") && rec.a == (LOCK_EX | LOCK_NB));
		in.lk.type = F_RDLCK;
		rq_start(&r, FUSE_SETLKW, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "flock") && rec.a == LOCK_SH);
		in.lk.type = F_UNLCK;
		rq_start(&r, FUSE_SETLKW, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(rec.a == LOCK_UN && is_reply(0, rq_unique(&r), 0, 16));
	} while (0);
}

static void test_ioctl_poll_notify(struct fuse_session *se)
{
	struct rq r;

	do {
		struct fuse_ioctl_in in = { .fh = 1, .cmd = 1, .arg = 0x1000,
					    .in_size = 4, .out_size = 3 };
		const struct fuse_ioctl_out *io;

		rq_start(&r, FUSE_IOCTL, 5);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, "data", 4);
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "ioctl") && rec.a == 1 && rec.b == 0x1000);
		CHECK(rec.datalen == 4 && !memcmp(rec.data, "data", 4));
		CHECK(rec.c == 3);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(*io) + 3));
		io = msg_body(0);
		CHECK(io->result == 3 && io->flags == 0);

		/* unrestricted ioctl answered with a retry and its iovecs */
		in.cmd = 2;
		in.in_size = 0;
		in.flags = FUSE_IOCTL_UNRESTRICTED;
		rq_start(&r, FUSE_IOCTL, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(rec.flags == FUSE_IOCTL_UNRESTRICTED && rec.datalen == 0);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(*io) +
			       sizeof(struct fuse_ioctl_iovec)));
		io = msg_body(0);
		CHECK(io->flags == FUSE_IOCTL_RETRY && io->in_iovs == 1);
		CHECK(io->out_iovs == 0);
		CHECK(((const struct fuse_ioctl_iovec *)(io + 1))->base == 0x1000);
		CHECK(((const struct fuse_ioctl_iovec *)(io + 1))->len == 8);
	} while (0);

	do {
		struct fuse_poll_in in = { .fh = 1, .kh = 0x77,
					   .flags = FUSE_POLL_SCHEDULE_NOTIFY,
					   .events = 1 };

		rq_start(&r, FUSE_POLL, 5);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "poll") && rec.a == 1 && rec.b == 1);
		CHECK(tio.nmsgs == 2);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_poll_out)));
		/* then the notification the op sent */
		CHECK(is_reply(1, 0, FUSE_NOTIFY_POLL, 16 +
			       sizeof(struct fuse_notify_poll_wakeup_out)));
		CHECK(((const struct fuse_notify_poll_wakeup_out *)
		       ((const char *)msg(1) + 16))->kh == 0x77);
	} while (0);

	/* Notifications straight from the session. */
	tio.nmsgs = 0;
	tio.outlen = 0;
	CHECK(fuse_lowlevel_notify_inval_inode(se, 5, 0, -1) == 0);
	CHECK(is_reply(0, 0, FUSE_NOTIFY_INVAL_INODE,
		       16 + sizeof(struct fuse_notify_inval_inode_out)));
	CHECK(fuse_lowlevel_notify_inval_entry(se, 1, "abc", 3) == 0);
	CHECK(is_reply(1, 0, FUSE_NOTIFY_INVAL_ENTRY,
		       16 + sizeof(struct fuse_notify_inval_entry_out) + 4));
	CHECK(fuse_lowlevel_notify_expire_entry(se, 1, "abc", 3,
						FUSE_LL_EXPIRE_ONLY) == 0);
	CHECK(is_reply(2, 0, FUSE_NOTIFY_INVAL_ENTRY,
		       16 + sizeof(struct fuse_notify_inval_entry_out) + 4));
	CHECK(((const struct fuse_notify_inval_entry_out *)
	       ((const char *)msg(2) + 16))->flags == FUSE_EXPIRE_ONLY);
	CHECK(fuse_lowlevel_notify_delete(se, 1, 7, "abc", 3) == 0);
	CHECK(is_reply(3, 0, FUSE_NOTIFY_DELETE,
		       16 + sizeof(struct fuse_notify_delete_out) + 4));
	do {
		struct fuse_bufvec bv = FUSE_BUFVEC_INIT(5);

		bv.buf[0].mem = "store";
		CHECK(fuse_lowlevel_notify_store(se, 5, 100, &bv, 0) == 0);
		CHECK(is_reply(4, 0, FUSE_NOTIFY_STORE,
			       16 + sizeof(struct fuse_notify_store_out) + 5));
	} while (0);

	/* RETRIEVE, then the kernel's NOTIFY_REPLY with its unique. */
	do {
		int cookie;
		uint64_t nu;
		struct fuse_notify_retrieve_in in = { .offset = 64, .size = 3 };

		CHECK(fuse_lowlevel_notify_retrieve(se, 5, 3, 64, &cookie) == 0);
		CHECK(is_reply(5, 0, FUSE_NOTIFY_RETRIEVE,
			       16 + sizeof(struct fuse_notify_retrieve_out)));
		nu = ((const struct fuse_notify_retrieve_out *)
		      ((const char *)msg(5) + 16))->notify_unique;
		rq_start(&r, FUSE_NOTIFY_REPLY, 5);
		rq_hdr(&r)->unique = nu;
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, "xyz", 3);
		send_rq(se, &r);
		CHECK(!strcmp(rec.op, "retrieve_reply") && rec.cookie == &cookie);
		CHECK(rec.b == 64 && rec.datalen == 3 && !memcmp(rec.data, "xyz", 3));
		CHECK(tio.nmsgs == 0);
		/* A second reply with the same unique matches nothing. */
		rec.op = NULL;
		send_rq(se, &r);
		CHECK(rec.op == NULL && tio.nmsgs == 0);
	} while (0);
}

static void test_interrupts(struct fuse_session *se)
{
	struct rq r, intr;
	struct fuse_read_in in = { .fh = 999, .size = 10 };
	struct fuse_interrupt_in ii;
	uint64_t held_unique;

	/* A request still being worked on is interrupted: its function runs
	 * and fuse_req_interrupted() says so; the answer comes later. */
	rec.held = NULL;
	rec.interrupted_calls = 0;
	rq_start(&r, FUSE_READ, 5);
	rq_add(&r, &in, sizeof(in));
	send_rq(se, &r);
	held_unique = rq_unique(&r);
	CHECK(rec.held != NULL && tio.nmsgs == 0);
	CHECK(rec.held && !fuse_req_interrupted(rec.held));

	ii.unique = held_unique;
	rq_start(&intr, FUSE_INTERRUPT, 0);
	rq_add(&intr, &ii, sizeof(ii));
	send_rq(se, &intr);
	CHECK(rec.interrupted_calls == 1 && tio.nmsgs == 0);
	CHECK(rec.held && fuse_req_interrupted(rec.held));
	if (rec.held) {
		tio.nmsgs = 0;
		tio.outlen = 0;
		fuse_reply_err(rec.held, EINTR);
		CHECK(is_reply(0, held_unique, -EINTR, 16));
	}

	/* An INTERRUPT ahead of its request waits for it ... */
	ii.unique = next_unique + 2;
	rq_start(&intr, FUSE_INTERRUPT, 0);
	rq_add(&intr, &ii, sizeof(ii));
	send_rq(se, &intr);
	CHECK(tio.nmsgs == 0);
	rec.held = NULL;
	rec.interrupted_calls = 0;
	rq_start(&r, FUSE_READ, 5);
	rq_add(&r, &in, sizeof(in));
	send_rq(se, &r);
	/* ... and the request arrives interrupted: its function is called
	 * as soon as it is registered. */
	CHECK(rec.held && fuse_req_interrupted(rec.held));
	CHECK(rec.interrupted_calls == 1);
	CHECK(tio.nmsgs == 0);
	if (rec.held)
		fuse_reply_err(rec.held, EINTR);

	/* An INTERRUPT for a request that never comes gets EAGAIN on the
	 * next request, so that the kernel resends it later. */
	ii.unique = 1000001;
	rq_start(&intr, FUSE_INTERRUPT, 0);
	rq_add(&intr, &ii, sizeof(ii));
	send_rq(se, &intr);
	CHECK(tio.nmsgs == 0);
	rq_start(&r, FUSE_STATFS, 1);
	send_rq(se, &r);
	CHECK(tio.nmsgs == 2);
	CHECK(is_reply(0, rq_unique(&intr), -EAGAIN, 16));
	CHECK(is_reply(1, rq_unique(&r), 0, 16 + sizeof(struct fuse_statfs_out)));
}

/* ---- nonsense ---- */

static void expect_eio(struct fuse_session *se, struct rq *r, const char *what)
{
	rec.op = NULL;
	send_rq(se, r);
	if (!is_reply(0, rq_unique(r), -EIO, 16) || tio.nmsgs != 1 || rec.op) {
		fprintf(stderr, "malformed request not refused with EIO: %s\n",
			what);
		failures++;
	}
}

static void test_malformed(struct fuse_session *se)
{
	struct rq r;
	unsigned char junk[64];

	memset(junk, 0, sizeof(junk));
	/* shorter than a header: nothing to answer */
	rq_start(&r, FUSE_LOOKUP, 1);
	rec.op = NULL;
	feed(se, r.u.b, 20);
	CHECK(tio.nmsgs == 0 && rec.op == NULL);
	feed(se, r.u.b, 1);
	CHECK(tio.nmsgs == 0);

	/* zero bytes: the end of the transport */
	tio.req = junk;
	tio.reqlen = 0;
	tio.pending = 1;
	do {
		struct fuse_buf fb = { .mem = NULL };

		CHECK(fuse_session_receive_buf(se, &fb) == 0);
		/* and a zero-length buffer handed to process directly */
		tio.nmsgs = 0;
		fb.size = 0;
		fuse_session_process_buf(se, &fb);
		CHECK(tio.nmsgs == 0);
		free(fb.mem);
	} while (0);

	/* len field larger, then smaller, than the bytes read */
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "name");
	rq_hdr(&r)->len += 100;
	expect_eio(se, &r, "len larger than read");
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "name");
	rq_hdr(&r)->len -= 2;
	expect_eio(se, &r, "len smaller than read");
	rq_start(&r, FUSE_GETATTR, 1);
	rq_hdr(&r)->len = 0xffffffff;
	expect_eio(se, &r, "len 4 GiB");
	/* ... and with unique 0 there is nobody to answer */
	rq_start(&r, FUSE_GETATTR, 1);
	rq_hdr(&r)->len = 7;
	rq_hdr(&r)->unique = 0;
	rec.op = NULL;
	send_rq(se, &r);
	CHECK(tio.nmsgs == 0 && rec.op == NULL);

	/* bodies too short for their opcode */
	do {
		static const uint32_t fixed_ops[] = {
			FUSE_GETATTR, FUSE_SETATTR, FUSE_MKNOD, FUSE_MKDIR,
			FUSE_RENAME, FUSE_LINK, FUSE_OPEN, FUSE_READ,
			FUSE_WRITE, FUSE_RELEASE, FUSE_FSYNC, FUSE_SETXATTR,
			FUSE_GETXATTR, FUSE_LISTXATTR, FUSE_FLUSH,
			FUSE_OPENDIR, FUSE_READDIR, FUSE_RELEASEDIR,
			FUSE_FSYNCDIR, FUSE_GETLK, FUSE_SETLK, FUSE_SETLKW,
			FUSE_ACCESS, FUSE_CREATE, FUSE_INTERRUPT, FUSE_BMAP,
			FUSE_IOCTL, FUSE_POLL, FUSE_FALLOCATE,
			FUSE_READDIRPLUS, FUSE_RENAME2, FUSE_LSEEK,
			FUSE_COPY_FILE_RANGE,
		};
		char what[64];

		for (size_t i = 0; i < sizeof(fixed_ops) / sizeof(fixed_ops[0]); i++) {
			rq_start(&r, fixed_ops[i], 1);
			rq_add(&r, "\0\0\0", 3);
			snprintf(what, sizeof(what), "short body for %s",
				 proto_opname(fixed_ops[i]));
			expect_eio(se, &r, what);
		}
	} while (0);

	/* names that do not end inside the request */
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_add(&r, "noterminator", 12);
	expect_eio(se, &r, "LOOKUP without NUL");
	rq_start(&r, FUSE_LOOKUP, 1);
	expect_eio(se, &r, "LOOKUP without a name");
	rq_start(&r, FUSE_UNLINK, 1);
	rq_add(&r, "x", 1);
	expect_eio(se, &r, "UNLINK without NUL");
	rq_start(&r, FUSE_SYMLINK, 1);
	rq_str(&r, "name");
	rq_add(&r, "target", 6);
	expect_eio(se, &r, "SYMLINK target without NUL");
	do {
		struct fuse_rename_in in = { .newdir = 1 };

		rq_start(&r, FUSE_RENAME, 1);
		rq_add(&r, &in, sizeof(in));
		rq_str(&r, "old");
		expect_eio(se, &r, "RENAME with one name");
	} while (0);
	do {
		struct fuse_create_in in = { .mode = 0600 };

		rq_start(&r, FUSE_CREATE, 1);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, "abc", 3);
		expect_eio(se, &r, "CREATE name without NUL");
	} while (0);

	/* payload lengths pointing past the end */
	do {
		struct fuse_write_in in = { .size = 100 };

		rq_start(&r, FUSE_WRITE, 5);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, "short", 5);
		expect_eio(se, &r, "WRITE size past the end");
		in.size = 0xffffffff;
		rq_start(&r, FUSE_WRITE, 5);
		rq_add(&r, &in, sizeof(in));
		expect_eio(se, &r, "WRITE size 4 GiB");
	} while (0);
	do {
		struct fuse_setxattr_in in = { .size = 50 };

		rq_start(&r, FUSE_SETXATTR, 5);
		rq_add(&r, &in, FUSE_COMPAT_SETXATTR_IN_SIZE);
		rq_str(&r, "user.a");
		rq_add(&r, "v", 1);
		expect_eio(se, &r, "SETXATTR value past the end");
	} while (0);
	do {
		struct fuse_ioctl_in in = { .in_size = 9 };

		rq_start(&r, FUSE_IOCTL, 5);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, "1234", 4);
		expect_eio(se, &r, "IOCTL input past the end");
	} while (0);

	/* A bad BATCH_FORGET is dropped: FORGETs are never answered. */
	do {
		struct fuse_batch_forget_in in = { .count = 0x40000000 };
		struct fuse_forget_one one = { 1, 1 };

		rec.op = NULL;
		rq_start(&r, FUSE_BATCH_FORGET, 0);
		rq_add(&r, &in, sizeof(in));
		rq_add(&r, &one, sizeof(one));
		send_rq(se, &r);
		CHECK(rec.op == NULL && tio.nmsgs == 0);
		rq_start(&r, FUSE_FORGET, 3);
		rq_add(&r, "\1", 1);
		send_rq(se, &r);
		CHECK(rec.op == NULL && tio.nmsgs == 0);
	} while (0);

	/* Unknown opcodes: ENOSYS. */
	do {
		static const uint32_t unknown[] = {
			0, 7, 19, 99, 4095, CUSE_INIT + 1, FUSE_SYNCFS,
			FUSE_TMPFILE, FUSE_SETUPMAPPING, 0xffffffff,
		};

		for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
			rq_start(&r, unknown[i], 1);
			rq_add(&r, junk, 48);
			rec.op = NULL;
			send_rq(se, &r);
			CHECK(is_reply(0, rq_unique(&r), -ENOSYS, 16));
			CHECK(rec.op == NULL);
		}
	} while (0);

	/* A request filling the whole receive buffer: a big but valid
	 * WRITE of max_write bytes, then one byte more than fits. */
	do {
		static union {
			uint64_t align;
			unsigned char b[1024 * 1024 + 4096 + 64];
		} big;
		struct fuse_in_header *h = (struct fuse_in_header *)big.b;
		struct fuse_write_in *w = (struct fuse_write_in *)(h + 1);
		size_t len = sizeof(*h) + sizeof(*w) + 1024 * 1024;

		memset(&big, 'z', sizeof(big));
		memset(h, 0, sizeof(*h) + sizeof(*w));
		h->opcode = FUSE_WRITE;
		h->unique = 424242;
		h->nodeid = 5;
		h->len = (uint32_t)len;
		w->size = 1024 * 1024;
		rec.op = NULL;
		feed(se, big.b, len);
		CHECK(rec.op && !strcmp(rec.op, "write") && rec.a == 1024 * 1024);
		CHECK(is_reply(0, 424242, 0, 16 + sizeof(struct fuse_write_out)));

		/* More than the buffer: only bufsize bytes are read, so the
		 * length field no longer matches. */
		len = sizeof(big.b);
		h->len = (uint32_t)len;
		w->size = (uint32_t)(len - sizeof(*h) - sizeof(*w));
		rec.op = NULL;
		tio.req = big.b;
		tio.reqlen = len;
		tio.pending = 1;
		tio.nmsgs = 0;
		do {
			struct fuse_buf fb = { .mem = NULL };
			int n = fuse_session_receive_buf(se, &fb);

			CHECK(n > 0 && (size_t)n < len);
			if (n > 0)
				fuse_session_process_buf(se, &fb);
			free(fb.mem);
		} while (0);
		CHECK(rec.op == NULL && is_reply(0, 424242, -EIO, 16));
	} while (0);

	/* After all that, the session still works. */
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "alive");
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));
}

/* Every byte prefix of valid requests, and random garbage, through the
 * decoder: it must accept or refuse, never read outside the buffer
 * (valgrind and ASan see to the "never"). */
static void test_decoder_fuzz(void)
{
	unsigned char buf[512];
	struct proto_req p;
	unsigned seed = 12345;

	for (uint32_t op = 0; op < 60; op++) {
		for (size_t len = 0; len < 200; len++) {
			unsigned char *exact = malloc(len ? len : 1);
			struct fuse_in_header *h = (struct fuse_in_header *)buf;

			for (size_t i = 0; i < sizeof(buf); i++) {
				seed = seed * 1103515245 + 12345;
				buf[i] = (unsigned char)(seed >> 16);
			}
			h->opcode = op;
			h->len = (uint32_t)len;
			/* An exactly sized heap copy, so a read past the end
			 * is an invalid read for valgrind. */
			memcpy(exact, buf, len);
			(void)proto_decode(exact, len, 38, 0, &p);
			(void)proto_decode(exact, len, 31, 1, &p);
			(void)proto_decode(exact, len, 8, 0, &p);
			free(exact);
		}
	}
}

static void test_decoder_minors(void)
{
	union {
		uint64_t align;
		unsigned char b[256];
	} u;
	struct fuse_in_header *h = (struct fuse_in_header *)u.b;
	struct proto_req p;

	memset(&u, 0, sizeof(u));
	/* GETATTR had no body before 7.9 */
	h->opcode = FUSE_GETATTR;
	h->len = sizeof(*h);
	CHECK(proto_decode(u.b, h->len, 8, 0, &p) == PROTO_OK);
	CHECK(proto_decode(u.b, h->len, 38, 0, &p) == PROTO_SHORT_BODY);
	/* READ's argument was 24 bytes before 7.9 */
	h->opcode = FUSE_READ;
	h->len = sizeof(*h) + 24;
	CHECK(proto_decode(u.b, h->len, 8, 0, &p) == PROTO_OK);
	CHECK(proto_decode(u.b, h->len, 31, 0, &p) == PROTO_SHORT_BODY);
	/* SETXATTR: 8 bytes, or 16 with FUSE_SETXATTR_EXT */
	h->opcode = FUSE_SETXATTR;
	h->len = sizeof(*h) + 8 + 2;
	u.b[sizeof(*h) + 8] = 'a';
	CHECK(proto_decode(u.b, h->len, 38, 0, &p) == PROTO_OK);
	CHECK(p.name && !strcmp(p.name, "a") && p.datalen == 0);
	CHECK(proto_decode(u.b, h->len, 38, 1, &p) == PROTO_SHORT_BODY);
	CHECK(proto_decode(u.b, 10, 38, 0, &p) == PROTO_SHORT_HEADER);
	CHECK(!strcmp(proto_opname(FUSE_COPY_FILE_RANGE), "COPY_FILE_RANGE"));
	CHECK(!strcmp(proto_opname(12345), "UNKNOWN"));
	CHECK(proto_init_out_size(22) == FUSE_COMPAT_22_INIT_OUT_SIZE);
	CHECK(proto_init_out_size(38) == sizeof(struct fuse_init_out));
}

/* What the library answers for ops the filesystem left NULL. */
static void test_defaults(void)
{
	static const struct fuse_lowlevel_ops none = { 0 };
	struct fuse_session *se = ready_session(&none, NULL);
	struct rq r;

	if (!se)
		return;
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "x");
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), -ENOSYS, 16));

	do {
		struct fuse_open_in in = { .flags = O_RDONLY };

		rq_start(&r, FUSE_OPEN, 2);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_open_out)));
		rq_start(&r, FUSE_OPENDIR, 2);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_open_out)));
	} while (0);
	do {
		struct fuse_release_in in = { .fh = 1 };

		rq_start(&r, FUSE_RELEASE, 2);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16));
	} while (0);
	do {
		struct fuse_flush_in in = { .fh = 1 };

		rq_start(&r, FUSE_FLUSH, 2);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), -ENOSYS, 16));
	} while (0);
	rq_start(&r, FUSE_STATFS, 1);
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), 0, 16 + sizeof(struct fuse_statfs_out)));
	CHECK(((const struct fuse_statfs_out *)msg_body(0))->st.namelen == 255);
	do {
		struct fuse_forget_in in = { .nlookup = 1 };
		struct fuse_batch_forget_in bin = { .count = 1 };
		struct fuse_forget_one one = { 2, 1 };

		rq_start(&r, FUSE_FORGET, 2);
		rq_add(&r, &in, sizeof(in));
		send_rq(se, &r);
		CHECK(tio.nmsgs == 0);
		rq_start(&r, FUSE_BATCH_FORGET, 0);
		rq_add(&r, &bin, sizeof(bin));
		rq_add(&r, &one, sizeof(one));
		send_rq(se, &r);
		CHECK(tio.nmsgs == 0);
	} while (0);
	rq_start(&r, FUSE_DESTROY, 0);
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), 0, 16));
	fuse_session_destroy(se);
}

/* BATCH_FORGET with only forget(): one call per inode. */
static void test_batch_forget_single(void)
{
	struct fuse_lowlevel_ops ops = { .forget = t_forget };
	struct fuse_session *se = ready_session(&ops, NULL);
	struct fuse_batch_forget_in in = { .count = 3 };
	struct fuse_forget_one one[3] = { { 10, 1 }, { 11, 2 }, { 12, 5 } };
	struct rq r;

	if (!se)
		return;
	rec.a = 0;
	rq_start(&r, FUSE_BATCH_FORGET, 0);
	rq_add(&r, &in, sizeof(in));
	rq_add(&r, one, sizeof(one));
	send_rq(se, &r);
	CHECK(!strcmp(rec.op, "forget") && rec.ino == 12 && rec.a == 8);
	CHECK(tio.nmsgs == 0);
	fuse_session_destroy(se);
}

static void t_write_buf(fuse_req_t req, fuse_ino_t ino,
			struct fuse_bufvec *bufv, off_t off,
			struct fuse_file_info *fi)
{
	struct fuse_bufvec dst = FUSE_BUFVEC_INIT(sizeof(rec.data));
	ssize_t n;

	record(req, "write_buf", ino);
	rec.b = (uint64_t)off;
	rec.a = fuse_buf_size(bufv);
	rec.flags = bufv->buf[0].flags & FUSE_BUF_IS_FD;
	dst.buf[0].mem = rec.data;
	n = fuse_buf_copy(&dst, bufv, 0);
	rec.datalen = n > 0 ? (size_t)n : 0;
	fuse_reply_write(req, rec.datalen);
}

/* A WRITE split by splice receive: header in memory, data in a pipe
 * (FUSE_BUF_IS_FD plus the library's own split flag, bit 20).  Both
 * write_buf (data handed over as the pipe) and write (read out first). */
static void test_split_write(void)
{
	struct fuse_lowlevel_ops wb_ops = { .write_buf = t_write_buf };
	const struct fuse_lowlevel_ops *ops[] = { &wb_ops, &full_ops };

	for (int i = 0; i < 2; i++) {
		struct fuse_session *se = ready_session(ops[i], NULL);
		union {
			uint64_t align;
			unsigned char b[80];
		} head;
		struct fuse_in_header *h = (struct fuse_in_header *)head.b;
		struct fuse_write_in *w = (struct fuse_write_in *)(h + 1);
		struct fuse_buf fb;
		int fds[2];

		if (!se)
			continue;
		CHECK(pipe(fds) == 0);
		memset(&head, 0, sizeof(head));
		h->opcode = FUSE_WRITE;
		h->unique = 5150;
		h->nodeid = 5;
		h->len = 80 + 7;
		w->size = 7;
		w->offset = 99;
		CHECK(write(fds[1], "spliced", 7) == 7);
		memset(&fb, 0, sizeof(fb));
		fb.size = 80 + 7;
		fb.flags = FUSE_BUF_IS_FD | (1 << 20);
		fb.mem = head.b;
		fb.fd = fds[0];
		fb.pos = 80;
		rec.op = NULL;
		tio.nmsgs = 0;
		tio.outlen = 0;
		fuse_session_process_buf(se, &fb);
		CHECK(rec.op && !strcmp(rec.op, i == 0 ? "write_buf" : "write"));
		CHECK(rec.b == 99 && rec.datalen == 7);
		CHECK(!memcmp(rec.data, "spliced", 7));
		if (i == 0)
			CHECK(rec.a == 7 && rec.flags == FUSE_BUF_IS_FD);
		CHECK(is_reply(0, 5150, 0, 16 + sizeof(struct fuse_write_out)));

		/* A length field that disagrees: EIO, nothing written. */
		h->len = 80 + 8;
		CHECK(write(fds[1], "spliced", 7) == 7);
		rec.op = NULL;
		tio.nmsgs = 0;
		tio.outlen = 0;
		fuse_session_process_buf(se, &fb);
		CHECK(rec.op == NULL && is_reply(0, 5150, -EIO, 16));
		close(fds[0]);
		close(fds[1]);
		fuse_session_destroy(se);
	}
}

/* Options: unknown ones are refused; -d is accepted. */
static void test_options(void)
{
	struct fuse_session *se;

	se = new_session(&full_ops, "no_such_option_at_all");
	CHECK(se == NULL);
	fuse_session_destroy(se);
	se = new_session(&full_ops, "debug");
	CHECK(se != NULL);
	fuse_session_destroy(se);
}

/* allow_root: only root and the owner may use the filesystem. */
static void test_allow_root(void)
{
	struct fuse_session *se = ready_session(&full_ops, "allow_root");
	struct rq r;

	if (!se)
		return;
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "x");
	rq_hdr(&r)->uid = 54321;
	rec.op = NULL;
	send_rq(se, &r);
	if (getuid() != 54321) {
		CHECK(is_reply(0, rq_unique(&r), -EACCES, 16));
		CHECK(rec.op == NULL);
	}
	rq_start(&r, FUSE_LOOKUP, 1);
	rq_str(&r, "x");
	rq_hdr(&r)->uid = 0;
	send_rq(se, &r);
	CHECK(is_reply(0, rq_unique(&r), 0, ENTRY_REPLY));
	/* Reading an already open file is still allowed. */
	do {
		struct fuse_read_in in = { .fh = 1, .size = 5 };

		rq_start(&r, FUSE_READ, 5);
		rq_add(&r, &in, sizeof(in));
		rq_hdr(&r)->uid = 54321;
		send_rq(se, &r);
		CHECK(is_reply(0, rq_unique(&r), 0, 16 + 5));
	} while (0);
	fuse_session_destroy(se);
}

int main(void)
{
	struct fuse_session *se;

	test_decoder_minors();
	test_decoder_fuzz();
	test_init_minors();
	test_init_old_and_odd();
	test_options();

	memset(&rec, 0, sizeof(rec));
	se = ready_session(&full_ops, NULL);
	if (se) {
		test_entries(se);
		test_files(se);
		test_dirs_xattrs_locks(se);
		test_ioctl_poll_notify(se);
		test_interrupts(se);
		test_malformed(se);
		rec.destroys = 0;
		do {
			struct rq r;

			rq_start(&r, FUSE_DESTROY, 0);
			send_rq(se, &r);
			CHECK(is_reply(0, rq_unique(&r), 0, 16));
			CHECK(rec.destroys == 1);
		} while (0);
		fuse_session_destroy(se);
		/* DESTROY already ran the op: not again. */
		CHECK(rec.destroys == 1);
	}
	test_defaults();
	test_batch_forget_single();
	test_split_write();
	test_allow_root();
	free(fbuf.mem);

	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("all protocol checks passed\n");
	return 0;
}
