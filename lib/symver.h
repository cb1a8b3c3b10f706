/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Symbol versioning helpers for libfuse3.so.3.  The version nodes and their
 * members are in fuse_versionscript; a function with several ABI variants is
 * defined once per variant and each definition is bound to its node here. */
#pragma once

/* FUSE_SYMVER(impl, "name@NODE"), after impl's prototype: impl is the
 * compat variant "name@NODE" old binaries resolve to; "name@@NODE" is the
 * default that new links pick.  gcc's symver attribute (safe under LTO),
 * carried by a redeclaration; the assembler's .symver where the compiler
 * lacks it (clang before 16: tools/run-tests' tsan stage). */
#if defined(__has_attribute) && __has_attribute(symver)
#define FUSE_SYMVER(impl, ver) extern __typeof__(impl) impl __attribute__((symver(ver)))
#else
#define FUSE_SYMVER(impl, ver) __asm__(".symver " #impl ", " ver)
#endif
