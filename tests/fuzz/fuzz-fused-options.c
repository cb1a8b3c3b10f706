// SPDX-License-Identifier: GPL-2.0-or-later
/* fused's option string (fused/options.c): what any local user sends in
 * Manager.Mount, parsed as root.  Besides memory safety, the result must be
 * stable: the normalized string polkit rules and ListMounts see parses back
 * to the very same options, else a rule could be shown something other
 * than what is mounted. */
#include <errno.h>
#include <string.h>

#include "fused.h"
#include "fuzz-util.h"

static bool same_options(const MountOptions *a, const MountOptions *b) {
        return a->ro == b->ro && a->sync == b->sync && a->dirsync == b->dirsync &&
               a->lazytime == b->lazytime && a->noexec == b->noexec && a->nodiratime == b->nodiratime &&
               a->suid == b->suid && a->dev == b->dev && a->blkdev == b->blkdev &&
               a->allow_other == b->allow_other && a->allow_root == b->allow_root &&
               a->default_permissions == b->default_permissions && a->auto_unmount == b->auto_unmount &&
               a->atime == b->atime && a->max_read == b->max_read && a->blksize == b->blksize &&
               !a->fsname == !b->fsname && (!a->fsname || strcmp(a->fsname, b->fsname) == 0) &&
               !a->subtype == !b->subtype && (!a->subtype || strcmp(a->subtype, b->subtype) == 0) &&
               strcmp(a->normalized, b->normalized) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _fuzz_free_ char *s = fuzz_cstr(data, size);
        _fuzz_free_ char *bad = NULL;
        MountOptions o, again;
        OptionsError err, err2;
        int r;

        r = options_parse(s, &o, &err, &bad);
        if (r < 0) {
                FUZZ_CHECK(r == -EINVAL || r == -EPERM || r == -E2BIG || r == -ENOMEM);
                FUZZ_CHECK(err != OPTIONS_OK || r == -ENOMEM);
                FUZZ_CHECK(options_error_string(err) != NULL);
                return 0;
        }
        FUZZ_CHECK(err == OPTIONS_OK && !bad);
        FUZZ_CHECK(o.normalized && strlen(options_source(&o)) > 0);
        /* options_unsafe/need_allow_other are what polkit is asked about:
         * they must agree with the flags they summarize. */
        FUZZ_CHECK(options_unsafe(&o) == (o.suid || o.dev || o.blkdev));
        FUZZ_CHECK(options_need_allow_other(&o) == (o.allow_other || o.allow_root));
        FUZZ_CHECK(!o.fsname || strlen(o.fsname) <= FUSED_NAME_MAX);
        FUZZ_CHECK(!o.subtype || strlen(o.subtype) <= FUSED_NAME_MAX);

        r = options_parse(o.normalized, &again, &err2, NULL);
        FUZZ_CHECK(r == 0);
        FUZZ_CHECK(same_options(&o, &again));
        options_done(&again);
        options_done(&o);
        FUZZ_CHECK(!o.fsname && !o.subtype && !o.normalized);
        return 0;
}
