/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FUSE request decoding
 *
 * Pure functions over a byte buffer: no I/O, no logging, no allocation.
 * proto_decode() checks a request completely (header, per-opcode body
 * size, names, payload lengths) so that the code after it reads only
 * inside the buffer. */
#pragma once

#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>

/* A validated request: pointers into the caller's buffer. */
struct proto_req {
	const struct fuse_in_header *in;
	const void *arg;        /* the fixed-size argument struct, or NULL */
	size_t arglen;          /* bytes from arg to the end of the request */
	const char *name;       /* first NUL-terminated string, or NULL */
	const char *name2;      /* second one (RENAME, SYMLINK target) */
	const void *data;       /* payload: WRITE data, xattr value, ioctl
				 * input, NOTIFY_REPLY data, forget list */
	size_t datalen;
	int data_fd;            /* >= 0: a WRITE's data waits in this pipe
				 * instead (data is NULL) */
};

/* Why proto_decode refused a request (for the log line). */
enum proto_err {
	PROTO_OK = 0,
	PROTO_SHORT_HEADER,     /* fewer bytes than a fuse_in_header */
	PROTO_LEN_MISMATCH,     /* header len differs from what was read */
	PROTO_UNKNOWN_OPCODE,   /* answer ENOSYS */
	PROTO_SHORT_BODY,       /* body shorter than the opcode's argument */
	PROTO_BAD_NAME,         /* a name does not end inside the request */
	PROTO_BAD_PAYLOAD,      /* a payload length points past the end */
};

/* Decode buf[0..len).  minor is the negotiated protocol minor (0 before
 * INIT), which decides the size of a few argument structs; setxattr_ext
 * says whether FUSE_SETXATTR_EXT was negotiated.  On PROTO_OK, *r is
 * filled.  On PROTO_LEN_MISMATCH and later errors r->in is valid (the
 * unique can be answered); on PROTO_SHORT_HEADER it is NULL. */
enum proto_err proto_decode(const void *buf, size_t len, unsigned minor,
			    int setxattr_ext, struct proto_req *r);

/* A WRITE received by splice: buf holds its first headlen bytes (the
 * header and fuse_write_in), the data (total - headlen bytes) waits in
 * data_fd.  Checks the same as proto_decode for a WRITE. */
enum proto_err proto_decode_write_head(const void *buf, size_t headlen,
				       size_t total, unsigned minor,
				       int data_fd, struct proto_req *r);

/* "LOOKUP", ...; "UNKNOWN" for an opcode we do not know. */
const char *proto_opname(uint32_t opcode);

/* A short description of err for a log line. */
const char *proto_strerror(enum proto_err err);

/* The size of a fuse_init_out to send to a kernel of this minor. */
size_t proto_init_out_size(unsigned minor);
