// SPDX-License-Identifier: LGPL-2.1-or-later
/* FUSE request decoding
 *
 * One table row per opcode: its name, the size of its fixed argument
 * struct, how many NUL-terminated names follow it and which payload rule
 * applies.  proto_decode() applies the row; everything after it trusts the
 * pointers it returns and never does its own arithmetic on the buffer. */
#include <string.h>

#include "proto.h"

enum payload {
	PL_NONE = 0,
	PL_WRITE,       /* fuse_write_in.size bytes */
	PL_SETXATTR,    /* fuse_setxattr_in.size bytes after the name */
	PL_IOCTL,       /* fuse_ioctl_in.in_size bytes */
	PL_RETRIEVE,    /* fuse_notify_retrieve_in.size bytes */
	PL_FORGETS,     /* fuse_batch_forget_in.count fuse_forget_one */
};

struct opdesc {
	const char *name;
	uint16_t argsize;       /* at the current protocol */
	uint8_t nnames;
	uint8_t payload;
};

#define OP(code, nm, size, names, pl) \
	[code] = { .name = nm, .argsize = size, .nnames = names, .payload = pl }

static const struct opdesc ops[] = {
	OP(FUSE_LOOKUP, "LOOKUP", 0, 1, PL_NONE),
	OP(FUSE_FORGET, "FORGET", sizeof(struct fuse_forget_in), 0, PL_NONE),
	OP(FUSE_GETATTR, "GETATTR", sizeof(struct fuse_getattr_in), 0, PL_NONE),
	OP(FUSE_SETATTR, "SETATTR", sizeof(struct fuse_setattr_in), 0, PL_NONE),
	OP(FUSE_READLINK, "READLINK", 0, 0, PL_NONE),
	OP(FUSE_SYMLINK, "SYMLINK", 0, 2, PL_NONE),
	OP(FUSE_MKNOD, "MKNOD", sizeof(struct fuse_mknod_in), 1, PL_NONE),
	OP(FUSE_MKDIR, "MKDIR", sizeof(struct fuse_mkdir_in), 1, PL_NONE),
	OP(FUSE_UNLINK, "UNLINK", 0, 1, PL_NONE),
	OP(FUSE_RMDIR, "RMDIR", 0, 1, PL_NONE),
	OP(FUSE_RENAME, "RENAME", sizeof(struct fuse_rename_in), 2, PL_NONE),
	OP(FUSE_LINK, "LINK", sizeof(struct fuse_link_in), 1, PL_NONE),
	OP(FUSE_OPEN, "OPEN", sizeof(struct fuse_open_in), 0, PL_NONE),
	OP(FUSE_READ, "READ", sizeof(struct fuse_read_in), 0, PL_NONE),
	OP(FUSE_WRITE, "WRITE", sizeof(struct fuse_write_in), 0, PL_WRITE),
	OP(FUSE_STATFS, "STATFS", 0, 0, PL_NONE),
	OP(FUSE_RELEASE, "RELEASE", sizeof(struct fuse_release_in), 0, PL_NONE),
	OP(FUSE_FSYNC, "FSYNC", sizeof(struct fuse_fsync_in), 0, PL_NONE),
	OP(FUSE_SETXATTR, "SETXATTR", sizeof(struct fuse_setxattr_in), 1, PL_SETXATTR),
	OP(FUSE_GETXATTR, "GETXATTR", sizeof(struct fuse_getxattr_in), 1, PL_NONE),
	OP(FUSE_LISTXATTR, "LISTXATTR", sizeof(struct fuse_getxattr_in), 0, PL_NONE),
	OP(FUSE_REMOVEXATTR, "REMOVEXATTR", 0, 1, PL_NONE),
	OP(FUSE_FLUSH, "FLUSH", sizeof(struct fuse_flush_in), 0, PL_NONE),
	/* Kernels before 7.36 send only the first four fields. */
	OP(FUSE_INIT, "INIT", 4 * sizeof(uint32_t), 0, PL_NONE),
	OP(FUSE_OPENDIR, "OPENDIR", sizeof(struct fuse_open_in), 0, PL_NONE),
	OP(FUSE_READDIR, "READDIR", sizeof(struct fuse_read_in), 0, PL_NONE),
	OP(FUSE_RELEASEDIR, "RELEASEDIR", sizeof(struct fuse_release_in), 0, PL_NONE),
	OP(FUSE_FSYNCDIR, "FSYNCDIR", sizeof(struct fuse_fsync_in), 0, PL_NONE),
	OP(FUSE_GETLK, "GETLK", sizeof(struct fuse_lk_in), 0, PL_NONE),
	OP(FUSE_SETLK, "SETLK", sizeof(struct fuse_lk_in), 0, PL_NONE),
	OP(FUSE_SETLKW, "SETLKW", sizeof(struct fuse_lk_in), 0, PL_NONE),
	OP(FUSE_ACCESS, "ACCESS", sizeof(struct fuse_access_in), 0, PL_NONE),
	OP(FUSE_CREATE, "CREATE", sizeof(struct fuse_create_in), 1, PL_NONE),
	OP(FUSE_INTERRUPT, "INTERRUPT", sizeof(struct fuse_interrupt_in), 0, PL_NONE),
	OP(FUSE_BMAP, "BMAP", sizeof(struct fuse_bmap_in), 0, PL_NONE),
	OP(FUSE_DESTROY, "DESTROY", 0, 0, PL_NONE),
	OP(FUSE_IOCTL, "IOCTL", sizeof(struct fuse_ioctl_in), 0, PL_IOCTL),
	OP(FUSE_POLL, "POLL", sizeof(struct fuse_poll_in), 0, PL_NONE),
	OP(FUSE_NOTIFY_REPLY, "NOTIFY_REPLY", sizeof(struct fuse_notify_retrieve_in), 0, PL_RETRIEVE),
	OP(FUSE_BATCH_FORGET, "BATCH_FORGET", sizeof(struct fuse_batch_forget_in), 0, PL_FORGETS),
	OP(FUSE_FALLOCATE, "FALLOCATE", sizeof(struct fuse_fallocate_in), 0, PL_NONE),
	OP(FUSE_READDIRPLUS, "READDIRPLUS", sizeof(struct fuse_read_in), 0, PL_NONE),
	OP(FUSE_RENAME2, "RENAME2", sizeof(struct fuse_rename2_in), 2, PL_NONE),
	OP(FUSE_LSEEK, "LSEEK", sizeof(struct fuse_lseek_in), 0, PL_NONE),
	OP(FUSE_COPY_FILE_RANGE, "COPY_FILE_RANGE", sizeof(struct fuse_copy_file_range_in), 0, PL_NONE),
	/* Known to the kernel, without a fuse_lowlevel_ops member in the
	 * libfuse 3.14 API: decoded for their names, answered ENOSYS. */
	OP(FUSE_SETUPMAPPING, "SETUPMAPPING", sizeof(struct fuse_setupmapping_in), 0, PL_NONE),
	OP(FUSE_REMOVEMAPPING, "REMOVEMAPPING", sizeof(struct fuse_removemapping_in), 0, PL_NONE),
	OP(FUSE_SYNCFS, "SYNCFS", sizeof(struct fuse_syncfs_in), 0, PL_NONE),
	OP(FUSE_TMPFILE, "TMPFILE", sizeof(struct fuse_create_in), 1, PL_NONE),
};

