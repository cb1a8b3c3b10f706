/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session harness's parts: fuzz-lib-session.c plays the kernel,
 * fuzz-lib-session-fs.c the file system that answers,
 * fuzz-lib-session-check.c judges the replies. */
#pragma once

#include <stdint.h>

#include <linux/fuse.h>

#include "fuse_lowlevel.h"

/* What the file system asks for at INIT, from the input's header. */
struct fuzz_fs_init {
        uint64_t want;          /* ANDed with what the kernel offers */
        unsigned max_write, max_readahead, max_background;
        unsigned congestion_threshold, time_gran;
};
extern struct fuzz_fs_init fuzz_fs_init;

/* Answers every request, reading all it is given.  The _buf variant
 * takes WRITEs through write_buf (and so reads spliced data itself). */
extern const struct fuse_lowlevel_ops fuzz_fs_ops;
extern const struct fuse_lowlevel_ops fuzz_fs_buf_ops;
/* The same as a CUSE device's operations. */
struct cuse_lowlevel_ops;
extern const struct cuse_lowlevel_ops fuzz_cuse_ops;

/* Opens the file READs are answered from; once per process. */
void fuzz_fs_setup(void);
/* A READ of a file handle that is 3 mod 4 is held, for INTERRUPTs to
 * find; this answers it (also at the end of each input). */
void fuzz_fs_release_held(void);

/* The transport (lib/test-transport.c's), noting a reply it could not
 * write: then nothing can be said about the replies owed. */
extern const struct fuse_custom_io fuzz_check_io;
/* A new input: nothing owed. */
void fuzz_check_begin(void);
/* The session read this request: it owes a reply (or none). */
void fuzz_check_read(const struct fuse_in_header *in);
/* The messages written since the last call: well-formed frames, each
 * reply to a request read.  Empties the transport's record. */
void fuzz_check_replies(void);
/* The input is over: every reply owed was given, once. */
void fuzz_check_end(void);
