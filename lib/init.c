// SPDX-License-Identifier: LGPL-2.1-or-later
/* Connection negotiation: INIT and DESTROY
 *
 * INIT tells us the kernel's protocol version and what it can do; the
 * filesystem's init() picks from that (conn->want), and the reply says
 * what we use, sized for the kernel's minor.  Any kernel from 7.31 up is
 * the target; older minors get the shorter reply layouts they know. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fuse_i.h"
#include "fuse_log.h"
#include "proto.h"

/* Kernel INIT flag <-> FUSE_CAP_* for the capabilities that are the same
 * idea on both sides.  Several do not share a bit number. */
static const struct {
	uint64_t kernel;
	uint64_t cap;
	bool reply;     /* sent back when wanted */
} capmap[] = {
	{ FUSE_ASYNC_READ, FUSE_CAP_ASYNC_READ, true },
	{ FUSE_POSIX_LOCKS, FUSE_CAP_POSIX_LOCKS, true },
	{ FUSE_ATOMIC_O_TRUNC, FUSE_CAP_ATOMIC_O_TRUNC, true },
	{ FUSE_EXPORT_SUPPORT, FUSE_CAP_EXPORT_SUPPORT, true },
	{ FUSE_DONT_MASK, FUSE_CAP_DONT_MASK, true },
	{ FUSE_FLOCK_LOCKS, FUSE_CAP_FLOCK_LOCKS, true },
	{ FUSE_HAS_IOCTL_DIR, FUSE_CAP_IOCTL_DIR, false },
	{ FUSE_AUTO_INVAL_DATA, FUSE_CAP_AUTO_INVAL_DATA, true },
	{ FUSE_DO_READDIRPLUS, FUSE_CAP_READDIRPLUS, true },
	{ FUSE_READDIRPLUS_AUTO, FUSE_CAP_READDIRPLUS_AUTO, true },
	{ FUSE_ASYNC_DIO, FUSE_CAP_ASYNC_DIO, true },
	{ FUSE_WRITEBACK_CACHE, FUSE_CAP_WRITEBACK_CACHE, true },
	{ FUSE_NO_OPEN_SUPPORT, FUSE_CAP_NO_OPEN_SUPPORT, false },
	/* libfuse 3.14 offers these two and wants them by default, but
	 * never sends them to the kernel (checked against Debian's
	 * libfuse3): the kernel keeps serialising lookups per directory and
	 * keeps clearing suid/sgid itself.  We behave the same. */
	{ FUSE_PARALLEL_DIROPS, FUSE_CAP_PARALLEL_DIROPS, false },
	{ FUSE_HANDLE_KILLPRIV, FUSE_CAP_HANDLE_KILLPRIV, false },
	{ FUSE_POSIX_ACL, FUSE_CAP_POSIX_ACL, true },
	{ FUSE_CACHE_SYMLINKS, FUSE_CAP_CACHE_SYMLINKS, true },
	{ FUSE_NO_OPENDIR_SUPPORT, FUSE_CAP_NO_OPENDIR_SUPPORT, false },
	{ FUSE_EXPLICIT_INVAL_DATA, FUSE_CAP_EXPLICIT_INVAL_DATA, true },
#ifdef FUSE_CAP_EXPIRE_ONLY
	{ FUSE_HAS_EXPIRE_ONLY, FUSE_CAP_EXPIRE_ONLY, false },
#endif
#ifdef FUSE_CAP_SETXATTR_EXT
	{ FUSE_SETXATTR_EXT, FUSE_CAP_SETXATTR_EXT, true },
#endif
#if FUSED_SOVERSION >= 4
	{ FUSE_HANDLE_KILLPRIV_V2, FUSE_CAP_HANDLE_KILLPRIV_V2, true },
	{ FUSE_LL_DIRECT_IO_ALLOW_MMAP, FUSE_CAP_DIRECT_IO_ALLOW_MMAP, true },
	{ FUSE_LL_PASSTHROUGH, FUSE_CAP_PASSTHROUGH, true },
	{ FUSE_LL_NO_EXPORT_SUPPORT, FUSE_CAP_NO_EXPORT_SUPPORT, true },
#endif
};

#define N_CAPMAP (sizeof(capmap) / sizeof(capmap[0]))

static void refuse(struct fuse_req *req, int err)
{
	struct fuse_session *se = req->se;

	se->error = -err;
	fuse_reply_err(req, err);
	fuse_session_exit(se);
}

