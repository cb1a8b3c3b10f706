/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Library internals shared between the parts of lib/
 *
 * The session, channel and request objects, and the functions the loops,
 * mounting and the low-level code call on each other.  Nothing here is
 * public API; programs only see the opaque types of include/fuse3/. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/fuse.h>

#include "fuse_lowlevel.h"

struct cuse_data;
struct mount_opts;
struct proto_req;

/* Size of the part of a receive buffer before the data of a WRITE: the
 * request header and its fixed arguments fit in one page. */
#define FUSE_BUFFER_HEADER_SIZE 0x1000

/* The largest max_pages the kernel accepts (FUSE_MAX_MAX_PAGES). */
#define FUSE_LL_MAX_PAGES 256

/* The libfuse release whose API and ABI we implement. */
#if FUSED_SOVERSION >= 4
#define FUSE_LL_PACKAGE_VERSION "3.18.2"
#else
#define FUSE_LL_PACKAGE_VERSION "3.14.0"
#endif

/* ---- channels: one /dev/fuse fd (the session's, or a clone) ---- */

struct fuse_chan {
	atomic_int refcnt;
	int fd;
};

/* A new channel owning fd (closed by the last fuse_chan_put()); NULL with
 * errno on allocation failure. */
struct fuse_chan *fuse_chan_new(int fd);
struct fuse_chan *fuse_chan_get(struct fuse_chan *ch);
void fuse_chan_put(struct fuse_chan *ch);

/* ---- requests ---- */

struct fuse_req {
	struct fuse_session *se;
	uint64_t unique;
	struct fuse_ctx ctx;
	struct fuse_chan *ch;          /* where the reply goes; NULL = se->fd */
	atomic_int refcnt;

	/* Guarded by se->lock. */
	bool interrupted;
	bool in_flight;                /* linked on se->inflight */
	bool replied;
	bool ioctl_64bit;
	fuse_interrupt_func_t ifunc;
	void *idata;
	struct fuse_req *prev, *next;  /* se->inflight / se->pending_intr */

	/* For a queued INTERRUPT: the request it is aimed at. */
	uint64_t intr_target;
	/* Free list link. */
	struct fuse_req *free_next;
};

/* What a POLL asked to be notified on (fuse_lowlevel_notify_poll). */
struct fuse_pollhandle {
	uint64_t kh;
	struct fuse_session *se;
};

/* A FUSE_NOTIFY_RETRIEVE waiting for its NOTIFY_REPLY. */
struct fuse_retrieve_wait {
	uint64_t unique;
	void *cookie;
	struct fuse_retrieve_wait *next;
};

/* ---- the session ---- */

struct fuse_session {
	/* Fields the loops and mount code use directly (TEAM.md). */
	int fd;                        /* /dev/fuse, or the custom-io fd; -1 */
	char *mountpoint;
	struct mount_opts *mo;
	struct fuse_lowlevel_ops op;
	void *userdata;
	/* Set by a signal handler, a worker or the program, read by
	 * every loop thread: atomic (lock-free, so fine in a handler). */
	atomic_int exited;
	/* Non-zero when the session ended on an error (e.g. INIT refused):
	 * fuse_session_loop should return it.  Negative errno. */
	int error;

	/* Options of fuse_session_new. */
	int debug;
	int deny_others;               /* allow_root */
	uid_t owner;

	/* Bytes a receive buffer holds: FUSE_LL_MAX_PAGES pages of data plus
	 * FUSE_BUFFER_HEADER_SIZE.  fuse_session_receive_buf allocates
	 * buf->mem with this size (malloc) when it is NULL; the caller keeps
	 * the buffer for the next receive and free()s it at the end. */
	size_t bufsize;

	struct fuse_conn_info conn;
	bool got_init;
	bool got_destroy;
	bool setxattr_ext;             /* FUSE_SETXATTR_EXT negotiated */

	bool custom_io;
	struct fuse_custom_io io;
	bool splice_ok;                /* the transport can splice */
	/* Pipes too small here: never again.  Set by whichever worker
	 * finds out, read by all of them meanwhile. */
	atomic_bool splice_broken;

	pthread_mutex_t lock;
	struct fuse_req inflight;      /* sentinel of the in-flight list */
	struct fuse_req pending_intr;  /* INTERRUPTs whose request is not here yet */
	struct fuse_req *free_reqs;
	unsigned n_free;
	struct fuse_retrieve_wait *retrieves;
	uint64_t notify_ctr;

	/* A CUSE session (cuse.c): its first request is CUSE_INIT, not
	 * INIT.  One allocation, freed with the session.  NULL otherwise. */
	struct cuse_data *cuse;
};

/* ---- session.c ---- */

/* Read one request from ch (NULL: the session's fd) into buf, allocating
 * buf->mem (se->bufsize bytes) if it is NULL.  Returns the number of bytes
 * read, 0 when the session ended (the kernel unmounted, or EOF on a
 * custom transport), -EINTR when the read should be retried, other -errno
 * on a real error.  Reuse buf for the next call: no allocation then. */
int fuse_session_receive_buf_ch(struct fuse_session *se, struct fuse_buf *buf,
				struct fuse_chan *ch);

/* Process one request received with fuse_session_receive_buf_ch on ch;
 * the reply goes out on ch (NULL: the session's fd). */
void fuse_session_process_buf_ch(struct fuse_session *se,
				 const struct fuse_buf *buf,
				 struct fuse_chan *ch);

/* Request objects: taken from the session's free list (no malloc on the hot
 * path), one reference; fuse_req_put() gives it back at the last one. */
