// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sessions, channels and requests
 *
 * A session owns the /dev/fuse fd (or a custom transport), the filesystem's
 * op table and the negotiated connection.  Requests are recycled through a
 * free list and receive buffers are kept by the caller, so the request path
 * allocates nothing once it runs.  Every request the kernel may interrupt
 * sits on the in-flight list until its reply, where an INTERRUPT finds it. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_i.h"
#include "fuse_log.h"
#include "fuse_opt.h"
#include "mount.h"
#include "proto.h"
#include "symver.h"

/* Enough recycled requests for a busy multithreaded session; beyond this
 * they go back to malloc. */
#define FREE_REQS_MAX 256

/* ---- channels ---- */

struct fuse_chan *fuse_chan_new(int fd)
{
	struct fuse_chan *ch = calloc(1, sizeof(*ch));

	if (!ch)
		return NULL;
	atomic_init(&ch->refcnt, 1);
	ch->fd = fd;
	return ch;
}

struct fuse_chan *fuse_chan_get(struct fuse_chan *ch)
{
	if (ch)
		atomic_fetch_add(&ch->refcnt, 1);
	return ch;
}

void fuse_chan_put(struct fuse_chan *ch)
{
	if (!ch || atomic_fetch_sub(&ch->refcnt, 1) != 1)
		return;
	if (ch->fd >= 0)
		close(ch->fd);
	free(ch);
}

/* ---- request lists (se->lock held) ---- */

static void list_init(struct fuse_req *head)
{
	head->prev = head->next = head;
}

static void list_add_tail(struct fuse_req *head, struct fuse_req *req)
{
	req->prev = head->prev;
	req->next = head;
	head->prev->next = req;
	head->prev = req;
}

static void list_del(struct fuse_req *req)
{
	req->prev->next = req->next;
	req->next->prev = req->prev;
	req->prev = req->next = req;
}

/* ---- requests ---- */

static struct fuse_req *req_alloc_locked(struct fuse_session *se)
{
	struct fuse_req *req = se->free_reqs;

	if (req) {
		se->free_reqs = req->free_next;
		se->n_free--;
	}
	return req;
}

static void req_init(struct fuse_req *req, struct fuse_session *se,
		     struct fuse_chan *ch)
{
	memset(req, 0, sizeof(*req));
	req->se = se;
	req->ch = fuse_chan_get(ch);
	atomic_init(&req->refcnt, 1);
	req->prev = req->next = req;
}

struct fuse_req *fuse_req_new(struct fuse_session *se, struct fuse_chan *ch)
{
	struct fuse_req *req;

	pthread_mutex_lock(&se->lock);
	req = req_alloc_locked(se);
	pthread_mutex_unlock(&se->lock);
	if (!req)
		req = malloc(sizeof(*req));
	if (!req)
		return NULL;
	req_init(req, se, ch);
	return req;
}

void fuse_req_put(struct fuse_req *req)
{
	struct fuse_session *se = req->se;

	if (atomic_fetch_sub(&req->refcnt, 1) != 1)
		return;
	fuse_chan_put(req->ch);
	req->ch = NULL;
	pthread_mutex_lock(&se->lock);
	if (se->n_free < FREE_REQS_MAX) {
		req->free_next = se->free_reqs;
		se->free_reqs = req;
		se->n_free++;
		req = NULL;
	}
	pthread_mutex_unlock(&se->lock);
	free(req);
}

void fuse_req_finish(struct fuse_req *req)
{
	struct fuse_session *se = req->se;

	pthread_mutex_lock(&se->lock);
	if (req->in_flight) {
		list_del(req);
		req->in_flight = false;
	}
	req->replied = true;
	pthread_mutex_unlock(&se->lock);
	fuse_req_put(req);
}

void *fuse_req_userdata(fuse_req_t req)
{
	return req->se->userdata;
}

const struct fuse_ctx *fuse_req_ctx(fuse_req_t req)
{
	return &req->ctx;
}

void fuse_req_interrupt_func(fuse_req_t req, fuse_interrupt_func_t func,
			     void *data)
{
	struct fuse_session *se = req->se;
	bool interrupted;

	pthread_mutex_lock(&se->lock);
	req->ifunc = func;
	req->idata = data;
	interrupted = req->interrupted;
	pthread_mutex_unlock(&se->lock);
	/* The INTERRUPT came before the function: it ran with no function,
	 * so call it now, exactly once. */
	if (interrupted && func)
		func(req, data);
}

