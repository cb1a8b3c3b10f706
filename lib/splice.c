// SPDX-License-Identifier: LGPL-2.1-or-later
/* Receiving big WRITEs by splice
 *
 * read() copies a WRITE's data out of the kernel's page cache into our
 * buffer, and the filesystem's write copies it again.  splice() from
 * /dev/fuse into a pipe only takes references to those pages, so a
 * write_buf that splices the pipe on into its file copies once.  The cost
 * is one more syscall per request (the header is read back from the
 * pipe), which only pays off for big writes: a thread that got a big WRITE
 * splices its next requests, and goes back to read() after a run of them
 * that were not big WRITEs.  Not at the first one: the kernel sends a
 * GETXATTR of security.capability before each write. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuse_i.h"
#include "fuse_log.h"

/* Data below this is cheaper to copy than to splice. */
#define SPLICE_MIN_DATA (32 * 1024)

/* Requests a thread keeps splicing after its last big WRITE. */
#define SPLICE_STICKY 16

struct ll_pipe {
	int rd, wr;
};

static pthread_key_t pipe_key;
static pthread_once_t pipe_once = PTHREAD_ONCE_INIT;
static __thread struct ll_pipe *tpipe;
static __thread unsigned tsplice;       /* requests left to splice */
static __thread bool tconsumed;         /* the op read all spliced data */

static void pipe_free(void *v)
{
	struct ll_pipe *p = v;

	if (!p)
		return;
	close(p->rd);
	close(p->wr);
	free(p);
}

static void pipe_key_init(void)
{
	(void)pthread_key_create(&pipe_key, pipe_free);
}

static void pipe_drop(void)
{
	if (!tpipe)
		return;
	(void)pthread_setspecific(pipe_key, NULL);
	pipe_free(tpipe);
	tpipe = NULL;
}

static struct ll_pipe *pipe_get(struct fuse_session *se)
{
	struct ll_pipe *p;
	int fds[2];

	if (tpipe)
		return tpipe;
	pthread_once(&pipe_once, pipe_key_init);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return NULL;
	/* A whole request must fit, or the kernel refuses the splice. */
	if (fcntl(fds[0], F_SETPIPE_SZ, (int)se->bufsize) < (int)se->bufsize) {
		close(fds[0]);
		close(fds[1]);
		/* Not allowed that big (not root): no splicing at all. */
		se->splice_broken = true;
		return NULL;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	p->rd = fds[0];
	p->wr = fds[1];
	tpipe = p;
	(void)pthread_setspecific(pipe_key, p);
	return p;
}

bool fuse_ll_splice_wanted(struct fuse_session *se)
{
	return tsplice > 0 && se->splice_ok && !se->splice_broken &&
	       (se->conn.want & FUSE_CAP_SPLICE_READ);
}

void fuse_ll_splice_note(struct fuse_session *se, const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	if (!se->splice_ok || se->splice_broken ||
	    !(se->conn.want & FUSE_CAP_SPLICE_READ))
		return;
	if (buf->size >= sizeof(*in) && in->opcode == FUSE_WRITE &&
	    buf->size >= sizeof(*in) + sizeof(struct fuse_write_in) +
			 SPLICE_MIN_DATA)
		tsplice = SPLICE_STICKY;
}

void fuse_ll_splice_consumed(void)
{
	tconsumed = true;
}

static int read_all(int fd, char *dst, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, dst + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

int fuse_ll_splice_receive(struct fuse_session *se, struct fuse_buf *buf,
			   int fd)
{
	const size_t head = sizeof(struct fuse_in_header) +
			    sizeof(struct fuse_write_in);
	const struct fuse_in_header *in = buf->mem;
	struct ll_pipe *p = pipe_get(se);
	ssize_t res;
	size_t n;
	int r;

	if (!p)
		return -EOPNOTSUPP;
	for (;;) {
		if (se->custom_io)
			res = se->io.splice_receive(fd, NULL, p->wr, NULL,
						    se->bufsize, 0, se->userdata);
		else
			res = splice(fd, NULL, p->wr, NULL, se->bufsize, 0);
		if (res >= 0)
			break;
		r = fuse_ll_recv_error(se, errno);
		if (r <= 0)
			return r;
	}
	if (res == 0)
		return 0;

	n = (size_t)res < head ? (size_t)res : head;
	if (read_all(p->rd, buf->mem, n) < 0)
		goto broken;
	buf->size = (size_t)res;
	if ((size_t)res > head && in->opcode == FUSE_WRITE &&
	    in->len == (size_t)res && (size_t)res - head >= SPLICE_MIN_DATA) {
		/* Header in memory, data left in the pipe. */
		buf->flags = FUSE_BUF_IS_FD | FUSE_BUF_LL_SPLIT;
		buf->fd = p->rd;
		buf->pos = (off_t)head;
		tsplice = SPLICE_STICKY;
		return (int)res;
	}
	/* Not a big WRITE: bring the rest in. */
	tsplice--;
	if ((size_t)res > n && read_all(p->rd, (char *)buf->mem + n,
					(size_t)res - n) < 0)
		goto broken;
	buf->flags = 0;
	return (int)res;

broken:
	fuse_log(FUSE_LOG_ERR, "fuse: short read from the splice pipe\n");
	pipe_drop();
	tsplice = 0;
	return -EIO;
}

void fuse_ll_splice_process(struct fuse_session *se, const struct fuse_buf *buf,
			    struct fuse_chan *ch)
{
	tconsumed = false;
	fuse_ll_process_split(se, buf, ch);
	/* Whatever the op left in the pipe would be read as the next
	 * request's start: throw the pipe away instead. */
	if (!tconsumed)
		pipe_drop();
}

void fuse_ll_splice_release(void)
{
	pipe_drop();
	tsplice = 0;
}
