/* Symbol versioning helpers for libfuse3.so.3.  The version nodes and their
 * members are in fuse_versionscript; a function with several ABI variants is
 * defined once per variant and each definition is bound to its node here. */
#pragma once

/* "name@NODE" is a compat variant old binaries resolve to; "name@@NODE" is
 * the default that new links pick. */
#define FUSE_SYMVER(ver) __attribute__((symver(ver)))