struct fuse_req *fuse_req_new(struct fuse_session *se, struct fuse_chan *ch);
void fuse_req_put(struct fuse_req *req);
/* Ends a request after its reply (or none): off the in-flight list, drops
 * the reference the dispatcher gave it. */
void fuse_req_finish(struct fuse_req *req);

/* Send iov[0..count) (iov[0] is the fuse_out_header, filled here) as the
 * reply to req, then finish req.  error is 0 or a negative errno, as it
 * goes into the out header.
 * Returns 0 or -errno; ENOENT (the request was interrupted) is ignored. */
int fuse_send_reply_iov(struct fuse_req *req, int error, struct iovec *iov,
			int count);
/* Set by the multi-threaded loop on its own worker thread while that
 * worker processes a request: fuse_send_reply_iov() on this thread calls
 * it once (and clears it) just before writing a reply, so that the loop
 * counts the worker as free before the kernel can hand the caller's next
 * request to another reader; otherwise the pool grows on every such race
 * and more idle readers mean more sleeps and wakeups per request. */
extern __thread void (*fuse_ll_before_reply)(void *arg);
extern __thread void *fuse_ll_before_reply_arg;
/* Write a notification or reply already framed in iov to ch. */
int fuse_send_msg(struct fuse_session *se, struct fuse_chan *ch,
		  struct iovec *iov, int count);

/* fuse_buf flag, ours: a request split by splice receive.  Its first
 * buf->pos bytes are in buf->mem, the rest waits in the pipe buf->fd. */
#define FUSE_BUF_LL_SPLIT (1 << 20)

/* What a failed read or splice of the device means: 1 retry, 0 the
 * session is over, -errno an error to return. */
int fuse_ll_recv_error(struct fuse_session *se, int err);
/* Decode and serve a FUSE_BUF_LL_SPLIT request. */
void fuse_ll_process_split(struct fuse_session *se, const struct fuse_buf *buf,
			   struct fuse_chan *ch);

/* ---- splice.c ---- */

/* Whether this thread should splice its next receive. */
bool fuse_ll_splice_wanted(struct fuse_session *se);
/* After a read(): splice the next receive if buf was a big WRITE. */
void fuse_ll_splice_note(struct fuse_session *se, const struct fuse_buf *buf);
/* Receive by splice into buf; -EOPNOTSUPP when this thread cannot. */
int fuse_ll_splice_receive(struct fuse_session *se, struct fuse_buf *buf,
			   int fd);
/* Serve a split request, then make sure its pipe is empty. */
void fuse_ll_splice_process(struct fuse_session *se, const struct fuse_buf *buf,
			    struct fuse_chan *ch);
/* do_write: the op read all of the spliced data. */
void fuse_ll_splice_consumed(void);
/* Close the calling thread's pipe now. */
void fuse_ll_splice_release(void);

/* ---- lowlevel.c ---- */

/* Decode a validated request and call the filesystem's op. */
void fuse_ll_dispatch(struct fuse_req *req, const struct proto_req *p);

/* ---- init.c ---- */

/* INIT and DESTROY: the connection's start and end. */
void fuse_ll_do_init(struct fuse_req *req, fuse_ino_t nodeid,
		     const struct proto_req *p);
void fuse_ll_do_destroy(struct fuse_req *req, fuse_ino_t nodeid,
			const struct proto_req *p);

/* ---- cuse.c ---- */

/* CUSE_INIT of a CUSE session: the answer names the device. */
void fuse_cuse_do_init(struct fuse_req *req, const struct proto_req *p);

/* ---- notify.c ---- */

/* Match a NOTIFY_REPLY with its fuse_lowlevel_notify_retrieve(); the
 * cookie, or false when none is waiting for this unique. */
bool fuse_notify_take_retrieve(struct fuse_session *se, uint64_t unique,
			       void **cookie);
void fuse_notify_free_all(struct fuse_session *se);

/* ---- lowlevel-reply.c ---- */

/* A per-thread scratch buffer of at least size bytes, kept for the
 * thread's life (freed at thread exit); NULL on allocation failure. */
void *fuse_ll_scratch(size_t size);
/* Free the calling thread's scratch buffer now. */
void fuse_ll_scratch_release(void);

#if FUSED_SOVERSION >= 4
/* ---- libfuse3.so.4 only ---- */

/* Protocol newer than linux-libc-dev's <linux/fuse.h> (7.38), named
 * FUSE_LL_* so that a newer header changes nothing: INIT flags of 7.39
 * to 7.43, 7.40's backing files (passthrough), 7.44's epoch
 * notification. */
#define FUSE_LL_DIRECT_IO_ALLOW_MMAP	(UINT64_C(1) << 36)
#define FUSE_LL_PASSTHROUGH		(UINT64_C(1) << 37)
#define FUSE_LL_NO_EXPORT_SUPPORT	(UINT64_C(1) << 38)
#define FUSE_LL_REQUEST_TIMEOUT		(UINT64_C(1) << 42)
#define FUSE_LL_FOPEN_PASSTHROUGH	(1U << 7)
#define FUSE_LL_NOTIFY_INC_EPOCH	8
struct fuse_ll_backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};
#define FUSE_LL_DEV_IOC_BACKING_OPEN	_IOW(229, 1, struct fuse_ll_backing_map)
#define FUSE_LL_DEV_IOC_BACKING_CLOSE	_IOW(229, 2, uint32_t)

/* feature-flags.c: after the file system's init callback, make want and
 * want_ext agree again, whichever it changed (before: want_ext before
 * the call).  0, or -EINVAL when it changed both in contradicting ways. */
int conn_want_reconcile(struct fuse_conn_info *conn, uint64_t before);
#endif
