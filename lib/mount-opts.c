/* Mount options: fuse(8)'s options a library handles, into struct mount_opts
 *
 * fuse_session_new() hands its arguments to fuse_mount_opts_parse(), which
 * takes out every mount option in the table below and leaves the rest.
 * The options are kept as given (user_opts) for a mount through fused, and
 * decoded (flags, fields) for a mount of our own.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "fuse_log.h"
#include "mount-util.h"
#include "mount.h"

enum mopt_kind {
        MOPT_BOOL,      /* sets a bool field */
        MOPT_UINT,      /* name=N into an unsigned field */
        MOPT_STR,       /* name=S into a char * field */
        MOPT_SET,       /* sets an MS_* flag */
        MOPT_CLEAR,     /* clears an MS_* flag */
        MOPT_ATIME,     /* one of the atime policies, or kernel default (0) */
        MOPT_NOP,       /* accepted for compatibility, does nothing */
        MOPT_MTAB,      /* for /etc/mtab, which nobody writes any more: dropped */
        MOPT_OURS,      /* set by the library from the mount itself */
};

struct mopt {
        const char *templ;
        enum mopt_kind kind;
        size_t arg;     /* field offset, or MS_* flag */
};

#define MO(f) offsetof(struct mount_opts, f)

static const struct mopt mopts[] = {
        { "allow_other",         MOPT_BOOL, MO(allow_other) },
        { "allow_root",          MOPT_BOOL, MO(allow_root) },
        { "default_permissions", MOPT_BOOL, MO(default_permissions) },
        { "blkdev",              MOPT_BOOL, MO(blkdev) },
        { "auto_unmount",        MOPT_BOOL, MO(auto_unmount) },
        { "blksize=",            MOPT_UINT, MO(blksize) },
        { "max_read=",           MOPT_UINT, MO(max_read) },
        { "fsname=",             MOPT_STR,  MO(fsname) },
        { "subtype=",            MOPT_STR,  MO(subtype) },
        { "context=",            MOPT_STR,  MO(context) },
        { "fscontext=",          MOPT_STR,  MO(fscontext) },
        { "defcontext=",         MOPT_STR,  MO(defcontext) },
        { "rootcontext=",        MOPT_STR,  MO(rootcontext) },
        { "-r",                  MOPT_SET,   MS_RDONLY },
        { "ro",                  MOPT_SET,   MS_RDONLY },
        { "rw",                  MOPT_CLEAR, MS_RDONLY },
        { "nosuid",              MOPT_SET,   MS_NOSUID },
        { "suid",                MOPT_CLEAR, MS_NOSUID },
        { "nodev",               MOPT_SET,   MS_NODEV },
        { "dev",                 MOPT_CLEAR, MS_NODEV },
        { "noexec",              MOPT_SET,   MS_NOEXEC },
        { "exec",                MOPT_CLEAR, MS_NOEXEC },
        { "sync",                MOPT_SET,   MS_SYNCHRONOUS },
        { "async",               MOPT_CLEAR, MS_SYNCHRONOUS },
        { "dirsync",             MOPT_SET,   MS_DIRSYNC },
        { "nodiratime",          MOPT_SET,   MS_NODIRATIME },
        { "diratime",            MOPT_CLEAR, MS_NODIRATIME },
        { "atime",               MOPT_ATIME, 0 },
        { "noatime",             MOPT_ATIME, MS_NOATIME },
        { "relatime",            MOPT_ATIME, MS_RELATIME },
        { "strictatime",         MOPT_ATIME, MS_STRICTATIME },
        { "nonempty",            MOPT_NOP,  0 },
        { "user=",               MOPT_MTAB, 0 },
        { "-n",                  MOPT_MTAB, 0 },
        { "rootmode=",           MOPT_OURS, 0 },
        { "user_id=",            MOPT_OURS, 0 },
        { "group_id=",           MOPT_OURS, 0 },
        { "fd=",                 MOPT_OURS, 0 },
};

#define N_MOPTS (sizeof(mopts) / sizeof(mopts[0]))

