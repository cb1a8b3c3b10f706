// SPDX-License-Identifier: LGPL-2.1-or-later
/* Notifications: messages the filesystem sends the kernel unasked
 *
 * Each is an out header with unique 0 and the notify code in the error
 * field, then its struct.  A RETRIEVE is answered later by a NOTIFY_REPLY
 * request carrying the same unique; the waiting cookies live on a list in
 * the session.  Also here: the version and help texts of the low level. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuse_i.h"
#include "fuse_log.h"

static int send_notify(struct fuse_session *se, int code, struct iovec *iov,
		       int count)
{
	struct fuse_out_header out;
	size_t len = sizeof(out);

	for (int i = 1; i < count; i++)
		len += iov[i].iov_len;
	out.unique = 0;
	out.error = code;
	out.len = (uint32_t)len;
	iov[0].iov_base = &out;
	iov[0].iov_len = sizeof(out);
	return fuse_send_msg(se, NULL, iov, count);
}

int fuse_lowlevel_notify_poll(struct fuse_pollhandle *ph)
{
	struct fuse_notify_poll_wakeup_out o;
	struct iovec iov[2];

	if (!ph)
		return -EINVAL;
	if (ph->se->conn.proto_minor < 11)
		return -ENOSYS;
	o.kh = ph->kh;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	return send_notify(ph->se, FUSE_NOTIFY_POLL, iov, 2);
}

void fuse_pollhandle_destroy(struct fuse_pollhandle *ph)
{
	free(ph);
}

int fuse_lowlevel_notify_inval_inode(struct fuse_session *se, fuse_ino_t ino,
				     off_t off, off_t len)
{
	struct fuse_notify_inval_inode_out o;
	struct iovec iov[2];

	if (!se)
		return -EINVAL;
	if (se->conn.proto_minor < 12)
		return -ENOSYS;
	o.ino = ino;
	o.off = off;
	o.len = len;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	return send_notify(se, FUSE_NOTIFY_INVAL_INODE, iov, 2);
}

static int inval_entry(struct fuse_session *se, fuse_ino_t parent,
		       const char *name, size_t namelen, uint32_t flags)
{
	struct fuse_notify_inval_entry_out o;
	struct iovec iov[4];

	if (!se)
		return -EINVAL;
	if (se->conn.proto_minor < 12)
		return -ENOSYS;
	memset(&o, 0, sizeof(o));
	o.parent = parent;
	o.namelen = (uint32_t)namelen;
	o.flags = flags;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	iov[2].iov_base = (void *)name;
	iov[2].iov_len = namelen;
	iov[3].iov_base = "";
	iov[3].iov_len = 1;
	return send_notify(se, FUSE_NOTIFY_INVAL_ENTRY, iov, 4);
}

int fuse_lowlevel_notify_inval_entry(struct fuse_session *se, fuse_ino_t parent,
				     const char *name, size_t namelen)
{
	return inval_entry(se, parent, name, namelen, 0);
}

#if FUSED_SOVERSION >= 4
/* 3.17 dropped the flags: expiring is all it does.  Binaries built for
 * 3.14's API still pass FUSE_LL_EXPIRE_ONLY, the only flag there was, in
 * a register this function ignores. */
