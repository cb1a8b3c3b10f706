// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test of checks.c (pure) and of the mountpoint check as a real caller
 * would meet it (mount-ns.c's ns_resolve, run in a forked child against
 * real directories, uids, groups and ACLs).  The second part needs root to
 * switch uids; without root it is skipped, loudly. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fused.h"
#include "test-helpers.h"

static const char mountinfo[] =
        "22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "40 22 0:35 / /home/a/m rw,nosuid,nodev - fuse.sshfs a@h:/ rw,user_id=1000,group_id=1000\n"
        "41 22 0:36 / /home/b/m\\040x rw,nosuid,nodev shared:5 master:2 - fuse b rw,user_id=1001,group_id=1001\n"
        "42 22 0:37 / /root/m rw,nosuid,nodev - fuse.x x rw,user_id=0,group_id=0\n"
        "43 22 0:38 / /mnt/blk rw - fuseblk /dev/sdb rw,user_id=1002,group_id=1002,allow_other\n"
        "44 22 0:39 / /proc rw - proc proc rw\n"
        "garbage line\n";

static void pure_checks(void) {
        CheckError why;
        unsigned n;
        char *fstype = NULL, *mp = NULL;
        long uid;

        CHECK(check_fstype_allowed(0xEF53));            /* ext4 */
        CHECK(check_fstype_allowed(0x01021994));        /* tmpfs */
        CHECK(check_fstype_allowed(0x65735546));        /* fuse */
        CHECK(!check_fstype_allowed(0x9fa0));           /* proc */
        CHECK(!check_fstype_allowed(0x62656572));       /* sysfs */
        CHECK(!check_fstype_allowed(0x1cd1));           /* devpts */
        CHECK(!check_fstype_allowed(0x63677270));       /* cgroup2 */
        CHECK(!check_fstype_allowed(0x27e0eb));         /* cgroup */
        CHECK(!check_fstype_allowed(0x73636673));       /* securityfs */
        CHECK(!check_fstype_allowed(0x64626720));       /* debugfs */
        CHECK(!check_fstype_allowed(0x74726163));       /* tracefs */
        CHECK(!check_fstype_allowed(0xcafe4a11));       /* bpf */

        CHECK(check_mountpoint_mode(S_IFDIR | 0755, 1000, 1000, &why) == 0);
        CHECK(check_mountpoint_mode(S_IFREG | 0644, 1000, 1000, &why) == 0);
        CHECK(check_mountpoint_mode(S_IFLNK | 0777, 1000, 1000, &why) < 0 && why == CHECK_SYMLINK);
        CHECK(check_mountpoint_mode(S_IFCHR | 0666, 0, 1000, &why) < 0 && why == CHECK_NOT_DIR_OR_FILE);
        CHECK(check_mountpoint_mode(S_IFDIR | 01777, 0, 1000, &why) < 0 && why == CHECK_STICKY);
        CHECK(check_mountpoint_mode(S_IFDIR | 01777, 1000, 1000, &why) == 0);
        CHECK(check_mountpoint_mode(S_IFDIR | 01777, 5, 0, &why) == 0);

        CHECK(check_is_fuse_fstype("fuse") && check_is_fuse_fstype("fuse.sshfs") && check_is_fuse_fstype("fuseblk"));
        CHECK(!check_is_fuse_fstype("fusectl") && !check_is_fuse_fstype("ext4"));

        CHECK(count_user_fuse_mounts(mountinfo, &n) == 0 && n == 3);
        CHECK(count_user_fuse_mounts("", &n) == 0 && n == 0);

        CHECK(mountinfo_find(mountinfo, 41, &fstype, &mp, &uid) == 0);
        CHECK(fstype && strcmp(fstype, "fuse") == 0 && mp && strcmp(mp, "/home/b/m x") == 0 && uid == 1001);
        free(fstype);
        free(mp);
        fstype = NULL;
        CHECK(mountinfo_find(mountinfo, 44, &fstype, NULL, &uid) == 0 && uid == -1);
        free(fstype);
        CHECK(mountinfo_find(mountinfo, 99, NULL, NULL, NULL) == -ENOENT);
}