int fuse_req_interrupted(fuse_req_t req)
{
	struct fuse_session *se = req->se;
	int r;

	pthread_mutex_lock(&se->lock);
	r = req->interrupted;
	pthread_mutex_unlock(&se->lock);
	return r;
}

/* The supplementary groups of the requesting thread, from
 * /proc/PID/task/PID/status (the request's pid is the thread id). */
int fuse_req_getgroups(fuse_req_t req, int size, gid_t list[])
{
	char path[64];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int r = -EIO;

	snprintf(path, sizeof(path), "/proc/%lu/task/%lu/status",
		 (unsigned long)req->ctx.pid, (unsigned long)req->ctx.pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		char *p, *end;
		int n = 0;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		p = line + 7;
		for (;;) {
			unsigned long g;

			errno = 0;
			g = strtoul(p, &end, 10);
			if (end == p || errno)
				break;
			if (n < size)
				list[n] = (gid_t)g;
			n++;
			p = end;
		}
		r = n;
		break;
	}
	free(line);
	fclose(f);
	return r;
}

/* ---- sending ---- */

__thread void (*fuse_ll_before_reply)(void *arg);
__thread void *fuse_ll_before_reply_arg;

int fuse_send_msg(struct fuse_session *se, struct fuse_chan *ch,
		  struct iovec *iov, int count)
{
	int fd = ch ? ch->fd : se->fd;
	ssize_t res;

	if (se->custom_io)
		res = se->io.writev(fd, iov, count, se->userdata);
	else
		res = writev(fd, iov, count);
	if (res < 0) {
		int err = errno ? errno : EIO;

		/* ENOENT: the kernel dropped the request (interrupted or
		 * aborted); nobody waits for the reply any more. */
		if (err != ENOENT && !fuse_session_exited(se))
			fuse_log(FUSE_LOG_ERR, "fuse: writing device: %s\n",
				 strerror(err));
		return -err;
	}
	return 0;
}

int fuse_send_reply_iov(struct fuse_req *req, int error, struct iovec *iov,
			int count)
{
	struct fuse_session *se = req->se;
	struct fuse_out_header out;
	size_t len = 0;
	int r;

	if (req->replied) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: second reply to request %llu ignored\n",
			 (unsigned long long)req->unique);
		return -EINVAL;
	}
	if (error <= -1000 || error > 0) {
		fuse_log(FUSE_LOG_ERR, "fuse: bad error value: %i\n", error);
		error = -ERANGE;
	}
	for (int i = 1; i < count; i++)
		len += iov[i].iov_len;
	out.unique = req->unique;
	out.error = error;
	out.len = (uint32_t)(len + sizeof(out));
	iov[0].iov_base = &out;
	iov[0].iov_len = sizeof(out);

	if (se->debug) {
		if (error)
			fuse_log(FUSE_LOG_DEBUG,
				 "   unique: %llu, error: %i (%s), outsize: %u\n",
				 (unsigned long long)out.unique, error,
				 strerror(-error), out.len);
		else
			fuse_log(FUSE_LOG_DEBUG,
				 "   unique: %llu, success, outsize: %u\n",
				 (unsigned long long)out.unique, out.len);
	}
	if (fuse_ll_before_reply) {
		void (*fn)(void *) = fuse_ll_before_reply;

		fuse_ll_before_reply = NULL;
		fn(fuse_ll_before_reply_arg);
	}
	r = fuse_send_msg(se, req->ch, iov, count);
	fuse_req_finish(req);
	return r == -ENOENT ? 0 : r;
}

/* ---- receiving ---- */

int fuse_ll_recv_error(struct fuse_session *se, int err)
{
	if (fuse_session_exited(se))
		return 0;
	/* The request we were about to read was interrupted away. */
	if (err == ENOENT)
		return 1;
	if (err == ENODEV) {
		/* Unmounted: the normal end of a session. */
		fuse_session_exit(se);
		return 0;
	}
	if (err != EINTR && err != EAGAIN)
		fuse_log(FUSE_LOG_ERR, "fuse: reading device: %s\n",
			 strerror(err));
	return -err;
}

int fuse_session_receive_buf_ch(struct fuse_session *se, struct fuse_buf *buf,
				struct fuse_chan *ch)
{
	int fd = ch ? ch->fd : se->fd;
	ssize_t res;
	int r;

