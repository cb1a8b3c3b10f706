// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test of conf.c: fuse.conf's two settings, comments, and malformed
 * lines reported and ignored, never fatal; an edit seen at once although
 * the file is only read again when it changed. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fused.h"
#include "test-helpers.h"

static unsigned warnings;
static void warn(unsigned line, const char *text, void *userdata) {
        warnings++;
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

/* Files as fuse.conf is edited: in place with the same size, in the same
 * clock tick as the last read; replaced by rename; removed; back again. */
static void test_edits(void) {
        char dir[] = "/tmp/test-conf.XXXXXX", path[64], tmp[64];
        FuseConf c;

        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/fuse.conf", dir);
        snprintf(tmp, sizeof tmp, "%s/fuse.conf.new", dir);

        write_file(path, "mount_max = 1\n");
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 1);
        write_file(path, "mount_max = 2\n");
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 2);
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 2);

        /* A file quiet for long enough is kept; an edit of it, even with
         * the same size and its old mtime put back, is still seen (ctime). */
        struct timespec old[2] = { { .tv_sec = time(NULL) - 60 }, { .tv_sec = time(NULL) - 60 } };
        warnings = 0;
        write_file(path, "mount_max = 3\nbad line\n");
        CHECK(utimensat(AT_FDCWD, path, old, 0) == 0);
        struct timespec wait = { .tv_sec = 1, .tv_nsec = 50 * 1000 * 1000 };
        nanosleep(&wait, NULL);
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 3 && warnings == 1);
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 3);
        CHECK(warnings == 1);   /* kept: parsed (and warned about) once */
        write_file(path, "mount_max = 4\nbad line\n");
        CHECK(utimensat(AT_FDCWD, path, old, 0) == 0);
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 4);

        write_file(tmp, "mount_max = 5\nuser_allow_other\n");
        CHECK(rename(tmp, path) == 0);
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 5 && c.user_allow_other);

        CHECK(unlink(path) == 0);
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == FUSED_MOUNT_MAX_DEFAULT &&
              !c.user_allow_other);
        write_file(path, "mount_max = 6\n");
        CHECK(conf_get(path, &c, warn, NULL) == 0 && c.mount_max == 6);

        unlink(path);
        rmdir(dir);
}

int main(void) {
        FuseConf c;

        conf_parse(NULL, &c, warn, NULL);
        CHECK(c.mount_max == FUSED_MOUNT_MAX_DEFAULT && !c.user_allow_other);

        warnings = 0;
        conf_parse("# comment\n\n  user_allow_other  \nmount_max = 5\n", &c, warn, NULL);
        CHECK(c.user_allow_other && c.mount_max == 5 && warnings == 0);

        conf_parse("mount_max=7", &c, warn, NULL);
        CHECK(c.mount_max == 7 && warnings == 0);
        conf_parse("mount_max = 7 # trailing comment", &c, warn, NULL);
        CHECK(c.mount_max == 7 && warnings == 0);

        /* Malformed: each one warned about, the rest still applies. */
        warnings = 0;
        conf_parse("mount_max = abc\nuser_allow_otherx\nmount_max\nmount_max = 99999999999\n"
                   "garbage line\nmount_max = 3\n", &c, warn, NULL);
        CHECK(warnings == 5);
        CHECK(c.mount_max == 3 && !c.user_allow_other);

        /* A very long line is a warning, not a crash. */
        char *big = malloc(5000);
        memset(big, 'x', 4999);
        big[4999] = 0;
        warnings = 0;
        conf_parse(big, &c, warn, NULL);
        CHECK(warnings == 1 && c.mount_max == FUSED_MOUNT_MAX_DEFAULT);
        free(big);

        /* A missing file means the defaults. */
        CHECK(conf_load("/nonexistent/fuse.conf", &c, warn, NULL) == 0);
        CHECK(c.mount_max == FUSED_MOUNT_MAX_DEFAULT);

        test_edits();
        return TEST_EXIT();
}
