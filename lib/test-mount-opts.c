/* Unit tests for the mount options of mount.c (fuse_mount_opts_parse) */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fuse_lowlevel.h"
#include "mount.h"
#include "test-util.h"

/* Parses argv (NULL-terminated) into *mo; returns the parse result and
 * leaves what was not consumed in *left, space-joined. */
static int parse(struct mount_opts **mo, char **left, char *argv0, ...)
{
        char *argv[32] = { argv0 };
        int argc = 1;
        va_list ap;

        va_start(ap, argv0);
        for (char *a; argc < 31 && (a = va_arg(ap, char *));)
                argv[argc++] = a;
        va_end(ap);

        struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
        *mo = NULL;
        int r = fuse_mount_opts_parse(&args, mo);
        size_t len = 1;
        for (int i = 0; i < args.argc; i++)
                len += strlen(args.argv[i]) + 1;
        *left = calloc(1, len);
        for (int i = 0; i < args.argc; i++) {
                if (i)
                        strcat(*left, " ");
                strcat(*left, args.argv[i]);
        }
        fuse_opt_free_args(&args);
        return r;
}

static void test_defaults(void)
{
        struct mount_opts *mo = NULL;

        CHECK(fuse_mount_opts_parse(NULL, &mo) == 0);
        CHECK(mo && mo->flags == (MS_NOSUID | MS_NODEV));
        CHECK(mo && !mo->allow_other && !mo->auto_unmount && !mo->fsname && !mo->subtype);
        CHECK(mo && mo->user_opts == NULL && mo->watcher_fd == -1);
        fuse_mount_opts_free(mo);
        fuse_mount_opts_free(NULL);
}

static void test_consumes_mount_options(void)
{
        struct mount_opts *mo;
        char *left;

        int r = parse(&mo, &left, "prog",
                      "-o", "allow_other,fsname=a\\,b,subtype=x,ro,noexec,max_read=4096",
                      "-d", "-r", "-oblksize=512,nonempty,foo,default_permissions",
                      "/mnt", "-o", "auto_unmount,debug,dirsync,sync,user=joe", "-n", NULL);
        CHECK(r == 0);
        if (r == 0) {
                CHECK(mo->allow_other && !mo->allow_root);
                CHECK(mo->default_permissions && mo->auto_unmount && !mo->blkdev);
                CHECK_STR(mo->fsname, "a,b");
                CHECK_STR(mo->subtype, "x");
                CHECK(mo->max_read == 4096 && mo->blksize == 512);
                CHECK(mo->flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                    MS_DIRSYNC | MS_SYNCHRONOUS));
                /* fused gets them back as given, re-escaped, -r spelled
                 * out; fsname last, as sanitized */
                CHECK_STR(mo->user_opts,
                          "allow_other,subtype=x,ro,noexec,max_read=4096,ro,"
                          "blksize=512,nonempty,default_permissions,auto_unmount,dirsync,sync,"
                          "fsname=a\\,b");
                /* everything else stays, for the session to judge */
                CHECK(strstr(left, "prog") == left);
                CHECK(strstr(left, "-d") && strstr(left, "/mnt"));
                CHECK(strstr(left, "foo") && strstr(left, "debug"));
                CHECK(!strstr(left, "allow_other") && !strstr(left, "fsname"));
                CHECK(!strstr(left, "-r") && !strstr(left, "nonempty"));
                CHECK(!strstr(left, "user=") && !strstr(left, "-n"));
        }
        free(left);
        fuse_mount_opts_free(mo);
}

static void test_flags(void)
{
        struct mount_opts *mo;
        char *left;

        CHECK(parse(&mo, &left, "p", "-o", "suid,dev,exec,ro,rw,sync,async", NULL) == 0);
        CHECK(mo && mo->flags == 0);
        CHECK_STR(left, "p");
        free(left);
        fuse_mount_opts_free(mo);

        CHECK(parse(&mo, &left, "p", "-o", "noatime,strictatime,nodiratime", NULL) == 0);
        CHECK(mo && mo->flags == (MS_NOSUID | MS_NODEV | MS_STRICTATIME | MS_NODIRATIME));
        free(left);
        fuse_mount_opts_free(mo);

        CHECK(parse(&mo, &left, "p", "-o", "relatime,noatime,diratime", NULL) == 0);
        CHECK(mo && mo->flags == (MS_NOSUID | MS_NODEV | MS_NOATIME));
        free(left);
        fuse_mount_opts_free(mo);

        CHECK(parse(&mo, &left, "p", "-o", "noatime,atime", NULL) == 0);
        CHECK(mo && mo->flags == (MS_NOSUID | MS_NODEV));
        free(left);
        fuse_mount_opts_free(mo);

        /* Both, as libfuse 3.14 takes them: allow_root holds. */
        CHECK(parse(&mo, &left, "p", "-o", "allow_other,allow_root", NULL) == 0);
        CHECK(mo && mo->allow_root && !mo->allow_other);
        free(left);
        fuse_mount_opts_free(mo);
        CHECK(parse(&mo, &left, "p", "-o", "allow_root,context=system_u:object_r:tmp_t:s0", NULL) == 0);
        CHECK(mo && mo->allow_root && !mo->allow_other);
        CHECK(mo && mo->context && strcmp(mo->context, "system_u:object_r:tmp_t:s0") == 0);
        free(left);
        fuse_mount_opts_free(mo);

        /* Later values win, as on a mount(8) command line. */
        CHECK(parse(&mo, &left, "p", "-o", "fsname=a,fsname=b,max_read=1,max_read=2", NULL) == 0);
        CHECK(mo && strcmp(mo->fsname, "b") == 0 && mo->max_read == 2);
        free(left);
        fuse_mount_opts_free(mo);

        /* Control characters in fsname are made harmless. */
        CHECK(parse(&mo, &left, "p", "-o", "fsname=a\tb", NULL) == 0);
        CHECK(mo && strcmp(mo->fsname, "a?b") == 0);
        /* ... for fused too: a user gets the mount root would get. */
        CHECK(mo && mo->user_opts && strcmp(mo->user_opts, "fsname=a?b") == 0);
        free(left);
        fuse_mount_opts_free(mo);
}

static void test_refused(void)
{
        static const char *bad[] = {
                "rootmode=40000", "user_id=0", "group_id=0", "fd=3",
                "max_read=", "max_read=x", "max_read=-1", "blksize=99999999999",
                "subtype=a/b", "subtype=.x", "fsname=",
                "blkdev",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct mount_opts *mo;
                char *left;
                int r = parse(&mo, &left, "p", "-o", bad[i], NULL);
                if (r != -EINVAL)
                        fprintf(stderr, "option %s: %d\n", bad[i], r);
                CHECK(r == -EINVAL);
                CHECK(mo == NULL);
                free(left);
        }
}

int main(void)
{
        test_defaults();
        test_consumes_mount_options();
        test_flags();
        test_refused();
        if (failures) {
                fprintf(stderr, "%d check(s) failed\n", failures);
                return 1;
        }
        printf("mount options: all checks passed\n");
        return 0;
}
