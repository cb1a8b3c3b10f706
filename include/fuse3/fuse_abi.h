/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuse_abi.h: which libfuse ABI the other fuse3 headers describe.
 *
 * This library is built twice from the same sources:
 *
 *   libfuse3.so.4  FUSED_SOVERSION 4 (the default): libfuse 3.18's API
 *                  and ABI; FUSE_USE_VERSION 30..318.  pkg-config fuse3
 *                  links it.
 *   libfuse3.so.3  FUSED_SOVERSION 3: libfuse 3.14's, struct layouts and
 *                  all, for the binaries built against it;
 *                  FUSE_USE_VERSION 30..314.
 *
 * The two differ in struct layouts (fuse_file_info, fuse_buf,
 * fuse_config, fuse_custom_io, the ops tables) and in how fuse_new(),
 * fuse_main() and fuse_session_new() reach the library, so a program
 * must be built with the FUSED_SOVERSION of the library it links. */
#ifndef FUSE_ABI_H_
#define FUSE_ABI_H_

#ifndef FUSED_SOVERSION
#define FUSED_SOVERSION 4
#endif

#if FUSED_SOVERSION == 4
#define FUSE_MAJOR_VERSION 3
#define FUSE_MINOR_VERSION 18
#define FUSE_HOTFIX_VERSION 2
#elif FUSED_SOVERSION == 3
#define FUSE_MAJOR_VERSION 3
#define FUSE_MINOR_VERSION 14
#else
#error "FUSED_SOVERSION must be 3 (libfuse3.so.3) or 4 (libfuse3.so.4)"
#endif

/* Here, before the checks below: programs may define FUSE_USE_VERSION
 * as FUSE_MAKE_VERSION(3, 18). */
#define FUSE_MAKE_VERSION(maj, min) ((maj) * 100 + (min))

#if !defined(FUSE_USE_VERSION) || FUSE_USE_VERSION < 30
#error "define FUSE_USE_VERSION to 30 or more before including a fuse3 header"
#endif
#if FUSED_SOVERSION == 3 && FUSE_USE_VERSION > 314
#error "libfuse3.so.3 has the API up to FUSE_USE_VERSION 314; newer needs FUSED_SOVERSION 4"
#endif

#endif /* FUSE_ABI_H_ */