/* ns_resolve as uid/gid/groups, in a child; returns reply.error, sets *check. */
static int resolve_as(uid_t uid, gid_t gid, const gid_t *gids, size_t n, const char *path, int *check) {
        int pipefd[2];
        WorkerReply reply = {};

        if (pipe(pipefd) < 0)
                return -errno;
        int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        pid_t pid = fork();
        if (pid == 0) {
                /* The child is the caller too: its own namespace and root
                 * open with its rights (the parent's would not, as uid). */
                static ResolveArgs a;
                int pidfd = pidfd_open_pid(getpid());
                a = (ResolveArgs) { .given_fd = -1 };
                ns_target_init(&a.t, pidfd, getpid(), -1, proc, uid, gid);
                /* Never NULL, also for no groups: ns_target_set_groups()
                 * memcpy()s the list, undefined from NULL even for 0 bytes. */
                static const gid_t no_groups[1];
                if (ns_target_set_groups(&a.t, gids ? gids : no_groups, n) < 0 || ns_set_path(a.path, path) < 0)
                        _exit(1);
                int fd = -1;
                reply.error = ns_resolve(&a, &reply, &fd);
                (void) !write(pipefd[1], &reply, sizeof reply);
                _exit(0);
        }
        close(pipefd[1]);
        ssize_t k = read(pipefd[0], &reply, sizeof reply);
        close(pipefd[0]);
        close(proc);
        waitpid(pid, NULL, 0);
        if (k != (ssize_t) sizeof reply)
                return -EIO;
        *check = reply.check;
        return reply.error;
}

static void real_checks(void) {
        char dir[] = "/tmp/fused-test-checks.XXXXXX";
        char p[256];
        int check = 0;
        const uid_t U = 61007, V = 61008;
        const gid_t G = 61007, SHARED = 61009;
        gid_t groups[] = { G, SHARED };

        CHECK(mkdtemp(dir) != NULL);
        chmod(dir, 0755);

        /* Owned by the caller: fine. */
        snprintf(p, sizeof p, "%s/own", dir);
        mkdir(p, 0755);
        chown(p, U, G);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == 0);
        /* Someone else's 0755 directory: refused, not writable. */
        CHECK(resolve_as(V, V, NULL, 0, p, &check) == -EACCES && check == CHECK_NO_WRITE);

        /* Group-writable, through a supplementary group only. */
        snprintf(p, sizeof p, "%s/group", dir);
        mkdir(p, 0775);
        chown(p, 0, SHARED);
        chmod(p, 0775);
        CHECK(resolve_as(U, G, groups, 2, p, &check) == 0);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == -EACCES && check == CHECK_NO_WRITE);

        /* An ACL entry for the caller. */
        snprintf(p, sizeof p, "%s/acl", dir);
        mkdir(p, 0755);
        char cmd[512];
        snprintf(cmd, sizeof cmd, "setfacl -m u:%u:rwx %s 2>/dev/null", (unsigned) V, p);
        if (system(cmd) == 0) {
                CHECK(resolve_as(V, V, NULL, 0, p, &check) == 0);
                CHECK(resolve_as(U, G, groups, 1, p, &check) == -EACCES);
        } else
                fprintf(stderr, "NOTE: setfacl failed here, ACL case not checked\n");

        /* A sticky world-writable directory not owned by the caller. */
        snprintf(p, sizeof p, "%s/sticky", dir);
        mkdir(p, 01777);
        chmod(p, 01777);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == -EPERM && check == CHECK_STICKY);
        chown(p, U, G);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == 0);

        /* A regular file the caller may write. */
        snprintf(p, sizeof p, "%s/file", dir);
        int fd = open(p, O_CREAT | O_WRONLY, 0644);
        close(fd);
        chown(p, U, G);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == 0);
        CHECK(resolve_as(V, V, NULL, 0, p, &check) == -EACCES);

        /* A symlink to the caller's own directory: never followed. */
        snprintf(p, sizeof p, "%s/link", dir);
        char target[256];
        snprintf(target, sizeof target, "%s/own", dir);
        symlink(target, p);
        CHECK(resolve_as(U, G, groups, 1, p, &check) < 0 && check == CHECK_SYMLINK);

        /* A directory under a path the caller cannot search. */
        snprintf(p, sizeof p, "%s/closed", dir);
        mkdir(p, 0700);
        snprintf(p, sizeof p, "%s/closed/inner", dir);
        mkdir(p, 0777);
        chown(p, U, G);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == -EACCES && check == CHECK_OK);

        /* Pseudo filesystems, even where the caller could write. */
        CHECK(resolve_as(U, G, groups, 1, "/proc/1", &check) == -EPERM && check == CHECK_FSTYPE);
        CHECK(resolve_as(U, G, groups, 1, "/sys", &check) == -EPERM && check == CHECK_FSTYPE);

        /* A character device. */
        CHECK(resolve_as(U, G, groups, 1, "/dev/null", &check) < 0 && check == CHECK_NOT_DIR_OR_FILE);

        /* Missing. */
        snprintf(p, sizeof p, "%s/missing", dir);
        CHECK(resolve_as(U, G, groups, 1, p, &check) == -ENOENT);

        /* root may use any directory. */
        snprintf(p, sizeof p, "%s/sticky", dir);
        CHECK(resolve_as(0, 0, NULL, 0, p, &check) == 0);

        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        (void) !system(cmd);
}

int main(void) {
        pure_checks();
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: not root: the mountpoint checks against real uids, groups and ACLs "
                                "were NOT run\n");
                return test_failures ? 1 : 77;
        }
        real_checks();
        return TEST_EXIT();
}