	if (!buf->mem) {
		buf->mem = malloc(se->bufsize);
		if (!buf->mem) {
			fuse_log(FUSE_LOG_ERR,
				 "fuse: failed to allocate read buffer\n");
			return -ENOMEM;
		}
#if FUSED_SOVERSION >= 4
		/* 3.17's fuse_buf says how much the library allocated */
		buf->mem_size = se->bufsize;
#endif
	}
	if (fuse_ll_splice_wanted(se)) {
		r = fuse_ll_splice_receive(se, buf, fd);
		/* Even when the session exited meanwhile: the request is in
		 * the pipe now and must be processed or dropped with it. */
		if (r != -EOPNOTSUPP)
			return r;
	}
	for (;;) {
		if (se->custom_io)
			res = se->io.read(fd, buf->mem, se->bufsize, se->userdata);
		else
			res = read(fd, buf->mem, se->bufsize);
		if (res >= 0)
			break;
		r = fuse_ll_recv_error(se, errno);
		if (r <= 0)
			return r;
	}
	if (fuse_session_exited(se))
		return 0;
	buf->size = (size_t)res;
	buf->flags = 0;
	fuse_ll_splice_note(se, buf);
	return (int)res;
}

int fuse_session_receive_buf(struct fuse_session *se, struct fuse_buf *buf)
{
	return fuse_session_receive_buf_ch(se, buf, NULL);
}

/* ---- processing ---- */

static void reply_err_raw(struct fuse_session *se, struct fuse_chan *ch,
			  uint64_t unique, int err)
{
	struct fuse_out_header out = {
		.len = sizeof(out), .error = -err, .unique = unique,
	};
	struct iovec iov = { &out, sizeof(out) };

	/* Unique 0 is how notifications are told apart: a garbage header
	 * with it cannot be answered. */
	if (!unique)
		return;
	(void)fuse_send_msg(se, ch, &iov, 1);
}

/* Deliver an INTERRUPT: true when its request was found here. */
static bool interrupt_deliver(struct fuse_session *se, uint64_t target)
{
	struct fuse_req *curr, *found = NULL;
	fuse_interrupt_func_t func = NULL;
	void *data = NULL;

	pthread_mutex_lock(&se->lock);
	for (curr = se->inflight.next; curr != &se->inflight; curr = curr->next) {
		if (curr->unique == target) {
			found = curr;
			found->interrupted = true;
			func = found->ifunc;
			data = found->idata;
			/* Keep it alive while its function runs, even if the
			 * filesystem replies meanwhile. */
			atomic_fetch_add(&found->refcnt, 1);
			break;
		}
	}
	pthread_mutex_unlock(&se->lock);
	if (!found)
		return false;
	if (func)
		func(found, data);
	fuse_req_put(found);
	return true;
}

static void do_interrupt(struct fuse_req *req, const struct proto_req *p)
{
	struct fuse_session *se = req->se;
	const struct fuse_interrupt_in *arg = p->arg;

	if (se->debug)
		fuse_log(FUSE_LOG_DEBUG, "INTERRUPT: %llu\n",
			 (unsigned long long)arg->unique);
	if (interrupt_deliver(se, arg->unique)) {
		fuse_req_finish(req);
		return;
	}
	/* Its request has not been read yet (another thread has it, or it
	 * is still queued): keep the INTERRUPT until it shows up. */
	req->intr_target = arg->unique;
	pthread_mutex_lock(&se->lock);
	list_add_tail(&se->pending_intr, req);
	pthread_mutex_unlock(&se->lock);
}

/* Put req on the in-flight list.  A pending INTERRUPT for it marks it
 * interrupted; otherwise the oldest pending INTERRUPT is returned, to be
 * answered EAGAIN so that the kernel sends it again later. */
static struct fuse_req *track(struct fuse_session *se, struct fuse_req *req)
{
	struct fuse_req *curr, *match = NULL, *stale = NULL;

	pthread_mutex_lock(&se->lock);
	for (curr = se->pending_intr.next; curr != &se->pending_intr;
	     curr = curr->next) {
		if (curr->intr_target == req->unique) {
			match = curr;
			break;
		}
	}
	if (match) {
		list_del(match);
		req->interrupted = true;
	} else if (se->pending_intr.next != &se->pending_intr) {
		stale = se->pending_intr.next;
		list_del(stale);
	}
	list_add_tail(&se->inflight, req);
	req->in_flight = true;
	pthread_mutex_unlock(&se->lock);
	/* A matched INTERRUPT has done its job and needs no reply. */
	if (match)
		fuse_req_put(match);
	return stale;
}