#define N_OPS (sizeof(ops) / sizeof(ops[0]))

/* CUSE's INIT, 4096: outside the table, which it would make sparse. */
static const struct opdesc cuse_init_op =
	{ .name = "CUSE_INIT", .argsize = sizeof(struct cuse_init_in) };

static const struct opdesc *opdesc(uint32_t opcode)
{
	if (opcode == CUSE_INIT)
		return &cuse_init_op;
	if (opcode >= N_OPS || !ops[opcode].name)
		return NULL;
	return &ops[opcode];
}

const char *proto_opname(uint32_t opcode)
{
	const struct opdesc *d = opdesc(opcode);

	if (d)
		return d->name;
	return "UNKNOWN";
}

const char *proto_strerror(enum proto_err err)
{
	switch (err) {
	case PROTO_OK: return "ok";
	case PROTO_SHORT_HEADER: return "shorter than a request header";
	case PROTO_LEN_MISMATCH: return "length field differs from the bytes read";
	case PROTO_UNKNOWN_OPCODE: return "unknown opcode";
	case PROTO_SHORT_BODY: return "body too short for the opcode";
	case PROTO_BAD_NAME: return "name not terminated inside the request";
	case PROTO_BAD_PAYLOAD: return "payload length exceeds the request";
	}
	return "?";
}

