/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-memory transport of the session tests (test-proto, test-cuse)
 *
 * fuse_session_custom_io(se, &test_io, fd) gives a session a read() that
 * hands out the one request the test put in with tio_feed() and a
 * writev() that keeps every message the library answered, in order, in
 * tio.out, so a test plays the kernel's side with no kernel. */
#pragma once

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "fuse_lowlevel.h"

#define TIO_MAX_MSGS 8

struct test_transport {
	const void *req;	/* the next request, handed out once */
	size_t reqlen;
	int pending;
	/* The answers, back to back, each starting 8-aligned: the tests
	 * read them through struct pointers (fuse_out_header has a u64). */
	alignas(uint64_t) unsigned char out[1 << 16];
	size_t outlen;
	size_t msg_off[TIO_MAX_MSGS];	/* where each answer starts */
	int nmsgs;
};

extern struct test_transport tio;
extern const struct fuse_custom_io test_io;

/* req (len bytes) is what the session reads next; the answers so far
 * are forgotten. */
void tio_feed(const void *req, size_t len);