static int mopt_apply(struct mount_opts *mo, const struct mopt *m, const char *arg)
{
        const char *val = strchr(arg, '=');
        void *field = (char *)mo + m->arg;

        val = val ? val + 1 : "";
        switch (m->kind) {
        case MOPT_BOOL:
                *(bool *)field = true;
                return 0;
        case MOPT_UINT: {
                char *end;
                errno = 0;
                unsigned long v = strtoul(val, &end, 10);
                if (!*val || *end || errno || v > 0xffffffffUL || val[0] == '-') {
                        fuse_log(FUSE_LOG_ERR, "fuse: invalid value in option `%s'\n", arg);
                        return -EINVAL;
                }
                *(unsigned *)field = (unsigned)v;
                return 0;
        }
        case MOPT_STR: {
                char *s = strdup(val);
                if (!s)
                        return -ENOMEM;
                free(*(char **)field);
                *(char **)field = s;
                return 0;
        }
        case MOPT_SET:
                mo->flags |= m->arg;
                return 0;
        case MOPT_CLEAR:
                mo->flags &= ~m->arg;
                return 0;
        case MOPT_ATIME:
                mo->flags &= ~(unsigned long)(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
                mo->flags |= m->arg;
                return 0;
        case MOPT_NOP:
        case MOPT_MTAB:
                return 0;
        case MOPT_OURS:
                fuse_log(FUSE_LOG_ERR,
                         "fuse: option `%s' is set by the library, it cannot be given\n", arg);
                return -EINVAL;
        }
        return -EINVAL;
}

static int mopt_proc(void *data, const char *arg, int key, struct fuse_args *outargs)
{
        struct mount_opts *mo = data;

        if (key < 0 || (size_t)key >= N_MOPTS)
                return 1;       /* not a mount option: leave it in args */

        const struct mopt *m = &mopts[key];
        if (mopt_apply(mo, m, arg) < 0)
                return -1;
        if (m->kind == MOPT_MTAB)
                return 0;
        /* fsname goes to fused once sanitized, below: the same name as a
         * mount by root gets, not a refusal. */
        if (strncmp(arg, "fsname=", 7) == 0)
                return 0;
        /* "-r" is the short form; fused gets the option spelled out. */
        if (mnt_opts_append(&mo->user_opts, strcmp(arg, "-r") == 0 ? "ro" : arg, true) < 0)
                return -1;
        return 0;
}

void fuse_mount_opts_free(struct mount_opts *mo)
{
        if (!mo)
                return;
        free(mo->user_opts);
        free(mo->fsname);
        free(mo->subtype);
        free(mo->context);
        free(mo->fscontext);
        free(mo->defcontext);
        free(mo->rootcontext);
        free(mo);
}

static void mount_opts_freep(struct mount_opts **mo)
{
        fuse_mount_opts_free(*mo);
}

int fuse_mount_opts_parse(struct fuse_args *args, struct mount_opts **ret)
{
        __attribute__((cleanup(mount_opts_freep))) struct mount_opts *mo = calloc(1, sizeof(*mo));
        struct fuse_opt table[N_MOPTS + 1];

        if (!mo)
                return -ENOMEM;
        mo->flags = MS_NOSUID | MS_NODEV;
        mo->watcher_fd = -1;

        memset(table, 0, sizeof(table));
        for (size_t i = 0; i < N_MOPTS; i++)
                table[i] = (struct fuse_opt)FUSE_OPT_KEY(mopts[i].templ, (int)i);

        if (args && fuse_opt_parse(args, mo, table, mopt_proc) == -1)
                return -EINVAL;

        /* libfuse 3.14 takes both, and allow_root (the narrower one) is
         * what holds: programs and fstab lines that pass both work. */
        if (mo->allow_other && mo->allow_root)
                mo->allow_other = 0;
        if (mo->subtype && !mnt_subtype_valid(mo->subtype)) {
                fuse_log(FUSE_LOG_ERR, "fuse: invalid value in option `subtype=%s'\n",
                         mo->subtype);
                return -EINVAL;
        }
        if (mo->fsname) {
                char *s;
                int r = mnt_fsname_sanitize(mo->fsname, &s);
                if (r == -EINVAL)
                        fuse_log(FUSE_LOG_ERR, "fuse: empty fsname\n");
                if (r < 0)
                        return r;
                free(mo->fsname);
                mo->fsname = s;
                char *opt;
                if (asprintf(&opt, "fsname=%s", s) < 0)
                        return -ENOMEM;
                r = mnt_opts_append(&mo->user_opts, opt, true);
                free(opt);
                if (r < 0)
                        return r;
        }
        if (mo->blkdev && !mo->fsname) {
                fuse_log(FUSE_LOG_ERR, "fuse: blkdev needs fsname=BLOCKDEVICE\n");
                return -EINVAL;
        }
        *ret = MNT_TAKE_PTR(mo);
        return 0;
}

void fuse_mount_opts_help(void)
{
        printf(
"    -o allow_other         allow access by all users\n"
"    -o allow_root          allow access by root and the mounting user\n"
"    -o default_permissions let the kernel check permissions from st_mode\n"
"    -o auto_unmount        unmount when the filesystem process dies\n"
"    -o fsname=NAME         the source shown in the mount table\n"
"    -o subtype=NAME        the filesystem type is shown as fuse.NAME\n"
"    -o blkdev              mount a block device filesystem (fuseblk; root only)\n"
"    -o blksize=N           block size of a fuseblk filesystem\n"
"    -o max_read=N          largest read request the kernel sends\n"
"    -o ro|rw, nosuid|suid, nodev|dev, noexec|exec, sync|async, dirsync,\n"
"       atime|noatime|relatime|strictatime, nodiratime|diratime\n"
"                           the generic mount flags (default nosuid,nodev)\n"
"    -o context=, fscontext=, defcontext=, rootcontext=\n"
"                           security contexts for an LSM such as SELinux\n");
}