/* Older protocol minors have smaller argument structs for a few opcodes. */
static size_t argsize(uint32_t opcode, const struct opdesc *d, unsigned minor,
		      int setxattr_ext)
{
	switch (opcode) {
	case FUSE_GETATTR:
		return minor && minor < 9 ? 0 : d->argsize;
	case FUSE_READ:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS:
	case FUSE_WRITE:
		return minor && minor < 9 ? FUSE_COMPAT_WRITE_IN_SIZE : d->argsize;
	case FUSE_MKNOD:
		return minor && minor < 12 ? FUSE_COMPAT_MKNOD_IN_SIZE : d->argsize;
	case FUSE_CREATE:
		return minor && minor < 12 ? sizeof(struct fuse_open_in) : d->argsize;
	case FUSE_SETXATTR:
		return setxattr_ext ? d->argsize : FUSE_COMPAT_SETXATTR_IN_SIZE;
	default:
		return d->argsize;
	}
}

enum proto_err proto_decode(const void *buf, size_t len, unsigned minor,
			    int setxattr_ext, struct proto_req *r)
{
	const char *p = buf;
	const struct fuse_in_header *in;
	const struct opdesc *d;
	size_t fixed, rest, n;
	const char *cur;

	memset(r, 0, sizeof(*r));
	r->data_fd = -1;
	if (len < sizeof(struct fuse_in_header))
		return PROTO_SHORT_HEADER;
	in = buf;
	r->in = in;
	if (in->len != len)
		return PROTO_LEN_MISMATCH;

	d = opdesc(in->opcode);
	if (!d)
		return PROTO_UNKNOWN_OPCODE;

	rest = len - sizeof(*in);
	fixed = argsize(in->opcode, d, minor, setxattr_ext);
	if (rest < fixed)
		return PROTO_SHORT_BODY;
	r->arg = rest ? p + sizeof(*in) : NULL;
	r->arglen = rest;

	cur = p + sizeof(*in) + fixed;
	rest -= fixed;
	for (unsigned i = 0; i < d->nnames; i++) {
		const char *nul = memchr(cur, '\0', rest);

		if (!nul)
			return PROTO_BAD_NAME;
		if (i == 0)
			r->name = cur;
		else
			r->name2 = cur;
		n = (size_t)(nul - cur) + 1;
		cur += n;
		rest -= n;
	}

	/* The payload follows the fixed part and the names; its length comes
	 * from a field in the fixed part, checked against what is left. */
	switch (d->payload) {
	case PL_NONE:
		return PROTO_OK;
	case PL_WRITE:
		n = ((const struct fuse_write_in *)r->arg)->size;
		break;
	case PL_SETXATTR:
		n = ((const struct fuse_setxattr_in *)r->arg)->size;
		break;
	case PL_IOCTL:
		n = ((const struct fuse_ioctl_in *)r->arg)->in_size;
		break;
	case PL_RETRIEVE:
		n = ((const struct fuse_notify_retrieve_in *)r->arg)->size;
		break;
	case PL_FORGETS: {
		uint64_t cnt = ((const struct fuse_batch_forget_in *)r->arg)->count;

		if (cnt > rest / sizeof(struct fuse_forget_one))
			return PROTO_BAD_PAYLOAD;
		n = (size_t)cnt * sizeof(struct fuse_forget_one);
		break;
	}
	default:
		return PROTO_OK;
	}
	if (n > rest)
		return PROTO_BAD_PAYLOAD;
	/* Never NULL, even when empty: write(…, buf, 0) and friends get a
	 * valid pointer. */
	r->data = cur;
	r->datalen = n;
	return PROTO_OK;
}

enum proto_err proto_decode_write_head(const void *buf, size_t headlen,
				       size_t total, unsigned minor,
				       int data_fd, struct proto_req *r)
{
	const struct fuse_in_header *in = buf;
	const struct fuse_write_in *arg;
	const size_t fixed = sizeof(*in) + sizeof(*arg);

	memset(r, 0, sizeof(*r));
	r->data_fd = -1;
	if (headlen < sizeof(*in))
		return PROTO_SHORT_HEADER;
	r->in = in;
	if (in->len != total || total < headlen)
		return PROTO_LEN_MISMATCH;
	/* The caller only splits WRITEs of the current layout. */
	if (in->opcode != FUSE_WRITE || (minor && minor < 9) || headlen != fixed)
		return PROTO_SHORT_BODY;
	arg = (const void *)((const char *)buf + sizeof(*in));
	if (arg->size != total - fixed)
		return PROTO_BAD_PAYLOAD;
	r->arg = arg;
	r->arglen = total - sizeof(*in);
	r->datalen = arg->size;
	r->data_fd = data_fd;
	return PROTO_OK;
}

size_t proto_init_out_size(unsigned minor)
{
	if (minor < 5)
		return FUSE_COMPAT_INIT_OUT_SIZE;
	if (minor < 23)
		return FUSE_COMPAT_22_INIT_OUT_SIZE;
	return sizeof(struct fuse_init_out);
}
