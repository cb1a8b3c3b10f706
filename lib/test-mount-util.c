// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests for mount-util.c: option strings, mountinfo, name checks */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount-util.h"
#include "test-util.h"

static void test_append_and_split(void)
{
        _mnt_free_ char *s = NULL;

        CHECK(mnt_opts_append(&s, "allow_other", false) == 0);
        CHECK_STR(s, "allow_other");
        CHECK(mnt_opts_append(&s, "fsname=a,b\\c", true) == 0);
        CHECK_STR(s, "allow_other,fsname=a\\,b\\\\c");
        CHECK(mnt_opts_append(&s, "", false) == 0);
        CHECK_STR(s, "allow_other,fsname=a\\,b\\\\c,");

        /* Splitting gives back exactly what was appended, escapes removed. */
        const char *p = s;
        char *o = NULL;
        CHECK(mnt_opts_next(&p, &o) == 1);
        CHECK_STR(o, "allow_other");
        free(o);
        CHECK(mnt_opts_next(&p, &o) == 1);
        CHECK_STR(o, "fsname=a,b\\c");
        free(o);
        CHECK(mnt_opts_next(&p, &o) == 0);

        p = ",,ro,,x=1\\";
        CHECK(mnt_opts_next(&p, &o) == 1);
        CHECK_STR(o, "ro");
        free(o);
        CHECK(mnt_opts_next(&p, &o) == 1);
        CHECK_STR(o, "x=1\\");
        free(o);
        CHECK(mnt_opts_next(&p, &o) == 0);
        p = "";
        CHECK(mnt_opts_next(&p, &o) == 0);
}

static void test_opt_is(void)
{
        CHECK(mnt_opt_is("fsname=x", "fsname"));
        CHECK(mnt_opt_is("ro", "ro"));
        CHECK(!mnt_opt_is("rootmode=1", "ro"));
        CHECK(!mnt_opt_is("fsnamex=1", "fsname"));
}

static void test_kernel_data(void)
{
        _mnt_free_ char *a = NULL, *b = NULL, *c = NULL;

        CHECK(mnt_kernel_data(&a, 5, 040000, 0, 0, NULL) == 0);
        CHECK_STR(a, "fd=5,rootmode=40000,user_id=0,group_id=0");
        CHECK(mnt_kernel_data(&b, 12, 0100000, 1000, 100, "allow_other,max_read=4096") == 0);
        CHECK_STR(b, "fd=12,rootmode=100000,user_id=1000,group_id=100,allow_other,max_read=4096");
        CHECK(mnt_kernel_data(&c, 3, 040000, 1, 2, "") == 0);
        CHECK_STR(c, "fd=3,rootmode=40000,user_id=1,group_id=2");
}

