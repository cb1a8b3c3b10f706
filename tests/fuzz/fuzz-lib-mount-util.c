// SPDX-License-Identifier: GPL-2.0-or-later
/* The library's mount helpers (lib/mount-util.c): mountinfo read line by
 * line with getline (mnt_info_find, _find_id) and with read(2) into a
 * fixed buffer (mnt_top_id_at_fd, which the auto_unmount watcher runs in a
 * forked child), option strings split and joined, fsname and subtype
 * checks.  The two mountinfo readers must agree on which mount is on top.
 *
 * Input: a flags byte (bit 0: put an 8200-byte line without newline in
 * front, past mnt_top_id_at_fd's buffer), the mountpoint to look for, a
 * NUL, then the text (mountinfo, also used as an option string). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "mount-util.h"

#define LONG_LINE 8200

/* One memfd for the whole run, refilled for each input. */
static int text_fd(const char *text, size_t len) {
        static int fd = -1;

        if (fd < 0)
                fd = memfd_create("mountinfo", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(ftruncate(fd, 0) == 0);
        FUZZ_CHECK(pwrite(fd, text, len, 0) == (ssize_t) len);
        FUZZ_CHECK(lseek(fd, 0, SEEK_SET) == 0);
        return fd;
}

static int find_with_getline(const char *text, size_t len, const char *mountpoint) {
        FILE *f = fmemopen((void *) text, len, "r");
        _mnt_free_ char *line = NULL;
        struct mnt_info info;

        FUZZ_CHECK(f);
        int r = mnt_info_find(f, mountpoint, &line, &info);
        fclose(f);
        if (r < 0)
                return r;
        FUZZ_CHECK(line && strcmp(info.mountpoint, mountpoint) == 0);
        FUZZ_CHECK(info.mnt_id >= 0 && info.parent_id >= 0);
        return info.mnt_id;
}

static void by_id(const char *text, size_t len, int id) {
        FILE *f = fmemopen((void *) text, len, "r");
        _mnt_free_ char *line = NULL;
        struct mnt_info info;

        FUZZ_CHECK(f);
        if (mnt_info_find_id(f, id, &line, &info) == 0)
                FUZZ_CHECK(info.mnt_id == id && line);
        fclose(f);
}

/* Split, joined escaped, split again: the same options. */
static void options(const char *s) {
        _mnt_free_ char *joined = NULL;
        const char *p = s;
        char *o;
        int n = 0, r;

        while ((r = mnt_opts_next(&p, &o)) > 0) {
                FUZZ_CHECK(strlen(o) <= strlen(s));
                FUZZ_CHECK(mnt_opts_append(&joined, o, true) == 0);
                (void) mnt_opt_is(o, "allow_other");
                free(o);
                n++;
        }
        FUZZ_CHECK(r == 0 && *p == 0);
        p = joined ? joined : "";
        for (const char *q = s; (r = mnt_opts_next(&q, &o)) > 0; n--) {
                char *o2;
                FUZZ_CHECK(mnt_opts_next(&p, &o2) == 1);
                FUZZ_CHECK(strcmp(o, o2) == 0);
                free(o);
                free(o2);
        }
        FUZZ_CHECK(n == 0 && mnt_opts_next(&p, &o) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        bool pad = data[0] & 1;
        data++;
        size--;
        const uint8_t *nul = memchr(data, 0, size);
        size_t mlen = nul ? (size_t) (nul - data) : size;
        _fuzz_free_ char *mountpoint = fuzz_cstr(data, mlen);
        const uint8_t *t = nul ? nul + 1 : data + size;
        size_t tlen = (size_t) (data + size - t);

        /* The text up to a NUL, as the kernel writes mountinfo (never one). */
        _fuzz_free_ char *text = fuzz_cstr(t, tlen);
        tlen = strlen(text);
        _fuzz_free_ char *padded = NULL;
        if (pad) {
                padded = malloc(LONG_LINE + tlen + 1);
                FUZZ_CHECK(padded);
                memset(padded, 'x', LONG_LINE);
                memcpy(padded + LONG_LINE, text, tlen + 1);
        }
        const char *mi = pad ? padded : text;
        size_t milen = pad ? LONG_LINE + tlen : tlen;

        int top = mnt_top_id_at_fd(text_fd(mi, milen), mountpoint);
        int found = find_with_getline(mi, milen, mountpoint);
        FUZZ_CHECK(top >= 0 || top == -ENOENT);
        /* A line longer than the buffer is skipped by one reader only; the
         * padding makes just the first line so, and it never parses. */
        if (top != found)
                fprintf(stderr, "read(2) reader: %d, getline reader: %d\n", top, found);
        FUZZ_CHECK(top == found);
        if (found >= 0)
                by_id(mi, milen, found);

        options(text);

        _mnt_free_ char *sane = NULL;
        int r = mnt_fsname_sanitize(text, &sane);
        if (r == 0) {
                FUZZ_CHECK(*sane && strlen(sane) <= 255);
                for (const unsigned char *c = (const unsigned char *) sane; *c; c++)
                        FUZZ_CHECK(*c >= 0x20 && *c != 0x7f);
        } else
                FUZZ_CHECK(r == -EINVAL && !*text);
        if (mnt_subtype_valid(mountpoint))
                FUZZ_CHECK(strlen(mountpoint) >= 1 && strlen(mountpoint) <= 64 && !strchr(mountpoint, '/'));
        (void) mnt_fstype_is_fuse(mountpoint);
        int dfd = mnt_parse_dev_fd(mountpoint);
        FUZZ_CHECK(dfd == -EINVAL || (dfd >= 0 && strncmp(mountpoint, "/dev/fd/", 8) == 0));
        return 0;
}
