// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/fuse
 *
 * The misc device a server reads requests from and writes replies to.  A
 * freshly opened file belongs to no connection; mounting with its fd= binds
 * it to one.  Everything a server writes is checked against the request it
 * answers before a byte of it lands in the caller's buffers.
 */
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/uio.h>

#include "fuse_i.h"

static DEFINE_MUTEX(fuse_dev_mutex);

static struct fuse_conn *fuse_get_dev(struct file *file)
{
	/* pairs with smp_store_release() in fuse_dev_attach() */
	return smp_load_acquire(&file->private_data);
}

int fuse_dev_attach(struct file *file, struct fuse_conn *fc)
{
	int r = 0;

	mutex_lock(&fuse_dev_mutex);
	if (file->private_data)
		r = -EINVAL;	/* one mount per device fd */
	else
		smp_store_release(&file->private_data, fuse_conn_get(fc));
	mutex_unlock(&fuse_dev_mutex);
	return r;
}

static int fuse_dev_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return stream_open(inode, file);
}

static bool fuse_dev_readable(struct fuse_conn *fc)
{
	/* after an unmount, what is still queued needs no answer */
	return !list_empty(&fc->pending) || !fc->connected;
}

/* Copies req to the reader; returns 0 or -EFAULT. */
static int fuse_copy_req(struct fuse_req *req, struct iov_iter *to)
{
	struct fuse_args *args = req->args;
	unsigned int i;

	if (copy_to_iter(&req->in_h, sizeof(req->in_h), to) != sizeof(req->in_h))
		return -EFAULT;
	for (i = 0; i < args->in_numargs; i++) {
		size_t n = args->in_args[i].size;

		if (copy_to_iter(args->in_args[i].value, n, to) != n)
			return -EFAULT;
	}
	return 0;
}

static ssize_t fuse_dev_read(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *file = iocb->ki_filp;
	struct fuse_conn *fc = fuse_get_dev(file);
	struct fuse_req *req;
	size_t len;
	int r;

	if (!fc)
		return -EPERM;
	if (iov_iter_count(to) < FUSE_MIN_READ_BUFFER)
		return -EINVAL;
again:
	spin_lock(&fc->lock);
	while (list_empty(&fc->pending)) {
		if (!fc->connected) {
			spin_unlock(&fc->lock);
			return -ENODEV;
		}
		spin_unlock(&fc->lock);
		if ((file->f_flags & O_NONBLOCK) || (iocb->ki_flags & IOCB_NOWAIT))
			return -EAGAIN;
		r = wait_event_interruptible_exclusive(fc->waitq,
						       fuse_dev_readable(fc));
		if (r)
			return r;
		spin_lock(&fc->lock);
	}
	req = list_first_entry(&fc->pending, struct fuse_req, list);
	list_del_init(&req->list);
	req->state = FUSE_REQ_READING;
	spin_unlock(&fc->lock);

	len = req->in_h.len;
	if (iov_iter_count(to) < len) {
		/* the server's buffer cannot hold it: fail this one */
		req->error = -EIO;
		fuse_request_end(req);
		goto again;
	}
	r = fuse_copy_req(req, to);

	spin_lock(&fc->lock);
	if (r) {
		req->error = -EIO;
	} else if (req->abandoned) {
		req->error = -EINTR;
		r = 1;
	} else if (fc->aborted) {
		req->error = -ECONNABORTED;
		r = 1;
	} else if (!fc->connected && !req->args->noreply) {
		/* unmounted while we copied: nobody can answer it now */
		req->error = -ENOTCONN;
		r = 1;
	} else if (!req->args->noreply) {
		req->state = FUSE_REQ_SENT;
		list_add_tail(&req->list, &fc->processing);
		spin_unlock(&fc->lock);
		return len;
	}
	spin_unlock(&fc->lock);
	fuse_request_end(req);
	return r < 0 ? r : len;
}

/*
 * Copies the reply's payload (@nbytes after the header) into the request's
 * out args.  Oversized, or short where the protocol has no variable part:
 * -EINVAL.
 */