static void test_names(void)
{
        CHECK(mnt_fstype_is_fuse("fuse"));
        CHECK(mnt_fstype_is_fuse("fuseblk"));
        CHECK(mnt_fstype_is_fuse("fuse.sshfs"));
        CHECK(mnt_fstype_is_fuse("fuseblk.ntfs"));
        CHECK(!mnt_fstype_is_fuse("fuse."));
        CHECK(!mnt_fstype_is_fuse("fusectl"));
        CHECK(!mnt_fstype_is_fuse("ext4"));
        CHECK(!mnt_fstype_is_fuse("fus"));

        CHECK(mnt_subtype_valid("sshfs"));
        CHECK(mnt_subtype_valid("my_fs-2.0+x"));
        CHECK(!mnt_subtype_valid(""));
        CHECK(!mnt_subtype_valid(".hidden"));
        CHECK(!mnt_subtype_valid("-o"));
        CHECK(!mnt_subtype_valid("a b"));
        CHECK(!mnt_subtype_valid("a,b"));
        CHECK(!mnt_subtype_valid("a/b"));
        char longname[70];
        memset(longname, 'a', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = '\0';
        CHECK(!mnt_subtype_valid(longname));

        _mnt_free_ char *s = NULL;
        CHECK(mnt_fsname_sanitize("host:/dir with space", &s) == 0);
        CHECK_STR(s, "host:/dir with space");
        free(s);
        s = NULL;
        CHECK(mnt_fsname_sanitize("a\nb\tc\x7f", &s) == 0);
        CHECK_STR(s, "a?b?c?");
        char *t = NULL;
        CHECK(mnt_fsname_sanitize("", &t) == -EINVAL);
        CHECK(t == NULL);
        char big[400];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        CHECK(mnt_fsname_sanitize(big, &t) == 0);
        CHECK(t && strlen(t) == 255);
        free(t);
}

static void test_mountinfo(void)
{
        char line[] = "36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - "
                      "fuse.my\\134fs src\\011x rw,user_id=0,group_id=0\n";
        struct mnt_info i;

        CHECK(mnt_info_parse_line(line, &i) == 0);
        CHECK(i.mnt_id == 36);
        CHECK(i.parent_id == 35);
        CHECK(i.major == 98 && i.minor == 0);
        CHECK_STR(i.root, "/mnt1");
        CHECK_STR(i.mountpoint, "/mnt/with space");
        CHECK_STR(i.mount_opts, "rw,noatime");
        CHECK_STR(i.fstype, "fuse.my\\fs");
        CHECK_STR(i.source, "src\tx");
        CHECK_STR(i.super_opts, "rw,user_id=0,group_id=0");

        char bad1[] = "36 35 98:0 /mnt1 /mnt rw master:1 fuse src rw\n";
        CHECK(mnt_info_parse_line(bad1, &i) == -EINVAL);
        char bad2[] = "x 35 98:0 / /mnt rw - fuse src rw\n";
        CHECK(mnt_info_parse_line(bad2, &i) == -EINVAL);
        char bad3[] = "36 35 98:0 / /mnt rw - fuse\n";
        CHECK(mnt_info_parse_line(bad3, &i) == -EINVAL);
        char bad4[] = "";
        CHECK(mnt_info_parse_line(bad4, &i) == -EINVAL);

        /* The last line for a mountpoint is the mount on top. */
        const char *text =
                "20 1 0:5 / /mnt rw - tmpfs tmpfs rw\n"
                "garbage\n"
                "21 20 0:6 / /mnt rw,nosuid - fuse.hello hello rw\n"
                "22 1 0:7 / /other rw - ext4 /dev/sda1 rw\n";
        FILE *f = fmemopen((void *)text, strlen(text), "r");
        _mnt_free_ char *found = NULL;
        CHECK(f);
        CHECK(mnt_info_find(f, "/mnt", &found, &i) == 0);
        CHECK(i.mnt_id == 21);
        CHECK_STR(i.fstype, "fuse.hello");
        rewind(f);
        char *none = NULL;
        CHECK(mnt_info_find(f, "/nowhere", &none, &i) == -ENOENT);
        CHECK(none == NULL);
        fclose(f);

        /* By id. */
        f = fmemopen((void *)text, strlen(text), "r");
        _mnt_free_ char *byid = NULL;
        CHECK(mnt_info_find_id(f, 22, &byid, &i) == 0);
        CHECK_STR(i.mountpoint, "/other");
        CHECK_STR(i.source, "/dev/sda1");
        rewind(f);
        char *noid = NULL;
        CHECK(mnt_info_find_id(f, 99, &noid, &i) == -ENOENT);
        CHECK(noid == NULL);
        fclose(f);

        /* The read(2)-only lookup, across buffer refills and past a line
         * too long for its buffer, and a last line without a newline. */
        char tmpl[] = "/tmp/test-mount-util.XXXXXX";
        int fd = mkstemp(tmpl);
        CHECK(fd >= 0);
        unlink(tmpl);
        FILE *w = fdopen(fd, "w+");
        for (int n = 0; n < 300; n++)
                fprintf(w, "%d 1 0:%d / /m%d rw - tmpfs tmpfs rw\n", 100 + n, n, n);
        fprintf(w, "500 1 0:9 / /long rw - tmpfs ");
        for (int n = 0; n < 10000; n++)
                fputc('x', w);
        fprintf(w, " rw\n");
        fprintf(w, "501 1 0:9 / /m7 rw - fuse.t t rw\n");
        fprintf(w, "502 1 0:9 / /last rw - fuse.t t rw");
        fflush(w);
        struct { const char *path; int id; } want[] = {
                { "/m0", 100 }, { "/m299", 399 }, { "/m7", 501 }, { "/long", -ENOENT },
                { "/last", 502 }, { "/nowhere", -ENOENT },
        };
        for (size_t n = 0; n < sizeof(want) / sizeof(want[0]); n++) {
                lseek(fd, 0, SEEK_SET);
                int id = mnt_top_id_at_fd(fd, want[n].path);
                if (id != want[n].id)
                        fprintf(stderr, "%s: %d, want %d\n", want[n].path, id, want[n].id);
                CHECK(id == want[n].id);
        }
        fclose(w);

        /* The real table: the mount of an fd is found by its id. */
        int rootfd = open("/", O_PATH | O_CLOEXEC);
        int rootid = mnt_fd_mnt_id(rootfd);
        CHECK(rootid >= 0);
        int mi = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
        CHECK(mnt_top_id_at_fd(mi, "/") == rootid);
        close(mi);
        close(rootfd);
        CHECK(mnt_fd_mnt_id(12345) == -ENOENT);

        /* The real table: / is mounted and is not FUSE. */
        CHECK(mnt_is_fuse_mount("/") == 0);
        CHECK(mnt_is_fuse_mount("/no/such/mount") == 0);
}

static void test_dev_fd(void)
{
        CHECK(mnt_parse_dev_fd("/dev/fd/3") == 3);
        CHECK(mnt_parse_dev_fd("/dev/fd/123") == 123);
        CHECK(mnt_parse_dev_fd("/dev/fd/") == -EINVAL);
        CHECK(mnt_parse_dev_fd("/dev/fd/3x") == -EINVAL);
        CHECK(mnt_parse_dev_fd("/dev/fd/-1") == -EINVAL);
        CHECK(mnt_parse_dev_fd("/dev/fd/99999999999") == -EINVAL);
        CHECK(mnt_parse_dev_fd("/mnt") == -EINVAL);
}

int main(void)
{
        test_append_and_split();
        test_opt_is();
        test_kernel_data();
        test_names();
        test_mountinfo();
        test_dev_fd();
        if (failures) {
                fprintf(stderr, "%d check(s) failed\n", failures);
                return 1;
        }
        printf("mount-util: all checks passed\n");
        return 0;
}
