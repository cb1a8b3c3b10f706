// SPDX-License-Identifier: LGPL-2.1-or-later
/* The 64-bit capability flags of libfuse 3.17+ (libfuse3.so.4 only)
 *
 * struct fuse_conn_info carries the capabilities twice: the 32-bit
 * capable/want of 3.14 and the 64-bit capable_ext/want_ext of 3.17.  The
 * setters here keep the low half of want_ext and want equal, so a file
 * system may use either; one that writes the fields itself is reconciled
 * after its init callback (conn_want_reconcile()). */
#include <errno.h>

#include "fuse_i.h"

#define LOW32 UINT64_C(0xffffffff)

static void sync_want(struct fuse_conn_info *conn)
{
	conn->want = (uint32_t)(conn->want_ext & LOW32);
}

bool fuse_set_feature_flag(struct fuse_conn_info *conn, uint64_t flag)
{
	if (!conn || (conn->capable_ext & flag) != flag)
		return false;
	conn->want_ext |= flag;
	sync_want(conn);
	return true;
}

void fuse_unset_feature_flag(struct fuse_conn_info *conn, uint64_t flag)
{
	if (!conn)
		return;
	conn->want_ext &= ~flag;
	sync_want(conn);
}

bool fuse_get_feature_flag(struct fuse_conn_info *conn, uint64_t flag)
{
	return conn && (conn->want_ext & flag) == flag && flag != 0;
}

/* Without knowing what the fields held before: where the two disagree,
 * the 32-bit want is taken as the newer word, since only code written
 * for the 3.14 API writes it without the setters. */
int fuse_convert_to_conn_want_ext(struct fuse_conn_info *conn)
{
	if (!conn)
		return -EINVAL;
	if ((conn->want_ext & LOW32) != conn->want)
		conn->want_ext = (conn->want_ext & ~LOW32) | conn->want;
	return 0;
}

/* Bit by bit: a bit changed in one word takes that word's value, so the
 * library's own 32-bit edits (fuse_apply_conn_info_opts, the high level)
 * mix with a program's want_ext edits; a bit changed in both to
 * different values is a contradiction. */
int conn_want_reconcile(struct fuse_conn_info *conn, uint64_t before)
{
	uint64_t want = conn->want;	/* zero-extended */
	uint64_t d_ext = conn->want_ext ^ before;
	uint64_t d_want = (want ^ before) & LOW32;

	if ((conn->want_ext ^ want) & d_ext & d_want)
		return -EINVAL;
	conn->want_ext = (conn->want_ext & d_ext) | (want & d_want) |
			 (before & ~(d_ext | d_want));
	sync_want(conn);
	return 0;
}
