// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test of state.c: a mount record survives the trip through its state
 * file, including awkward mountpoints, and packing into one allocation. */
#include <fcntl.h>
#include <string.h>

#include "fused.h"
#include "test-helpers.h"

int main(void) {
        MountRecord *m = record_new(), *back = record_new();
        char *text = NULL;

        m->id = 42;
        m->mountpoint = strdup("/home/u/with\nnewline and \\backslash=eq");
        m->fsname = strdup("sshfs#x");
        m->subtype = strdup("sshfs");
        m->options = strdup("rw,nosuid,nodev,fsname=a\\,b");
        m->sender = strdup(":1.42");
        m->owner = 61000;
        m->pid = 1234;
        m->created_usec = 1700000000000000ULL;
        m->auto_unmount = true;
        m->mnt_id = 77;
        m->mnt_id_unique = 2147483700ULL;
        m->ns_id = 9;
        m->ns_dev = 4;
        m->ns_ino = 4026531841ULL;

        CHECK(record_serialize(m, &text) == 0);
        CHECK(record_parse(text, back) == 0);
        CHECK(back->id == 42 && strcmp(back->mountpoint, m->mountpoint) == 0);
        CHECK(strcmp(back->fsname, "sshfs#x") == 0 && strcmp(back->subtype, "sshfs") == 0);
        CHECK(strcmp(back->options, m->options) == 0 && strcmp(back->sender, ":1.42") == 0);
        CHECK(back->owner == 61000 && back->pid == 1234 && back->created_usec == m->created_usec);
        CHECK(back->auto_unmount && back->mnt_id == 77 && back->mnt_id_unique == m->mnt_id_unique);
        CHECK(back->ns_id == 9 && back->ns_dev == 4 && back->ns_ino == m->ns_ino);
        free(text);

        /* No id or no mountpoint: not a record. */
        MountRecord *bad = record_new();
        CHECK(record_parse("mountpoint=/x\n", bad) < 0);
        record_free(bad);
        bad = record_new();
        CHECK(record_parse("id=3\n", bad) < 0);
        record_free(bad);

        /* An empty subtype is none. */
        MountRecord *e = record_new();
        CHECK(record_parse("id=1\nmountpoint=/m\nsubtype=\n", e) == 0 && e->subtype == NULL);
        record_free(e);

        /* Packed: the same strings, the object path from the id, the
         * scalars and the fds carried over. */
        back->ns_fd = dup(0);
        int fd = back->ns_fd;
        MountRecord *p = record_pack(back);
        back = NULL;
        CHECK(p && p->packed && p->id == 42 && strcmp(p->object_path, FUSED_MOUNT_PATH_PREFIX "/42") == 0);
        CHECK(strcmp(p->mountpoint, m->mountpoint) == 0 && strcmp(p->fsname, "sshfs#x") == 0);
        CHECK(strcmp(p->subtype, "sshfs") == 0 && strcmp(p->options, m->options) == 0);
        CHECK(strcmp(p->sender, ":1.42") == 0 && p->owner == 61000 && p->ns_ino == m->ns_ino);
        CHECK(p->auto_unmount && p->ns_fd == fd && !p->next);
        CHECK(fcntl(fd, F_GETFD) >= 0);
        record_free(p);
        CHECK(fcntl(fd, F_GETFD) < 0);
        p = record_new_packed(7, "/m", "fuse", NULL, "rw", ":1.1");
        CHECK(p && p->subtype == NULL && strcmp(p->sender, ":1.1") == 0 && p->ns_fd == -1);
        CHECK(strcmp(p->object_path, FUSED_MOUNT_PATH_PREFIX "/7") == 0);
        record_free(p);

        record_free(m);
        return TEST_EXIT();
}
