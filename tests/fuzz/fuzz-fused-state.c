// SPDX-License-Identifier: GPL-2.0-or-later
/* fused's mount records (fused/state.c: record_serialize, record_parse),
 * the files under the state directory a restarted fused believes about who
 * owns which mount.  Their strings are the callers' (mountpoint, fsname,
 * subtype, options, bus name), so no string may be written in a way that
 * reads back as another key or another value: a record must parse back to
 * itself, and text that parses must serialize to the same record again.
 *
 * Input: mountpoint, fsname, subtype, options, sender, NUL-separated, then
 * after a fifth NUL a record's text. */
#include <errno.h>
#include <string.h>

#include "fused.h"
#include "fuzz-util.h"

static bool same_str(const char *a, const char *b) {
        bool same = !a == !b && (!a || strcmp(a, b) == 0);

        if (!same)
                fprintf(stderr, "wrote \"%s\", read back \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
        return same;
}

/* A string the record lacks is written empty; only subtype reads back
 * as none again. */
static const char *or_empty(const char *s) {
        return s ? s : "";
}

static void check_same(const MountRecord *a, const MountRecord *b) {
        FUZZ_CHECK(a->id == b->id && same_str(a->mountpoint, b->mountpoint));
        FUZZ_CHECK(same_str(or_empty(a->fsname), b->fsname) && same_str(or_empty(a->options), b->options));
        FUZZ_CHECK(same_str(or_empty(a->sender), b->sender));
        FUZZ_CHECK(same_str(a->subtype && *a->subtype ? a->subtype : NULL, b->subtype));
        FUZZ_CHECK(a->owner == b->owner && a->pid == b->pid && a->created_usec == b->created_usec);
        FUZZ_CHECK(a->auto_unmount == b->auto_unmount && a->mnt_id == b->mnt_id);
        FUZZ_CHECK(a->mnt_id_unique == b->mnt_id_unique && a->ns_id == b->ns_id);
        FUZZ_CHECK(a->ns_dev == b->ns_dev && a->ns_ino == b->ns_ino);
}

/* m written and read back. */
static void round_trip(const MountRecord *m) {
        _fuzz_free_ char *text = NULL;
        MountRecord *back = record_new();

        FUZZ_CHECK(back && record_serialize(m, &text) == 0);
        FUZZ_CHECK(record_parse(text, back) == 0);
        check_same(m, back);
        record_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        FuzzArgv v;

        fuzz_argv_split(data, size, NULL, &v);
        /* The caller's strings, as fused records a mount it made. */
        const char *f[5] = { "/mnt", "fuse", NULL, "rw", ":1.1" };
        for (int i = 0; i < 5 && i < v.argc; i++)
                f[i] = v.argv[i];
        MountRecord *m = record_new_packed(size + 1, f[0], f[1], f[2], f[3], f[4]);
        FUZZ_CHECK(m);
        m->owner = (uid_t) size * 1000;
        m->pid = (pid_t) -1;
        m->created_usec = UINT64_MAX;
        m->auto_unmount = size & 1;
        m->mnt_id = m->mnt_id_unique = m->ns_id = (uint64_t) size << 40;
        round_trip(m);
        record_free(m);

        /* Text from the state directory. */
        if (v.argc > 5) {
                MountRecord *r = record_new();
                FUZZ_CHECK(r);
                int k = record_parse(v.argv[5], r);
                if (k == 0) {
                        FUZZ_CHECK(r->id > 0 && r->mountpoint);
                        round_trip(r);
                } else
                        FUZZ_CHECK(k == -EBADMSG || k == -ENOMEM);
                record_free(r);
        }
        fuzz_argv_done(&v);
        return 0;
}
