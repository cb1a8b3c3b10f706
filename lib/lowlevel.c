// SPDX-License-Identifier: LGPL-2.1-or-later
/* The low-level operations table
 *
 * ll_ops[] maps each opcode to a do_*() that turns the validated wire
 * arguments into the fuse_lowlevel_ops call, or gives the documented
 * default answer when the filesystem left the member NULL.  proto_decode()
 * has checked every size and name before we get here. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fuse_i.h"
#include "fuse_log.h"
#include "proto.h"

typedef void (*do_fn)(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p);

#define OPS(req) (&(req)->se->op)
#define MINOR(req) ((req)->se->conn.proto_minor)

/* ---- entries and attributes ---- */

static void do_lookup(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	if (OPS(req)->lookup)
		OPS(req)->lookup(req, nodeid, p->name);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_forget(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	const struct fuse_forget_in *arg = p->arg;

	if (OPS(req)->forget)
		OPS(req)->forget(req, nodeid, arg->nlookup);
	else
		fuse_reply_none(req);
}

static void do_batch_forget(fuse_req_t req, fuse_ino_t nodeid,
			    const struct proto_req *p)
{
	const struct fuse_batch_forget_in *arg = p->arg;
	const struct fuse_forget_one *one = p->data;
	struct fuse_session *se = req->se;

	/* fuse_forget_data and fuse_forget_one are the same two u64s. */
	if (se->op.forget_multi) {
		se->op.forget_multi(req, arg->count,
				    (struct fuse_forget_data *)one);
		return;
	}
	if (se->op.forget) {
		/* One request object per forget: the op replies (none) to
		 * each. */
		for (uint32_t i = 0; i < arg->count; i++) {
			struct fuse_req *each = fuse_req_new(se, req->ch);

			if (!each)
				break;
			each->unique = req->unique;
			each->ctx = req->ctx;
			se->op.forget(each, one[i].nodeid, one[i].nlookup);
		}
	}
	fuse_reply_none(req);
}

static void do_getattr(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	struct fuse_file_info fi, *fip = NULL;

	if (MINOR(req) >= 9) {
		const struct fuse_getattr_in *arg = p->arg;

		if (arg->getattr_flags & FUSE_GETATTR_FH) {
			memset(&fi, 0, sizeof(fi));
			fi.fh = arg->fh;
			fip = &fi;
		}
	}
	if (OPS(req)->getattr)
		OPS(req)->getattr(req, nodeid, fip);
	else
		fuse_reply_err(req, ENOSYS);
}

/* The FATTR_* bits that have the same value as a FUSE_SET_ATTR_* one
 * (FATTR_KILL_SUIDGID is FUSE_SET_ATTR_KILL_SUID). */
#define SETATTR_PASSED (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | \
	FUSE_SET_ATTR_GID | FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | \
	FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | \
	FUSE_SET_ATTR_MTIME_NOW | FUSE_SET_ATTR_CTIME | FATTR_KILL_SUIDGID)

static void do_setattr(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	const struct fuse_setattr_in *arg = p->arg;
	struct fuse_file_info fi, *fip = NULL;
	struct stat st;

	if (!OPS(req)->setattr) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&st, 0, sizeof(st));
	st.st_mode = arg->mode;
	st.st_uid = arg->uid;
	st.st_gid = arg->gid;
	st.st_size = (off_t)arg->size;
	st.st_atim.tv_sec = (time_t)arg->atime;
	st.st_atim.tv_nsec = arg->atimensec;
	st.st_mtim.tv_sec = (time_t)arg->mtime;
	st.st_mtim.tv_nsec = arg->mtimensec;
	st.st_ctim.tv_sec = (time_t)arg->ctime;
	st.st_ctim.tv_nsec = arg->ctimensec;
	if (arg->valid & FATTR_FH) {
		memset(&fi, 0, sizeof(fi));
		fi.fh = arg->fh;
		if (arg->valid & FATTR_LOCKOWNER)
			fi.lock_owner = arg->lock_owner;
		fip = &fi;
	}
	OPS(req)->setattr(req, nodeid, &st, (int)(arg->valid & SETATTR_PASSED),
			  fip);
}