static int fuse_copy_out_args(struct fuse_args *args, struct iov_iter *from,
			      size_t nbytes)
{
	size_t total = 0, last;
	unsigned int i;

	for (i = 0; i < args->out_numargs; i++)
		total += args->out_args[i].size;
	if (nbytes > total)
		return -EINVAL;
	last = args->out_numargs ? args->out_args[args->out_numargs - 1].size : 0;
	if (nbytes < total) {
		if (!args->out_argvar || total - nbytes > last)
			return -EINVAL;
		last -= total - nbytes;
	}
	for (i = 0; i < args->out_numargs; i++) {
		bool is_last = i == args->out_numargs - 1;
		size_t n = is_last ? last : args->out_args[i].size;

		if (copy_from_iter(args->out_args[i].value, n, from) != n)
			return -EFAULT;
	}
	args->out_size = last;
	return 0;
}

static ssize_t fuse_dev_write(struct kiocb *iocb, struct iov_iter *from)
{
	struct fuse_conn *fc = fuse_get_dev(iocb->ki_filp);
	size_t nbytes = iov_iter_count(from);
	struct fuse_out_header oh;
	struct fuse_req *req;
	int r;

	if (!fc)
		return -EPERM;
	if (nbytes < sizeof(oh))
		return -EINVAL;
	if (copy_from_iter(&oh, sizeof(oh), from) != sizeof(oh))
		return -EFAULT;
	if (oh.len != nbytes)
		return -EINVAL;
	/* notifications: none implemented yet */
	if (oh.unique == 0)
		return -ENOSYS;
	if (oh.error <= -512 || oh.error > 0)
		return -EINVAL;

	spin_lock(&fc->lock);
	req = fc->connected ? fuse_find_processing(fc, oh.unique) : NULL;
	if (!req) {
		/* unknown, already answered, or its waiter is gone */
		spin_unlock(&fc->lock);
		return -ENOENT;
	}
	list_del_init(&req->list);
	req->state = FUSE_REQ_WRITING;
	spin_unlock(&fc->lock);

	nbytes -= sizeof(oh);
	if (oh.error) {
		r = nbytes ? -EINVAL : 0;
		req->error = r ? -EIO : oh.error;
	} else if (req->abandoned) {
		r = 0;
		req->error = -EINTR;
	} else {
		r = fuse_copy_out_args(req->args, from, nbytes);
		req->error = r ? -EIO : 0;
	}
	fuse_request_end(req);
	return r ? r : (ssize_t)(nbytes + sizeof(oh));
}

static __poll_t fuse_dev_poll(struct file *file, poll_table *wait)
{
	struct fuse_conn *fc = fuse_get_dev(file);
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	if (!fc)
		return EPOLLERR;
	poll_wait(file, &fc->waitq, wait);
	spin_lock(&fc->lock);
	if (!list_empty(&fc->pending))
		mask |= EPOLLIN | EPOLLRDNORM;
	else if (!fc->connected)
		mask = EPOLLERR;
	spin_unlock(&fc->lock);
	return mask;
}

static int fuse_dev_release(struct inode *inode, struct file *file)
{
	struct fuse_conn *fc = file->private_data;

	if (fc) {
		fuse_conn_abort(fc);
		fuse_conn_put(fc);
	}
	return 0;
}

const struct file_operations fuse_dev_operations = {
	.owner		= THIS_MODULE,
	.open		= fuse_dev_open,
	.read_iter	= fuse_dev_read,
	.write_iter	= fuse_dev_write,
	.poll		= fuse_dev_poll,
	.release	= fuse_dev_release,
	/* splice(2) from and to the device goes through read_iter and
	 * write_iter, one whole request or reply per call as with read and
	 * write: libfuse moves big WRITEs through a pipe this way */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	.splice_read	= copy_splice_read,
#else
	.splice_read	= generic_file_splice_read,
#endif
	.splice_write	= iter_file_splice_write,
};

static struct miscdevice fuse_miscdevice = {
	.minor	= FUSE_MINOR,
	.name	= "fuse",
	.fops	= &fuse_dev_operations,
	.mode	= 0666,
};

int fuse_dev_init(void)
{
	return misc_register(&fuse_miscdevice);
}

void fuse_dev_cleanup(void)
{
	misc_deregister(&fuse_miscdevice);
}

MODULE_ALIAS_MISCDEV(FUSE_MINOR);
MODULE_ALIAS("devname:fuse");