/* Opcodes a user other than the owner and root may still send with
 * allow_root: those on files already open (or answers to us). */
static bool allowed_for_others(uint32_t opcode)
{
	switch (opcode) {
	case FUSE_READ: case FUSE_WRITE: case FUSE_FSYNC: case FUSE_RELEASE:
	case FUSE_READDIR: case FUSE_READDIRPLUS: case FUSE_FSYNCDIR:
	case FUSE_RELEASEDIR: case FUSE_NOTIFY_REPLY: case FUSE_INIT:
	/* and those nobody can answer, or that the kernel sends itself */
	case FUSE_FORGET: case FUSE_BATCH_FORGET: case FUSE_INTERRUPT:
	case FUSE_DESTROY:
		return true;
	default:
		return false;
	}
}

static bool no_reply_opcode(uint32_t opcode)
{
	return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET ||
	       opcode == FUSE_NOTIFY_REPLY;
}

/* Answer the decoded request p (len bytes; e is what the decoder said). */
static void serve(struct fuse_session *se, struct proto_req *p,
		  enum proto_err e, size_t len, struct fuse_chan *ch)
{
	const struct fuse_in_header *in;
	struct fuse_req *req, *stale;
	int err;

	if (e == PROTO_SHORT_HEADER) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: malformed request of %zu bytes: %s, dropped\n",
			 len, proto_strerror(e));
		return;
	}
	in = p->in;
	if (se->debug)
		fuse_log(FUSE_LOG_DEBUG,
			 "unique: %llu, opcode: %s (%u), nodeid: %llu, insize: %zu, pid: %u\n",
			 (unsigned long long)in->unique,
			 proto_opname(in->opcode), in->opcode,
			 (unsigned long long)in->nodeid, len, in->pid);

	if (e != PROTO_OK) {
		if (e == PROTO_UNKNOWN_OPCODE) {
			err = ENOSYS;
		} else {
			fuse_log(FUSE_LOG_ERR,
				 "fuse: malformed request: unique %llu, opcode %s (%u), %zu bytes: %s\n",
				 (unsigned long long)in->unique,
				 proto_opname(in->opcode), in->opcode, len,
				 proto_strerror(e));
			if (no_reply_opcode(in->opcode))
				return;
			err = EIO;
		}
		reply_err_raw(se, ch, in->unique, err);
		return;
	}

	err = 0;
	if (!se->got_init) {
		if (in->opcode != (se->cuse ? CUSE_INIT : FUSE_INIT))
			err = EIO;
	} else if (in->opcode == FUSE_INIT || in->opcode == CUSE_INIT) {
		err = EIO;
	} else if (se->deny_others && in->uid != se->owner && in->uid != 0 &&
		   !allowed_for_others(in->opcode)) {
		err = EACCES;
	}
	if (err) {
		if (!no_reply_opcode(in->opcode))
			reply_err_raw(se, ch, in->unique, err);
		return;
	}

	req = fuse_req_new(se, ch);
	if (!req) {
		if (!no_reply_opcode(in->opcode))
			reply_err_raw(se, ch, in->unique, ENOMEM);
		return;
	}
	req->unique = in->unique;
	req->ctx.uid = in->uid;
	req->ctx.gid = in->gid;
	req->ctx.pid = in->pid;

	if (in->opcode == FUSE_INTERRUPT) {
		do_interrupt(req, p);
		return;
	}
	stale = no_reply_opcode(in->opcode) ? NULL : track(se, req);
	if (stale)
		fuse_reply_err(stale, EAGAIN);
	fuse_ll_dispatch(req, p);
}

static void process(struct fuse_session *se, const void *mem, size_t len,
		    struct fuse_chan *ch)
{
	struct proto_req p;
	enum proto_err e;

	e = proto_decode(mem, len, se->conn.proto_minor, se->setxattr_ext, &p);
	serve(se, &p, e, len, ch);
}

void fuse_ll_process_split(struct fuse_session *se, const struct fuse_buf *buf,
			   struct fuse_chan *ch)
{
	struct proto_req p;
	enum proto_err e;

	e = proto_decode_write_head(buf->mem, (size_t)buf->pos, buf->size,
				    se->conn.proto_minor, buf->fd, &p);
	serve(se, &p, e, buf->size, ch);
}

