// SPDX-License-Identifier: GPL-2.0-or-later
/* mount.fuse3: the helper mount(8), /etc/fstab and systemd .mount units run
 * for FUSE types.  It runs the filesystem program with the source,
 * mountpoint and options it should get; the program mounts through lib/
 * (as root directly, as anyone else through fused).
 *
 * setuid=USER runs the program as USER (who mounts through fused).
 * drop_privileges is fuse(8)'s: mount.fuse3 itself, as root, opens
 * /dev/fuse and mounts, then runs the program with the mount's fd as
 * /dev/fd/N and no privilege left that it could ever get back (no
 * capabilities, none in its bounding or ambient sets, root locked out of
 * being special by the securebits, no_new_privs); with setuid=USER it runs
 * as USER on that fd.  as_owner (ours) runs the program as the mountpoint's
 * owner, who mounts through fused. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include "fuse_opt.h"
#include "mount-fuse-args.h"
#include "mount.h"

static const char *progname = "mount.fuse3";

/* mount(8) runs helpers with PATH removed from the environment; execvp's
 * own fallback (/bin:/usr/bin) would miss /usr/local and sbin. */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* USER by name, or a numeric uid (its passwd entry if there is one, else
 * gid = uid, the convention for ad-hoc service users). */
static int lookup_user(const char *user, uid_t *uid, gid_t *gid, const char **name) {
        struct passwd *pw = getpwnam(user);
        char *end;

        if (!pw) {
                unsigned long v;

                errno = 0;
                v = strtoul(user, &end, 10);
                if (errno || *end || !*user || v >= (uid_t) -1)
                        return -ESRCH;
                pw = getpwuid((uid_t) v);
                if (!pw) {
                        *uid = (uid_t) v;
                        *gid = (gid_t) v;
                        *name = NULL;
                        return 0;
                }
        }
        *uid = pw->pw_uid;
        *gid = pw->pw_gid;
        *name = pw->pw_name;
        return 0;
}