static void default_want(struct fuse_session *se, uint64_t capable)
{
	struct fuse_conn_info *c = &se->conn;
	uint64_t want = FUSE_CAP_ASYNC_READ | FUSE_CAP_PARALLEL_DIROPS |
			FUSE_CAP_AUTO_INVAL_DATA | FUSE_CAP_HANDLE_KILLPRIV |
			FUSE_CAP_ASYNC_DIO | FUSE_CAP_IOCTL_DIR |
			FUSE_CAP_ATOMIC_O_TRUNC;

	if (se->op.write_buf)
		want |= FUSE_CAP_SPLICE_READ;
	if (se->op.getlk && se->op.setlk)
		want |= FUSE_CAP_POSIX_LOCKS;
	if (se->op.flock)
		want |= FUSE_CAP_FLOCK_LOCKS;
	if (se->op.readdirplus) {
		want |= FUSE_CAP_READDIRPLUS;
		if (se->op.readdir)
			want |= FUSE_CAP_READDIRPLUS_AUTO;
	}
	want &= capable;
	c->want = (uint32_t)want;
#if FUSED_SOVERSION >= 4
	c->want_ext = want;
#endif
}

void fuse_ll_do_init(struct fuse_req *req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	struct fuse_session *se = req->se;
	const struct fuse_init_in *arg = p->arg;
	struct fuse_conn_info *c = &se->conn;
	struct fuse_init_out out;
	struct iovec iov[2];
	uint64_t inflags, outflags = 0, capable = 0, want;
	size_t max_write_cap = se->bufsize - FUSE_BUFFER_HEADER_SIZE;
	long pagesize = sysconf(_SC_PAGESIZE);

	if (se->debug) {
		fuse_log(FUSE_LOG_DEBUG, "INIT: %u.%u\n", arg->major, arg->minor);
		fuse_log(FUSE_LOG_DEBUG, "flags=0x%08x\n", arg->flags);
		fuse_log(FUSE_LOG_DEBUG, "max_readahead=0x%08x\n",
			 arg->max_readahead);
	}

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = FUSE_KERNEL_MINOR_VERSION;

	if (arg->major < 7) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: kernel protocol %u.%u is not supported\n",
			 arg->major, arg->minor);
		refuse(req, EPROTO);
		return;
	}
	if (arg->major > 7) {
		/* Tell it what we speak; it sends INIT again with 7.x. */
		iov[1].iov_base = &out;
		iov[1].iov_len = FUSE_COMPAT_INIT_OUT_SIZE;
		fuse_send_reply_iov(req, 0, iov, 2);
		return;
	}

	c->proto_major = arg->major;
	c->proto_minor = arg->minor;
	c->capable = 0;
	c->want = 0;

	inflags = arg->flags;
	if ((inflags & FUSE_INIT_EXT) &&
	    p->arglen >= offsetof(struct fuse_init_in, flags2) + sizeof(arg->flags2))
		inflags |= (uint64_t)arg->flags2 << 32;

	if (arg->minor >= 6) {
		if (arg->max_readahead < c->max_readahead)
			c->max_readahead = arg->max_readahead;
		for (size_t i = 0; i < N_CAPMAP; i++)
			if (inflags & capmap[i].kernel)
				capable |= capmap[i].cap;
	} else {
		c->max_readahead = 0;
	}
	/* Our splice is transparent to the filesystem: the read side moves
	 * big WRITEs through a pipe when it wants SPLICE_READ; replies with
	 * data in an fd are copied once in any case. */
	se->splice_ok = !se->custom_io || se->io.splice_receive;
	if (se->splice_ok)
		capable |= FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE |
			   FUSE_CAP_SPLICE_MOVE;
	c->capable = (uint32_t)capable;
	if (c->max_write > max_write_cap)
		c->max_write = (unsigned)max_write_cap;
	c->time_gran = 1;
	default_want(se, capable);

	se->got_init = true;
#if FUSED_SOVERSION >= 4
	c->capable_ext = capable;
	/* passthrough needs a depth from init; none means none */
	c->max_backing_stack_depth = 0;
	{
		uint64_t before = c->want_ext;

		if (se->op.init)
			se->op.init(se->userdata, c);
		if (conn_want_reconcile(c, before) < 0) {
			fuse_log(FUSE_LOG_ERR,
				 "fuse: init changed want and want_ext in contradicting ways; giving up\n");
			refuse(req, EPROTO);
			return;
		}
	}
	want = c->want_ext;
