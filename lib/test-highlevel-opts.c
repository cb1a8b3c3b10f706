// SPDX-License-Identifier: LGPL-2.1-or-later
/* The high-level library's own options as libfuse 3.14 reads them (public
 * API only, no mount): uid=/gid= take a negative number as %d does
 * (uid=-1 is (uid_t)-1), garbage is refused, and nullpath_ok is not a
 * command-line option (a filesystem that copes without paths says so in
 * init(); 3.14 refuses it as unknown, and turning it on for a filesystem
 * that does not cope crashes that filesystem). */
#include <errno.h>
#include <fuse.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "test-util.h"

static int getattr_stub(const char *path, struct stat *st, struct fuse_file_info *fi) {
        (void) path; (void) st; (void) fi;
        return -ENOENT;
}

static const struct fuse_operations ops = { .getattr = getattr_stub };

/* Does fuse_new() take "-o OPT"? */
static bool accepted(const char *opt) {
        char *argv[] = { (char *) "prog", (char *) "-o", (char *) opt, NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);
        struct fuse *f = fuse_new(&args, &ops, sizeof ops, NULL);
        bool ok = f != NULL;

        if (f)
                fuse_destroy(f);
        fuse_opt_free_args(&args);
        return ok;
}

int main(void) {
        CHECK(accepted("uid=1000"));
        CHECK(accepted("uid=-1"));
        CHECK(accepted("gid=-1"));
        CHECK(accepted("uid=4294967295"));
        CHECK(!accepted("uid=-"));
        CHECK(!accepted("uid=-x"));
        CHECK(!accepted("uid=4294967296"));
        CHECK(!accepted("uid=-2147483649"));
        CHECK(!accepted("nullpath_ok"));
        return failures ? 1 : 0;
}