void fuse_session_process_buf_ch(struct fuse_session *se,
				 const struct fuse_buf *buf,
				 struct fuse_chan *ch)
{
	void *copy;
	ssize_t res;

	if (!(buf->flags & FUSE_BUF_IS_FD)) {
		process(se, buf->mem, buf->size, ch);
		return;
	}
	if (buf->flags & FUSE_BUF_LL_SPLIT) {
		fuse_ll_splice_process(se, buf, ch);
		return;
	}
	/* A request spliced into a pipe by a custom receiver: read it out.
	 * Not the hot path; our own receive never produces these. */
	copy = malloc(buf->size ? buf->size : 1);
	if (!copy) {
		fuse_log(FUSE_LOG_ERR, "fuse: out of memory for a request\n");
		return;
	}
	res = read(buf->fd, copy, buf->size);
	if (res < 0)
		fuse_log(FUSE_LOG_ERR, "fuse: reading request pipe: %s\n",
			 strerror(errno));
	else
		process(se, copy, (size_t)res, ch);
	free(copy);
}

void fuse_session_process_buf(struct fuse_session *se,
			      const struct fuse_buf *buf)
{
	fuse_session_process_buf_ch(se, buf, NULL);
}

/* ---- session lifetime ---- */

#define LL_OPT(t, field, val) { t, offsetof(struct fuse_session, field), val }

static const struct fuse_opt ll_opts[] = {
	LL_OPT("debug", debug, 1),
	LL_OPT("-d", debug, 1),
	LL_OPT("--debug", debug, 1),
	FUSE_OPT_END
};

struct fuse_session *fuse_session_new(struct fuse_args *args,
				      const struct fuse_lowlevel_ops *op,
				      size_t op_size, void *userdata)
{
	struct fuse_session *se;
	long pagesize = sysconf(_SC_PAGESIZE);
	int r;

	if (op_size > sizeof(struct fuse_lowlevel_ops)) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: warning: the filesystem knows operations this library does not; those will not be called\n");
		op_size = sizeof(struct fuse_lowlevel_ops);
	}
	if (!args || args->argc == 0) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: fuse_session_new needs argv[0] in args\n");
		return NULL;
	}

	se = calloc(1, sizeof(*se));
	if (!se) {
		fuse_log(FUSE_LOG_ERR, "fuse: out of memory for a session\n");
		return NULL;
	}
	se->fd = -1;
	se->conn.max_write = UINT_MAX;
	se->conn.max_readahead = UINT_MAX;
	se->notify_ctr = 1;
	pthread_mutex_init(&se->lock, NULL);
	list_init(&se->inflight);
	list_init(&se->pending_intr);

	if (fuse_opt_parse(args, se, ll_opts, NULL) == -1)
		goto fail;
	r = fuse_mount_opts_parse(args, &se->mo);
	if (r < 0)
		goto fail;
	/* allow_root: the mount lets everybody in (allow_other) and
	 * process() turns away all but the owner and root. */
	se->deny_others = se->mo && se->mo->allow_root;
	if (args->argc == 1 && args->argv[0][0] == '-') {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: warning: argv[0] (%s) looks like an option and is ignored\n",
			 args->argv[0]);
	} else if (args->argc > 1) {
		fuse_log(FUSE_LOG_ERR, "fuse: unknown option(s): `");
		for (int i = 1; i < args->argc; i++)
			fuse_log(FUSE_LOG_ERR, "%s%s", args->argv[i],
				 i + 1 < args->argc ? " " : "'\n");
		goto fail;
	}
	if (se->debug)
		fuse_log(FUSE_LOG_DEBUG, "FUSE library version: %s\n",
			 FUSE_LL_PACKAGE_VERSION);

	se->bufsize = (size_t)FUSE_LL_MAX_PAGES * (size_t)pagesize +
		      FUSE_BUFFER_HEADER_SIZE;
	memcpy(&se->op, op, op_size);
	se->owner = getuid();
	se->userdata = userdata;
	return se;

fail:
	fuse_mount_opts_free(se->mo);
	pthread_mutex_destroy(&se->lock);
	free(se);
	return NULL;
}

#if FUSED_SOVERSION >= 4
static int session_custom_io(struct fuse_session *se,
			     const struct fuse_custom_io *io, int fd);

/* struct fuse_custom_io grew clone_fd in 3.17: io_size says how much of
 * it the program knows; the rest stays NULL. */