#else
	if (se->op.init)
		se->op.init(se->userdata, c);
	want = c->want;
#endif

	if (want & ~capable) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: the filesystem wants capabilities 0x%llx the kernel does not offer; giving up\n",
			 (unsigned long long)(want & ~capable));
		refuse(req, EPROTO);
		return;
	}
	if (c->max_write > max_write_cap)
		c->max_write = (unsigned)max_write_cap;
	if (c->max_write < 4096)
		c->max_write = 4096;

	for (size_t i = 0; i < N_CAPMAP; i++)
		if (capmap[i].reply && (want & capmap[i].cap))
			outflags |= capmap[i].kernel;
#ifdef FUSE_CAP_SETXATTR_EXT
	se->setxattr_ext = (want & FUSE_CAP_SETXATTR_EXT) != 0;
#endif
#if FUSED_SOVERSION >= 4
	/* 7.40's init_out carries max_stack_depth where 7.38's has
	 * unused[0], counting the FUSE mount itself: one more than the
	 * depth of the backing files.  Without it the kernel keeps
	 * passthrough off. */
	if (want & FUSE_CAP_PASSTHROUGH)
		out.unused[0] = c->max_backing_stack_depth + 1;
	/* 7.43's request_timeout: the low half of unused[1] */
	if ((inflags & FUSE_LL_REQUEST_TIMEOUT) && c->request_timeout) {
		outflags |= FUSE_LL_REQUEST_TIMEOUT;
		memcpy((char *)&out.unused[1], &c->request_timeout,
		       sizeof(c->request_timeout));
	}
#endif
	if ((inflags & FUSE_BIG_WRITES) && c->max_write > 4096)
		outflags |= FUSE_BIG_WRITES;
	if (inflags & FUSE_MAX_PAGES) {
		unsigned pages = (c->max_write - 1) / (unsigned)pagesize + 1;

		outflags |= FUSE_MAX_PAGES;
		out.max_pages = (uint16_t)(pages > FUSE_LL_MAX_PAGES ?
					   FUSE_LL_MAX_PAGES : pages);
	}
	if (inflags & FUSE_INIT_EXT)
		outflags |= FUSE_INIT_EXT;

	out.max_readahead = c->max_readahead;
	out.flags = (uint32_t)outflags;
	out.flags2 = (uint32_t)(outflags >> 32);
	out.max_write = c->max_write;
	if (arg->minor >= 13) {
		out.max_background = (uint16_t)(c->max_background > 0xffff ?
						0xffff : c->max_background);
		out.congestion_threshold = (uint16_t)(
			c->congestion_threshold > 0xffff ?
			0xffff : c->congestion_threshold);
	}
	if (arg->minor >= 23)
		out.time_gran = c->time_gran;

	if (se->debug) {
		fuse_log(FUSE_LOG_DEBUG, "   INIT: %u.%u\n", out.major, out.minor);
		fuse_log(FUSE_LOG_DEBUG, "   flags=0x%08x\n", out.flags);
		fuse_log(FUSE_LOG_DEBUG, "   max_readahead=0x%08x\n",
			 out.max_readahead);
		fuse_log(FUSE_LOG_DEBUG, "   max_write=0x%08x\n", out.max_write);
		fuse_log(FUSE_LOG_DEBUG, "   max_background=%u\n",
			 out.max_background);
		fuse_log(FUSE_LOG_DEBUG, "   congestion_threshold=%u\n",
			 out.congestion_threshold);
		fuse_log(FUSE_LOG_DEBUG, "   time_gran=%u\n", out.time_gran);
		fuse_log(FUSE_LOG_DEBUG, "   max_pages=%u\n", out.max_pages);
	}

	iov[1].iov_base = &out;
	iov[1].iov_len = proto_init_out_size(arg->minor);
	fuse_send_reply_iov(req, 0, iov, 2);
}

void fuse_ll_do_destroy(struct fuse_req *req, fuse_ino_t nodeid,
			const struct proto_req *p)
{
	struct fuse_session *se = req->se;

	se->got_destroy = true;
	if (se->op.destroy)
		se->op.destroy(se->userdata);
	fuse_reply_err(req, 0);
}
