// SPDX-License-Identifier: GPL-2.0
/*
 * Request queue
 *
 * A request is queued on fc->pending with a fresh unique id, taken by a
 * reader of /dev/fuse (READING), parked on fc->processing until its reply
 * (SENT), filled by a writer (WRITING) and ended (FINISHED).  Whoever
 * holds it in READING or WRITING owns it: abort, shutdown and a killed
 * waiter leave it to that owner.  The caller's buffers are only touched
 * while the caller still waits, so a killed waiter never leaves a reader or
 * writer copying into memory that is gone.
 */
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>

#include "fuse_i.h"

struct fuse_conn *fuse_conn_new(void)
{
	struct fuse_conn *fc = kzalloc(sizeof(*fc), GFP_KERNEL);

	if (!fc)
		return NULL;
	spin_lock_init(&fc->lock);
	refcount_set(&fc->count, 1);
	INIT_LIST_HEAD(&fc->pending);
	INIT_LIST_HEAD(&fc->processing);
	init_waitqueue_head(&fc->waitq);
	init_waitqueue_head(&fc->blocked_waitq);
	fc->connected = true;
	fc->max_read = UINT_MAX;
	return fc;
}

struct fuse_conn *fuse_conn_get(struct fuse_conn *fc)
{
	refcount_inc(&fc->count);
	return fc;
}

void fuse_conn_put(struct fuse_conn *fc)
{
	if (!refcount_dec_and_test(&fc->count))
		return;
	/* Every request holds a reference: the lists are empty here. */
	WARN_ON(!list_empty(&fc->pending) || !list_empty(&fc->processing));
	if (fc->user_ns)
		put_user_ns(fc->user_ns);
	if (fc->pid_ns)
		put_pid_ns(fc->pid_ns);
	kfree(fc);
}

size_t fuse_in_len(const struct fuse_args *args)
{
	size_t len = sizeof(struct fuse_in_header);
	unsigned int i;

	for (i = 0; i < args->in_numargs; i++)
		len += args->in_args[i].size;
	return len;
}

static struct fuse_req *fuse_req_new(struct fuse_conn *fc,
				     struct fuse_args *args, gfp_t gfp)
{
	struct fuse_req *req = kzalloc(sizeof(*req), gfp);

	if (!req)
		return NULL;
	INIT_LIST_HEAD(&req->list);
	refcount_set(&req->count, 1);
	init_waitqueue_head(&req->waitq);
	req->fc = fuse_conn_get(fc);
	req->args = args;
	req->state = FUSE_REQ_PENDING;
	req->in_h.opcode = args->opcode;
	req->in_h.nodeid = args->nodeid;
	return req;
}

void fuse_req_put(struct fuse_req *req)
{
	if (refcount_dec_and_test(&req->count)) {
		fuse_conn_put(req->fc);
		kfree(req);
	}
}

/* The caller's credentials as the server sees them: in the mount's
 * namespaces.  A caller the mount's user namespace cannot name gets
 * EOVERFLOW, as with the kernel's own fuse. */
static int fuse_fill_creds(struct fuse_conn *fc, struct fuse_req *req,
			   bool background)
{
	uid_t uid = from_kuid(fc->user_ns, current_fsuid());
	gid_t gid = from_kgid(fc->user_ns, current_fsgid());

	if (uid == (uid_t)-1 || gid == (gid_t)-1) {
		if (!background)
			return -EOVERFLOW;
		uid = 0;
		gid = 0;
	}
	req->in_h.uid = uid;
	req->in_h.gid = gid;
	req->in_h.pid = background ? 0 : pid_nr_ns(task_pid(current), fc->pid_ns);
	return 0;
}

/* Queue req; false if the connection is gone (req untouched). */
static bool fuse_queue(struct fuse_conn *fc, struct fuse_req *req)
{
	spin_lock(&fc->lock);
	if (!fc->connected) {
		spin_unlock(&fc->lock);
		return false;
	}
	fc->reqctr += FUSE_REQ_ID_STEP;
	req->in_h.unique = fc->reqctr;
	req->in_h.len = fuse_in_len(req->args);
	list_add_tail(&req->list, &fc->pending);
	spin_unlock(&fc->lock);
	wake_up(&fc->waitq);
	return true;
}

/*
 * Ends a request that nobody else can reach any more (off every list,
 * owned by the caller).  Drops the queue's reference.
 */
void fuse_request_end(struct fuse_req *req)
{
	struct fuse_conn *fc = req->fc;
	struct fuse_args *args = req->args;

	spin_lock(&fc->lock);
	req->state = FUSE_REQ_FINISHED;
	spin_unlock(&fc->lock);
	if (args->end)
		args->end(fc, args, req->error);
	wake_up(&req->waitq);
	fuse_req_put(req);
}

struct fuse_req *fuse_find_processing(struct fuse_conn *fc, u64 unique)
{
	struct fuse_req *req;

	lockdep_assert_held(&fc->lock);
	list_for_each_entry(req, &fc->processing, list)
		if (req->in_h.unique == unique)
			return req;
	return NULL;
}