int fuse_lowlevel_notify_expire_entry(struct fuse_session *se,
				      fuse_ino_t parent, const char *name,
				      size_t namelen)
{
	const unsigned flags = FUSE_LL_EXPIRE_ONLY;
#else
int fuse_lowlevel_notify_expire_entry(struct fuse_session *se,
				      fuse_ino_t parent, const char *name,
				      size_t namelen,
				      enum fuse_expire_flags flags)
{
#endif
	uint32_t wire = 0;

	if (!se)
		return -EINVAL;
	/* Expiring without invalidating needs the kernel's 7.38 support. */
	if (flags & FUSE_LL_EXPIRE_ONLY) {
		if (!(se->conn.capable & FUSE_CAP_EXPIRE_ONLY))
			return -ENOSYS;
		wire |= FUSE_EXPIRE_ONLY;
	}
	return inval_entry(se, parent, name, namelen, wire);
}

#if FUSED_SOVERSION >= 4
int fuse_lowlevel_notify_increment_epoch(struct fuse_session *se)
{
	struct iovec iov[1];

	if (!se)
		return -EINVAL;
	/* 7.44; an older kernel answers the write with ENOSYS itself, but
	 * asking only those that can know it saves them the guess */
	if (se->conn.proto_minor < 44)
		return -ENOSYS;
	return send_notify(se, FUSE_LL_NOTIFY_INC_EPOCH, iov, 1);
}
#endif

int fuse_lowlevel_notify_delete(struct fuse_session *se, fuse_ino_t parent,
				fuse_ino_t child, const char *name,
				size_t namelen)
{
	struct fuse_notify_delete_out o;
	struct iovec iov[4];

	if (!se)
		return -EINVAL;
	if (se->conn.proto_minor < 18)
		return -ENOSYS;
	memset(&o, 0, sizeof(o));
	o.parent = parent;
	o.child = child;
	o.namelen = (uint32_t)namelen;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	iov[2].iov_base = (void *)name;
	iov[2].iov_len = namelen;
	iov[3].iov_base = "";
	iov[3].iov_len = 1;
	return send_notify(se, FUSE_NOTIFY_DELETE, iov, 4);
}

int fuse_lowlevel_notify_store(struct fuse_session *se, fuse_ino_t ino,
			       off_t offset, struct fuse_bufvec *bufv,
			       enum fuse_buf_copy_flags flags)
{
	struct fuse_notify_store_out o;
	struct fuse_bufvec mem;
	struct iovec iov[3];
	size_t size;
	ssize_t got;
	void *data;
	int r;

	if (!se)
		return -EINVAL;
	if (se->conn.proto_minor < 15)
		return -ENOSYS;
	size = fuse_buf_size(bufv);
	data = malloc(size ? size : 1);
	if (!data)
		return -ENOMEM;
	mem = (struct fuse_bufvec)FUSE_BUFVEC_INIT(size);
	mem.buf[0].mem = data;
	got = fuse_buf_copy(&mem, bufv, flags);
	if (got < 0) {
		free(data);
		return (int)got;
	}
	memset(&o, 0, sizeof(o));
	o.nodeid = ino;
	o.offset = (uint64_t)offset;
	o.size = (uint32_t)got;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	iov[2].iov_base = data;
	iov[2].iov_len = (size_t)got;
	r = send_notify(se, FUSE_NOTIFY_STORE, iov, 3);
	free(data);
	return r;
}

int fuse_lowlevel_notify_retrieve(struct fuse_session *se, fuse_ino_t ino,
				  size_t size, off_t offset, void *cookie)
{
	struct fuse_notify_retrieve_out o;
	struct fuse_retrieve_wait *w, **pp;
	struct iovec iov[2];
	int r;

	if (!se)
		return -EINVAL;
	if (se->conn.proto_minor < 15)
		return -ENOSYS;
	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cookie = cookie;
	pthread_mutex_lock(&se->lock);
	w->unique = se->notify_ctr++;
	w->next = se->retrieves;
	se->retrieves = w;
	pthread_mutex_unlock(&se->lock);

	memset(&o, 0, sizeof(o));
	o.notify_unique = w->unique;
	o.nodeid = ino;
	o.offset = (uint64_t)offset;
	o.size = (uint32_t)size;
	iov[1].iov_base = &o;
	iov[1].iov_len = sizeof(o);
	r = send_notify(se, FUSE_NOTIFY_RETRIEVE, iov, 2);
	if (r < 0) {
		pthread_mutex_lock(&se->lock);
		for (pp = &se->retrieves; *pp; pp = &(*pp)->next) {
			if (*pp == w) {
				*pp = w->next;
				break;
			}
		}
		pthread_mutex_unlock(&se->lock);
		free(w);
	}
	return r;
}

bool fuse_notify_take_retrieve(struct fuse_session *se, uint64_t unique,
			       void **cookie)
{
	struct fuse_retrieve_wait *w = NULL, **pp;

	pthread_mutex_lock(&se->lock);
	for (pp = &se->retrieves; *pp; pp = &(*pp)->next) {
		if ((*pp)->unique == unique) {
			w = *pp;
			*pp = w->next;
			break;
		}
	}
	pthread_mutex_unlock(&se->lock);
	if (!w)
		return false;
	*cookie = w->cookie;
	free(w);
	return true;
}

void fuse_notify_free_all(struct fuse_session *se)
{
	while (se->retrieves) {
		struct fuse_retrieve_wait *w = se->retrieves;

		se->retrieves = w->next;
		free(w);
	}
}

void fuse_lowlevel_version(void)
{
	printf("using FUSE kernel interface version %i.%i\n",
	       FUSE_KERNEL_VERSION, FUSE_KERNEL_MINOR_VERSION);
}

void fuse_lowlevel_help(void)
{
	/* The options fuse_session_new() understands, its own and the
	 * mount options it hands to the mount code. */
	printf(
"    -o allow_other         let every user access the filesystem\n"
"    -o allow_root          let root access the filesystem, too\n"
"    -o auto_unmount        unmount when the filesystem process ends\n");
}