static int become(uid_t uid, gid_t gid, const char *name) {
        if (getuid() == uid && geteuid() == uid && getgid() == gid)
                return 0;
        if (name ? initgroups(name, gid) < 0 : setgroups(0, NULL) < 0)
                return -errno;
        if (setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
                return -errno;
        /* Nothing setuid is needed from here on: make sure nothing can be. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        return 0;
}

/* setuid=USER, else (as_owner) the mountpoint's owner. */
static int drop_to_user(const struct mount_fuse *m) {
        uid_t uid;
        gid_t gid;
        const char *name = NULL;
        int r;

        if (m->setuid_user) {
                r = lookup_user(m->setuid_user, &uid, &gid, &name);
                if (r < 0) {
                        fprintf(stderr, "%s: setuid=%s: no such user\n", progname, m->setuid_user);
                        return r;
                }
        } else {
                struct stat st;

                if (stat(m->mountpoint, &st) < 0) {
                        r = -errno;
                        fprintf(stderr, "%s: %s: %s\n", progname, m->mountpoint, strerror(-r));
                        return r;
                }
                if (st.st_uid == 0) {
                        fprintf(stderr, "%s: as_owner: %s is owned by root; "
                                "say which user should run the filesystem with setuid=USER\n",
                                progname, m->mountpoint);
                        return -EPERM;
                }
                uid = st.st_uid;
                gid = st.st_gid;
                struct passwd *pw = getpwuid(uid);
                if (pw) {
                        name = pw->pw_name;
                        gid = pw->pw_gid;
                }
        }
        r = become(uid, gid, name);
        if (r < 0)
                fprintf(stderr, "%s: cannot switch to uid %u: %s\n", progname, (unsigned) uid,
                        strerror(-r));
        return r;
}

/* drop_privileges: the mount, made here as root with the library's own
 * mount code and the options the program would have passed it.  The
 * program gets the fd as /dev/fd/N (the library serves such a mountpoint
 * without mounting) and every option as before. */
static int mount_here(struct mount_fuse *m) {
        struct mount_opts *mo = NULL;
        char path[32], *opts = NULL;
        int r, fd;

        /* The type shows as fuse.TYPE, as when the program mounts itself
         * (the library takes its own name as the subtype). */
        bool named = m->options && (strstr(m->options, "subtype=") || strstr(m->options, "fsname="));
        if (asprintf(&opts, "%s%s%s%s", m->options ? m->options : "", m->options ? "," : "",
                     named ? "" : "subtype=", named ? "" : m->type) < 0)
                return -ENOMEM;
        char *argv[] = { (char *) progname, (char *) "-o", opts, NULL };
        struct fuse_args args = FUSE_ARGS_INIT(3, argv);

        if (geteuid() != 0) {
                fprintf(stderr, "%s: drop_privileges: only root can mount for the filesystem "
                        "(use setuid=USER or as_owner to mount through fused)\n", progname);
                return -EPERM;
        }
        r = fuse_mount_opts_parse(&args, &mo);
        fuse_opt_free_args(&args);
        free(opts);
        if (r < 0)
                return r;
        fd = mount_as_root(m->mountpoint, mo);
        /* auto_unmount's watcher unmounts when its socket closes: the
         * program keeps our end, so that is when the program ends. */
        if (fd >= 0 && mo->watcher_fd >= 0 && fcntl(mo->watcher_fd, F_SETFD, 0) < 0) {
                r = -errno;
                close(fd);
                fuse_mount_opts_free(mo);
                return r;
        }
        fuse_mount_opts_free(mo);
        if (fd < 0)
                return fd;
        /* The program inherits it. */
        if (fcntl(fd, F_SETFD, 0) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        snprintf(path, sizeof path, "/dev/fd/%d", fd);
        return mount_fuse_set_mountpoint(m, path);
}

/* Root without its powers, for good: securebits first and the bounding
 * set (both need CAP_SETPCAP), then the ambient set and the process's own
 * capabilities, then no_new_privs so no exec can give any back. */
static int drop_all_privileges(void) {
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
        unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                             SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                             SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;

        if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) < 0)
                return -errno;
        for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
                        return -errno;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        if (syscall(SYS_capset, &hdr, data) < 0)
                return -errno;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        return 0;
}

int main(int argc, char **argv) {
        struct mount_fuse m;
        const char *error;
        int r;

        if (argc > 0 && argv[0] && *argv[0]) {
                const char *slash = strrchr(argv[0], '/');
                progname = slash ? slash + 1 : argv[0];
        }
        if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
                printf("usage: %s [TYPE#]SOURCE MOUNTPOINT [-t fuse.TYPE] [-o OPTIONS]\n"
                       "       %s TYPE MOUNTPOINT [-o OPTIONS]\n\n"
                       "Runs the FUSE filesystem program TYPE as `TYPE SOURCE MOUNTPOINT -o OPTIONS`.\n"
                       "A SOURCE of \"none\" or \"\" is left out.  Options of ours:\n"
                       "  setuid=USER       run the program as USER (mounts through fused)\n"
                       "  drop_privileges   mount here as root, then run the program on the\n"
                       "                    fd (/dev/fd/N) with no privilege left (fuse(8))\n"
                       "  as_owner          run it as the mountpoint's owner (through fused)\n"
                       "Accepted and not passed on: auto, noauto, user, users, owner, group,\n"
                       "defaults, nofail, _netdev, x-*, comment=*.  See mount.fuse3(8).\n",
                       progname, progname);
                return 0;
        }
        if (argc == 2 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
                printf("%s (fused) %s\n", progname, FUSED_VERSION);
                return 0;
        }

        r = mount_fuse_parse(argc, argv, &m, &error);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", progname, r == -ENOMEM ? "out of memory" : error);
                /* mount(8)'s convention: 1 bad usage, 2 system error. */
                return r == -ENOMEM ? 2 : 1;
        }
        if (m.drop_privileges && m.as_owner) {
                fprintf(stderr, "%s: drop_privileges and as_owner exclude each other\n", progname);
                mount_fuse_done(&m);
                return 1;
        }
        if (m.drop_privileges && !m.fake) {
                r = mount_here(&m);
                if (r < 0) {
                        fprintf(stderr, "%s: drop_privileges: mounting %s failed: %s\n", progname,
                                m.mountpoint, strerror(-r));
                        mount_fuse_done(&m);
                        return r == -EPERM || r == -EINVAL ? 1 : 2;
                }
        }
        if ((m.setuid_user || m.as_owner) && drop_to_user(&m) < 0) {
                mount_fuse_done(&m);
                return 1;
        }
        if (m.drop_privileges && !m.fake && (r = drop_all_privileges()) < 0) {
                fprintf(stderr, "%s: drop_privileges: %s\n", progname, strerror(-r));
                mount_fuse_done(&m);
                return 2;
        }
        /* Root mounting for itself (fstab, mount -t fuse.TYPE, a .mount
         * unit) gets what mount(8) gives root for any filesystem. */
        if (!m.setuid_user && !m.drop_privileges && !m.as_owner && geteuid() == 0 &&
            mount_fuse_root_defaults(&m) < 0) {
                fprintf(stderr, "%s: out of memory\n", progname);
                mount_fuse_done(&m);
                return 2;
        }
        if (m.verbose || m.fake) {
                fprintf(stderr, "%s: running", progname);
                for (char **a = m.argv; *a; a++)
                        fprintf(stderr, " %s", *a);
                fprintf(stderr, "\n");
        }
        if (!getenv("PATH"))
                (void) setenv("PATH", DEFAULT_PATH, 0);
        if (m.fake) {
                mount_fuse_done(&m);
                return 0;
        }
        execvp(m.argv[0], m.argv);
        r = errno;
        fprintf(stderr, "%s: cannot run %s: %s\n", progname, m.argv[0], strerror(r));
        mount_fuse_done(&m);
        return r == ENOENT ? 1 : 2;
}