static int fuse_wait_initialized(struct fuse_conn *fc)
{
	if (wait_event_killable(fc->blocked_waitq,
				READ_ONCE(fc->initialized) ||
				!READ_ONCE(fc->connected)))
		return -EINTR;
	return 0;
}

/* Waits for the reply, killably.  A killed waiter takes its request off
 * the queue if nobody holds it; if a reader or writer is copying it, the
 * waiter marks it abandoned and waits for that copy to end (it never
 * waits for the server). */
static void fuse_wait_answer(struct fuse_conn *fc, struct fuse_req *req)
{
	if (!wait_event_killable(req->waitq,
				 READ_ONCE(req->state) == FUSE_REQ_FINISHED))
		return;

	spin_lock(&fc->lock);
	switch (req->state) {
	case FUSE_REQ_PENDING:
	case FUSE_REQ_SENT:
		list_del_init(&req->list);
		req->error = -EINTR;
		spin_unlock(&fc->lock);
		fuse_request_end(req);
		return;
	case FUSE_REQ_READING:
	case FUSE_REQ_WRITING:
		req->abandoned = true;
		break;
	case FUSE_REQ_FINISHED:
		break;
	}
	spin_unlock(&fc->lock);
	wait_event(req->waitq, READ_ONCE(req->state) == FUSE_REQ_FINISHED);
}

/*
 * Sends a request and waits for its reply.  Returns a negative errno, or
 * for out_argvar requests the bytes the server sent in the last out arg,
 * else 0.
 */
ssize_t fuse_simple_request(struct fuse_conn *fc, struct fuse_args *args)
{
	struct fuse_req *req;
	ssize_t r;

	if (!args->force) {
		r = fuse_wait_initialized(fc);
		if (r)
			return r;
		if (READ_ONCE(fc->conn_error))
			return -ECONNREFUSED;
	}
	req = fuse_req_new(fc, args, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	r = fuse_fill_creds(fc, req, args->nocreds);
	if (r) {
		fuse_req_put(req);
		return r;
	}
	/* one reference for the queue, one for us */
	refcount_inc(&req->count);
	if (!fuse_queue(fc, req)) {
		fuse_req_put(req);
		fuse_req_put(req);
		return -ENOTCONN;
	}
	fuse_wait_answer(fc, req);
	r = req->error;
	if (!r && args->out_argvar)
		r = args->out_size;
	fuse_req_put(req);
	return r;
}

/*
 * Queues a request nobody waits for; args->end runs exactly once (also
 * when the connection is already gone) and frees args.
 */
int fuse_simple_background(struct fuse_conn *fc, struct fuse_args *args)
{
	struct fuse_req *req;

	req = fuse_req_new(fc, args, GFP_KERNEL | __GFP_NOFAIL);
	fuse_fill_creds(fc, req, true);
	if (!fuse_queue(fc, req)) {
		req->error = -ENOTCONN;
		fuse_request_end(req);
		return -ENOTCONN;
	}
	return 0;
}

void fuse_set_initialized(struct fuse_conn *fc)
{
	spin_lock(&fc->lock);
	fc->initialized = true;
	spin_unlock(&fc->lock);
	wake_up_all(&fc->blocked_waitq);
}

/* Moves the requests of @head that match @all (or have a waiter) to
 * @out, with @error. */
static void fuse_collect(struct list_head *head, struct list_head *out,
			 bool all, int error)
{
	struct fuse_req *req, *next;

	list_for_each_entry_safe(req, next, head, list) {
		if (!all && req->args->noreply)
			continue;
		req->error = error;
		list_move_tail(&req->list, out);
	}
}

static void fuse_end_list(struct list_head *head)
{
	struct fuse_req *req, *next;

	list_for_each_entry_safe(req, next, head, list) {
		list_del_init(&req->list);
		fuse_request_end(req);
	}
}

/*
 * The server is gone (its device's last fd closed): every request fails,
 * waiters with ECONNABORTED, new ones with ENOTCONN, readers get ENODEV.
 */
void fuse_conn_abort(struct fuse_conn *fc)
{
	LIST_HEAD(dead);

	spin_lock(&fc->lock);
	fc->connected = false;
	fc->aborted = true;
	fuse_collect(&fc->pending, &dead, true, -ECONNABORTED);
	fuse_collect(&fc->processing, &dead, true, -ECONNABORTED);
	spin_unlock(&fc->lock);
	fuse_end_list(&dead);
	wake_up_all(&fc->waitq);
	wake_up_all(&fc->blocked_waitq);
}

/*
 * The filesystem is unmounted: no new requests, waiters fail with
 * ENOTCONN, but a reader still gets what needs no answer (the last
 * FORGETs and DESTROY) before ENODEV.
 */
void fuse_conn_shutdown(struct fuse_conn *fc)
{
	LIST_HEAD(dead);

	spin_lock(&fc->lock);
	fc->connected = false;
	fuse_collect(&fc->pending, &dead, false, -ENOTCONN);
	fuse_collect(&fc->processing, &dead, true, -ENOTCONN);
	spin_unlock(&fc->lock);
	fuse_end_list(&dead);
	wake_up_all(&fc->waitq);
	wake_up_all(&fc->blocked_waitq);
}