int fuse_session_custom_io_317(struct fuse_session *se,
			       const struct fuse_custom_io *io, size_t io_size,
			       int fd)
{
	struct fuse_custom_io whole;

	if (io && io_size < offsetof(struct fuse_custom_io, splice_receive)) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: custom io of %zu bytes lacks read and writev\n",
			 io_size);
		return -EINVAL;
	}
	if (io) {
		memset(&whole, 0, sizeof(whole));
		memcpy(&whole, io, io_size < sizeof(whole) ? io_size : sizeof(whole));
		io = &whole;
	}
	return session_custom_io(se, io, fd);
}

int fuse_session_custom_io_30(struct fuse_session *se,
			      const struct fuse_custom_io *io, int fd);
FUSE_SYMVER(fuse_session_custom_io_317, "fuse_session_custom_io@@FUSE_3.17");
FUSE_SYMVER(fuse_session_custom_io_30, "fuse_session_custom_io@FUSE_3.0");
int fuse_session_custom_io_30(struct fuse_session *se,
			      const struct fuse_custom_io *io, int fd)
{
	return fuse_session_custom_io_317(se, io,
			offsetof(struct fuse_custom_io, clone_fd), fd);
}

/* The 3.17 entry point: the version is the program's, kept for what
 * may one day depend on it; the ops table is sized by op_size anyway. */
struct fuse_session *fuse_session_new_versioned(struct fuse_args *args,
						const struct fuse_lowlevel_ops *op,
						size_t op_size,
						struct libfuse_version *version,
						void *userdata)
{
	if (!version || version->major != FUSE_MAJOR_VERSION) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: the program was built for libfuse %u, this is libfuse 3\n",
			 version ? version->major : 0);
		return NULL;
	}
	return fuse_session_new(args, op, op_size, userdata);
}

bool fuse_req_is_uring(fuse_req_t req)
{
	/* every request of this library is read from /dev/fuse */
	(void)req;
	return false;
}

int fuse_req_get_payload(fuse_req_t req, char **payload, size_t *payload_sz,
			 void **mr)
{
	/* only io_uring leaves a payload in place; see fuse_req_is_uring() */
	(void)req, (void)payload, (void)payload_sz, (void)mr;
	return -ENOTSUP;
}

static int session_custom_io(struct fuse_session *se,
			     const struct fuse_custom_io *io, int fd)
#else
int fuse_session_custom_io(struct fuse_session *se,
			   const struct fuse_custom_io *io, int fd)
#endif
{
	if (fd < 0) {
		fuse_log(FUSE_LOG_ERR, "fuse: invalid fd for custom io: %d\n",
			 fd);
		return -EBADF;
	}
	if (!io || !io->read || !io->writev) {
		fuse_log(FUSE_LOG_ERR,
			 "fuse: custom io needs both read and writev\n");
		return -EINVAL;
	}
	se->io = *io;
	se->custom_io = true;
	se->fd = fd;
	return 0;
}

static void free_req_list(struct fuse_req *head)
{
	while (head->next != head) {
		struct fuse_req *req = head->next;

		list_del(req);
		fuse_chan_put(req->ch);
		free(req);
	}
}

void fuse_session_destroy(struct fuse_session *se)
{
	if (!se)
		return;
	if (se->got_init && !se->got_destroy) {
		se->got_destroy = true;
		if (se->op.destroy)
			se->op.destroy(se->userdata);
	}
	free_req_list(&se->pending_intr);
	/* Requests still in flight belong to a filesystem that never
	 * answered them; their memory is freed with the session. */
	free_req_list(&se->inflight);
	while (se->free_reqs) {
		struct fuse_req *req = se->free_reqs;

		se->free_reqs = req->free_next;
		free(req);
	}
	fuse_notify_free_all(se);
	free(se->cuse);
	/* The thread that ran a single-threaded loop is usually the one
	 * destroying: give back its buffers now (other threads' go at their
	 * exit). */
	fuse_ll_scratch_release();
	fuse_ll_splice_release();
	fuse_mount_opts_free(se->mo);
	if (se->fd >= 0)
		close(se->fd);
	free(se->mountpoint);
	pthread_mutex_destroy(&se->lock);
	free(se);
}

int fuse_session_fd(struct fuse_session *se)
{
	return se->fd;
}

void fuse_session_exit(struct fuse_session *se)
{
	se->exited = 1;
}

void fuse_session_reset(struct fuse_session *se)
{
	se->exited = 0;
	se->error = 0;
}

int fuse_session_exited(struct fuse_session *se)
{
	return se->exited;
}