static void do_readlink(fuse_req_t req, fuse_ino_t nodeid,
			const struct proto_req *p)
{
	if (OPS(req)->readlink)
		OPS(req)->readlink(req, nodeid);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_mknod(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_mknod_in *arg = p->arg;

	if (MINOR(req) >= 12)
		req->ctx.umask = arg->umask;
	if (OPS(req)->mknod)
		OPS(req)->mknod(req, nodeid, p->name, arg->mode, arg->rdev);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_mkdir(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_mkdir_in *arg = p->arg;

	if (MINOR(req) >= 12)
		req->ctx.umask = arg->umask;
	if (OPS(req)->mkdir)
		OPS(req)->mkdir(req, nodeid, p->name, arg->mode);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_unlink(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	if (OPS(req)->unlink)
		OPS(req)->unlink(req, nodeid, p->name);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_rmdir(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	if (OPS(req)->rmdir)
		OPS(req)->rmdir(req, nodeid, p->name);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_symlink(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	/* The entry name comes first, then the link target. */
	if (OPS(req)->symlink)
		OPS(req)->symlink(req, p->name2, nodeid, p->name);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_rename(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	const struct fuse_rename_in *arg = p->arg;

	if (OPS(req)->rename)
		OPS(req)->rename(req, nodeid, p->name, arg->newdir, p->name2, 0);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_rename2(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	const struct fuse_rename2_in *arg = p->arg;

	if (OPS(req)->rename)
		OPS(req)->rename(req, nodeid, p->name, arg->newdir, p->name2,
				 arg->flags);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_link(fuse_req_t req, fuse_ino_t nodeid,
		    const struct proto_req *p)
{
	const struct fuse_link_in *arg = p->arg;

	if (OPS(req)->link)
		OPS(req)->link(req, arg->oldnodeid, nodeid, p->name);
	else
		fuse_reply_err(req, ENOSYS);
}

/* ---- files ---- */

static void do_open(fuse_req_t req, fuse_ino_t nodeid,
		    const struct proto_req *p)
{
	const struct fuse_open_in *arg = p->arg;
	struct fuse_file_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.flags = (int)arg->flags;
	if (OPS(req)->open)
		OPS(req)->open(req, nodeid, &fi);
	else if (req->se->conn.want & FUSE_CAP_NO_OPEN_SUPPORT)
		fuse_reply_err(req, ENOSYS);
	else
		fuse_reply_open(req, &fi);
}

static void read_fi(fuse_req_t req, const struct fuse_read_in *arg,
		    struct fuse_file_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->fh = arg->fh;
	if (MINOR(req) >= 9) {
		fi->lock_owner = arg->lock_owner;
		fi->flags = (int)arg->flags;
	}
}

static void do_read(fuse_req_t req, fuse_ino_t nodeid,
		    const struct proto_req *p)
{
	const struct fuse_read_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->read) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	read_fi(req, arg, &fi);
	OPS(req)->read(req, nodeid, arg->size, (off_t)arg->offset, &fi);
}

/* A WRITE whose data is still in the splice pipe. */
static void write_spliced(fuse_req_t req, fuse_ino_t nodeid,
			  const struct proto_req *p, off_t off,
			  struct fuse_file_info *fi)
{
	struct fuse_bufvec bufv = {
		.count = 1,
		.buf[0] = {
			.size = p->datalen,
			.flags = FUSE_BUF_IS_FD,
			.fd = p->data_fd,
		},
	};
	char *mem;

	if (OPS(req)->write_buf) {
		OPS(req)->write_buf(req, nodeid, &bufv, off, fi);
		/* fuse_buf_copy moves idx past what it copied. */
		if (bufv.idx == bufv.count)
			fuse_ll_splice_consumed();
		return;
	}
	if (!OPS(req)->write) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	mem = fuse_ll_scratch(p->datalen);
	if (!mem) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t done = 0; done < p->datalen;) {
		ssize_t n = read(p->data_fd, mem + done, p->datalen - done);

		if (n <= 0) {
			fuse_reply_err(req, EIO);
			return;
		}
		done += (size_t)n;
	}
	fuse_ll_splice_consumed();
	OPS(req)->write(req, nodeid, mem, p->datalen, off, fi);
}

static void do_write(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_write_in *arg = p->arg;
	struct fuse_file_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	fi.writepage = (arg->write_flags & FUSE_WRITE_CACHE) != 0;
	if (MINOR(req) >= 9) {
		fi.lock_owner = arg->lock_owner;
		fi.flags = (int)arg->flags;
	}
	if (p->data_fd >= 0) {
		write_spliced(req, nodeid, p, (off_t)arg->offset, &fi);
	} else if (OPS(req)->write_buf) {
		struct fuse_bufvec bufv = {
			.count = 1,
			.buf[0] = {
				.size = p->datalen,
				.mem = (void *)p->data,
				.fd = -1,
			},
		};

		OPS(req)->write_buf(req, nodeid, &bufv, (off_t)arg->offset, &fi);
	} else if (OPS(req)->write) {
		OPS(req)->write(req, nodeid, p->data, p->datalen,
				(off_t)arg->offset, &fi);
	} else {
		fuse_reply_err(req, ENOSYS);
	}
}

static void do_flush(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_flush_in *arg = p->arg;
	struct fuse_file_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	fi.flush = 1;
	fi.lock_owner = arg->lock_owner;
	if (OPS(req)->flush)
		OPS(req)->flush(req, nodeid, &fi);
	else
		fuse_reply_err(req, ENOSYS);
}

static void release_fi(const struct fuse_release_in *arg,
		       struct fuse_file_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->flags = (int)arg->flags;
	fi->fh = arg->fh;
	fi->flush = (arg->release_flags & FUSE_RELEASE_FLUSH) != 0;
	fi->lock_owner = arg->lock_owner;
	if (arg->release_flags & FUSE_RELEASE_FLOCK_UNLOCK)
		fi->flock_release = 1;
}

static void do_release(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	struct fuse_file_info fi;

	release_fi(p->arg, &fi);
	if (OPS(req)->release)
		OPS(req)->release(req, nodeid, &fi);
	else
		fuse_reply_err(req, 0);
}

static void do_fsync(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_fsync_in *arg = p->arg;
	struct fuse_file_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	if (OPS(req)->fsync)
		OPS(req)->fsync(req, nodeid, arg->fsync_flags & FUSE_FSYNC_FDATASYNC,
				&fi);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_statfs(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	if (OPS(req)->statfs) {
		OPS(req)->statfs(req, nodeid);
	} else {
		struct statvfs buf = { .f_namemax = 255, .f_bsize = 512 };

		fuse_reply_statfs(req, &buf);
	}
}

/* ---- directories ---- */

static void do_opendir(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	const struct fuse_open_in *arg = p->arg;
	struct fuse_file_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.flags = (int)arg->flags;
	if (OPS(req)->opendir)
		OPS(req)->opendir(req, nodeid, &fi);
	else if (req->se->conn.want & FUSE_CAP_NO_OPENDIR_SUPPORT)
		fuse_reply_err(req, ENOSYS);
	else
		fuse_reply_open(req, &fi);
}

static void do_readdir(fuse_req_t req, fuse_ino_t nodeid,
		       const struct proto_req *p)
{
	const struct fuse_read_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->readdir) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	read_fi(req, arg, &fi);
	OPS(req)->readdir(req, nodeid, arg->size, (off_t)arg->offset, &fi);
}

static void do_readdirplus(fuse_req_t req, fuse_ino_t nodeid,
			   const struct proto_req *p)
{
	const struct fuse_read_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->readdirplus) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	read_fi(req, arg, &fi);
	OPS(req)->readdirplus(req, nodeid, arg->size, (off_t)arg->offset, &fi);
}

static void do_releasedir(fuse_req_t req, fuse_ino_t nodeid,
			  const struct proto_req *p)
{
	struct fuse_file_info fi;

	release_fi(p->arg, &fi);
	if (OPS(req)->releasedir)
		OPS(req)->releasedir(req, nodeid, &fi);
	else
		fuse_reply_err(req, 0);
}

static void do_fsyncdir(fuse_req_t req, fuse_ino_t nodeid,
			const struct proto_req *p)
{
	const struct fuse_fsync_in *arg = p->arg;
	struct fuse_file_info fi;

	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	if (OPS(req)->fsyncdir)
		OPS(req)->fsyncdir(req, nodeid,
				   arg->fsync_flags & FUSE_FSYNC_FDATASYNC, &fi);
	else
		fuse_reply_err(req, ENOSYS);
}

/* ---- extended attributes ---- */

static void do_setxattr(fuse_req_t req, fuse_ino_t nodeid,
			const struct proto_req *p)
{
	const struct fuse_setxattr_in *arg = p->arg;

	if (OPS(req)->setxattr)
		OPS(req)->setxattr(req, nodeid, p->name, p->data, arg->size,
				   (int)arg->flags);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_getxattr(fuse_req_t req, fuse_ino_t nodeid,
			const struct proto_req *p)
{
	const struct fuse_getxattr_in *arg = p->arg;

	/* size 0 asks for the value's size (fuse_reply_xattr). */
	if (OPS(req)->getxattr)
		OPS(req)->getxattr(req, nodeid, p->name, arg->size);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_listxattr(fuse_req_t req, fuse_ino_t nodeid,
			 const struct proto_req *p)
{
	const struct fuse_getxattr_in *arg = p->arg;

	if (OPS(req)->listxattr)
		OPS(req)->listxattr(req, nodeid, arg->size);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_removexattr(fuse_req_t req, fuse_ino_t nodeid,
			   const struct proto_req *p)
{
	if (OPS(req)->removexattr)
		OPS(req)->removexattr(req, nodeid, p->name);
	else
		fuse_reply_err(req, ENOSYS);
}

/* ---- locks ---- */

static void lock_to_flock(const struct fuse_file_lock *lk, struct flock *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->l_type = (short)lk->type;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)lk->start;
	/* The kernel's end is inclusive, OFFSET_MAX meaning "to EOF". */
	if (lk->end == (uint64_t)INT64_MAX)
		fl->l_len = 0;
	else
		fl->l_len = (off_t)(lk->end - lk->start + 1);
	fl->l_pid = (pid_t)lk->pid;
}

static void do_getlk(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_lk_in *arg = p->arg;
	struct fuse_file_info fi;
	struct flock fl;

	if (!OPS(req)->getlk) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	fi.lock_owner = arg->owner;
	lock_to_flock(&arg->lk, &fl);
	OPS(req)->getlk(req, nodeid, &fi, &fl);
}

static void setlk_common(fuse_req_t req, fuse_ino_t nodeid,
			 const struct proto_req *p, int sleep)
{
	const struct fuse_lk_in *arg = p->arg;
	struct fuse_file_info fi;
	struct flock fl;

	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	fi.lock_owner = arg->owner;

	if (arg->lk_flags & FUSE_LK_FLOCK) {
		int op;

		if (!OPS(req)->flock) {
			fuse_reply_err(req, ENOSYS);
			return;
		}
		switch (arg->lk.type) {
		case F_RDLCK: op = LOCK_SH; break;
		case F_WRLCK: op = LOCK_EX; break;
		case F_UNLCK: op = LOCK_UN; break;
		default:
			fuse_reply_err(req, EINVAL);
			return;
		}
		if (!sleep)
			op |= LOCK_NB;
		OPS(req)->flock(req, nodeid, &fi, op);
		return;
	}
	if (!OPS(req)->setlk) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	lock_to_flock(&arg->lk, &fl);
	OPS(req)->setlk(req, nodeid, &fi, &fl, sleep);
}

static void do_setlk(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	setlk_common(req, nodeid, p, 0);
}

static void do_setlkw(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	setlk_common(req, nodeid, p, 1);
}

/* ---- the rest ---- */

static void do_access(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	const struct fuse_access_in *arg = p->arg;

	if (OPS(req)->access)
		OPS(req)->access(req, nodeid, (int)arg->mask);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_create(fuse_req_t req, fuse_ino_t nodeid,
		      const struct proto_req *p)
{
	const struct fuse_create_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->create) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&fi, 0, sizeof(fi));
	fi.flags = (int)arg->flags;
	if (MINOR(req) >= 12)
		req->ctx.umask = arg->umask;
	OPS(req)->create(req, nodeid, p->name, arg->mode, &fi);
}

static void do_bmap(fuse_req_t req, fuse_ino_t nodeid,
		    const struct proto_req *p)
{
	const struct fuse_bmap_in *arg = p->arg;

	if (OPS(req)->bmap)
		OPS(req)->bmap(req, nodeid, arg->blocksize, arg->block);
	else
		fuse_reply_err(req, ENOSYS);
}

static void do_ioctl(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_ioctl_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->ioctl) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	if ((arg->flags & FUSE_IOCTL_DIR) &&
	    !(req->se->conn.want & FUSE_CAP_IOCTL_DIR)) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	req->ioctl_64bit = sizeof(void *) == 8 || (MINOR(req) >= 16 &&
				!(arg->flags & FUSE_IOCTL_32BIT));
	OPS(req)->ioctl(req, nodeid, arg->cmd, (void *)(uintptr_t)arg->arg, &fi,
			arg->flags, arg->in_size ? p->data : NULL,
			arg->in_size, arg->out_size);
}

static void do_poll(fuse_req_t req, fuse_ino_t nodeid,
		    const struct proto_req *p)
{
	const struct fuse_poll_in *arg = p->arg;
	struct fuse_pollhandle *ph = NULL;
	struct fuse_file_info fi;

	if (!OPS(req)->poll) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	fi.poll_events = arg->events;
	if (arg->flags & FUSE_POLL_SCHEDULE_NOTIFY) {
		ph = malloc(sizeof(*ph));
		if (!ph) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		ph->kh = arg->kh;
		ph->se = req->se;
	}
	OPS(req)->poll(req, nodeid, &fi, ph);
}

static void do_notify_reply(fuse_req_t req, fuse_ino_t nodeid,
			    const struct proto_req *p)
{
	const struct fuse_notify_retrieve_in *arg = p->arg;
	void *cookie;

	if (!fuse_notify_take_retrieve(req->se, req->unique, &cookie) ||
	    !OPS(req)->retrieve_reply) {
		fuse_reply_none(req);
		return;
	}
	struct fuse_bufvec bufv = {
		.count = 1,
		.buf[0] = {
			.size = p->datalen,
			.mem = (void *)p->data,
			.fd = -1,
		},
	};
	OPS(req)->retrieve_reply(req, cookie, nodeid, (off_t)arg->offset, &bufv);
}

static void do_fallocate(fuse_req_t req, fuse_ino_t nodeid,
			 const struct proto_req *p)
{
	const struct fuse_fallocate_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->fallocate) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	OPS(req)->fallocate(req, nodeid, (int)arg->mode, (off_t)arg->offset,
			    (off_t)arg->length, &fi);
}

static void do_lseek(fuse_req_t req, fuse_ino_t nodeid,
		     const struct proto_req *p)
{
	const struct fuse_lseek_in *arg = p->arg;
	struct fuse_file_info fi;

	if (!OPS(req)->lseek) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&fi, 0, sizeof(fi));
	fi.fh = arg->fh;
	OPS(req)->lseek(req, nodeid, (off_t)arg->offset, (int)arg->whence, &fi);
}

static void do_copy_file_range(fuse_req_t req, fuse_ino_t nodeid,
			       const struct proto_req *p)
{
	const struct fuse_copy_file_range_in *arg = p->arg;
	struct fuse_file_info fi_in, fi_out;

	if (!OPS(req)->copy_file_range) {
		fuse_reply_err(req, ENOSYS);
		return;
	}
	memset(&fi_in, 0, sizeof(fi_in));
	memset(&fi_out, 0, sizeof(fi_out));
	fi_in.fh = arg->fh_in;
	fi_out.fh = arg->fh_out;
	OPS(req)->copy_file_range(req, nodeid, (off_t)arg->off_in, &fi_in,
				  arg->nodeid_out, (off_t)arg->off_out, &fi_out,
				  arg->len, (int)arg->flags);
}

static const do_fn ll_ops[] = {
	[FUSE_LOOKUP] = do_lookup,
	[FUSE_FORGET] = do_forget,
	[FUSE_GETATTR] = do_getattr,
	[FUSE_SETATTR] = do_setattr,
	[FUSE_READLINK] = do_readlink,
	[FUSE_SYMLINK] = do_symlink,
	[FUSE_MKNOD] = do_mknod,
	[FUSE_MKDIR] = do_mkdir,
	[FUSE_UNLINK] = do_unlink,
	[FUSE_RMDIR] = do_rmdir,
	[FUSE_RENAME] = do_rename,
	[FUSE_LINK] = do_link,
	[FUSE_OPEN] = do_open,
	[FUSE_READ] = do_read,
	[FUSE_WRITE] = do_write,
	[FUSE_STATFS] = do_statfs,
	[FUSE_RELEASE] = do_release,
	[FUSE_FSYNC] = do_fsync,
	[FUSE_SETXATTR] = do_setxattr,
	[FUSE_GETXATTR] = do_getxattr,
	[FUSE_LISTXATTR] = do_listxattr,
	[FUSE_REMOVEXATTR] = do_removexattr,
	[FUSE_FLUSH] = do_flush,
	[FUSE_INIT] = fuse_ll_do_init,
	[FUSE_OPENDIR] = do_opendir,
	[FUSE_READDIR] = do_readdir,
	[FUSE_RELEASEDIR] = do_releasedir,
	[FUSE_FSYNCDIR] = do_fsyncdir,
	[FUSE_GETLK] = do_getlk,
	[FUSE_SETLK] = do_setlk,
	[FUSE_SETLKW] = do_setlkw,
	[FUSE_ACCESS] = do_access,
	[FUSE_CREATE] = do_create,
	[FUSE_BMAP] = do_bmap,
	[FUSE_DESTROY] = fuse_ll_do_destroy,
	[FUSE_IOCTL] = do_ioctl,
	[FUSE_POLL] = do_poll,
	[FUSE_NOTIFY_REPLY] = do_notify_reply,
	[FUSE_BATCH_FORGET] = do_batch_forget,
	[FUSE_FALLOCATE] = do_fallocate,
	[FUSE_READDIRPLUS] = do_readdirplus,
	[FUSE_RENAME2] = do_rename2,
	[FUSE_LSEEK] = do_lseek,
	[FUSE_COPY_FILE_RANGE] = do_copy_file_range,
};

void fuse_ll_dispatch(struct fuse_req *req, const struct proto_req *p)
{
	uint32_t opcode = p->in->opcode;

	/* Far above the table; process() lets it through only as the first
	 * request of a CUSE session. */
	if (opcode == CUSE_INIT) {
		fuse_cuse_do_init(req, p);
		return;
	}
	if (opcode < sizeof(ll_ops) / sizeof(ll_ops[0]) && ll_ops[opcode])
		ll_ops[opcode](req, p->in->nodeid, p);
	else
		fuse_reply_err(req, ENOSYS);
}
