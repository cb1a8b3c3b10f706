/* mount.fuse3: the helper mount(8), /etc/fstab and systemd .mount units run
 * for FUSE types.  It runs the filesystem program with the source,
 * mountpoint and options it should get; the program mounts through lib/
 * (as root directly, as anyone else through fused).
 *
 * setuid=USER runs the program as USER; drop_privileges runs it as USER, or
 * else as the mountpoint's owner if that is not root: either way it then
 * has no privilege at all (no_new_privs set too, since nothing setuid is
 * needed any more) and gets its mount from fused. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-fuse-args.h"

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
                        fprintf(stderr, "%s: drop_privileges: %s is owned by root; "
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

int main(int argc, char **argv) {
        struct mount_fuse m;
        const char *error;
        int r;

        if (argc > 0 && argv[0] && *argv[0]) {
                const char *slash = strrchr(argv[0], '/');
                progname = slash ? slash + 1 : argv[0];
        }
        if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
                printf("usage: %s [TYPE#]SOURCE MOUNTPOINT [-t fuse.TYPE] [-o OPTIONS]\n\n"
                       "Runs the FUSE filesystem program TYPE as `TYPE SOURCE MOUNTPOINT -o OPTIONS`.\n"
                       "A SOURCE of \"none\" or \"\" is left out.  Options of ours:\n"
                       "  setuid=USER       run the program as USER (mounts through fused)\n"
                       "  drop_privileges   run it without privilege: as setuid=USER, else as\n"
                       "                    the mountpoint's owner\n"
                       "Accepted and not passed on: auto, noauto, user, users, owner, group,\n"
                       "defaults, nofail, _netdev, x-*, comment=*.  See mount.fuse3(8).\n",
                       progname);
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
        if ((m.setuid_user || m.drop_privileges) && drop_to_user(&m) < 0) {
                mount_fuse_done(&m);
                return 1;
        }
        /* Root mounting for itself (fstab, mount -t fuse.TYPE, a .mount
         * unit) gets what mount(8) gives root for any filesystem. */
        if (!m.setuid_user && !m.drop_privileges && geteuid() == 0 && mount_fuse_root_defaults(&m) < 0) {
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
