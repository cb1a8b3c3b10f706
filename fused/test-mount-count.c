// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit test of mount-count.c: the count from listmount/statmount (from
 * inside the namespace, as a worker counts, and from outside by namespace
 * id, as fused counts) equals the one from mountinfo, both for the FUSE
 * mounts of users and for every FUSE mount, asked twice (the second time
 * from what the first learned), here and (as root) in a child that entered
 * a mount namespace of its own as a worker does. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fused.h"
#include "kernel-abi.h"
#include "test-helpers.h"

static int ns_id_of(const char *path, uint64_t *ret) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd >= 0 && ioctl(fd, NS_GET_MNTNS_ID_, ret) == 0 ? 0 : -errno;
}

/* Every count of the namespace we are in, from its root. */
static void both_ways(int proc, uint64_t ns_id) {
        uint64_t root_id = 0;
        bool by_id = ns_id && ns_root_mount_id(&root_id) == 0;

        for (int every = 0; every <= 1; every++) {
                char *mi = NULL;
                unsigned want = 0, got = 0, again = 0;
                CHECK(read_full_file("/proc/thread-self/mountinfo", &mi, 64 * 1024 * 1024) == 0);
                CHECK(count_fuse_mounts(mi, every, &want) == 0);
                CHECK(count_here_fuse_mounts(proc, ns_id, every, &got) == 0 && got == want);
                CHECK(count_here_fuse_mounts(proc, ns_id, every, &again) == 0 && again == want);
                if (by_id) {
                        int r = count_ns_fuse_mounts(ns_id, root_id, every, &got);
                        if (r == -EOPNOTSUPP)
                                fprintf(stderr, "kernel cannot list another namespace: not tested that way\n");
                        else
                                CHECK(r == 0 && got == want);
                }
                free(mi);
        }
}

/* A FUSE mount on dir with user_id uid (no server: nothing accesses it). */
static int fuse_mount(const char *dir, unsigned uid) {
        char opts[128];
        _cleanup_close_ int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=%u,group_id=%u", fd, uid, uid);
        return mount("test", dir, "fuse.test", MS_NOSUID | MS_NODEV, opts) < 0 ? -errno : 0;
}

/* A child in a mount namespace of its own, with FUSE mounts of root and of
 * a user in it, then chrooted where it sees none of them, as a caller may
 * be: the count is still the whole namespace's, as the worker makes it
 * before it goes to the caller's root. */
static void other_namespace(int proc) {
        if (geteuid() != 0)
                return;
        pid_t pid = fork();
        if (pid == 0) {
                uint64_t ns_id = 0;
                unsigned whole = 0, in_chroot = 0;
                char dir[] = "/tmp/fused-test-count.XXXXXX", a[64], b[64];
                unsigned users = 0;
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    ns_id_of("/proc/self/ns/mnt", &ns_id) < 0 || !mkdtemp(dir))
                        _exit(2);
                unsigned before = 0, before_users = 0;
                CHECK(count_here_fuse_mounts(proc, ns_id, true, &before) == 0);
                CHECK(count_here_fuse_mounts(proc, ns_id, false, &before_users) == 0);
                snprintf(a, sizeof a, "%s/a", dir);
                snprintf(b, sizeof b, "%s/b", dir);
                CHECK(mkdir(a, 0755) == 0 && mkdir(b, 0755) == 0);
                CHECK(fuse_mount(a, 0) == 0 && fuse_mount(b, 61000) == 0);
                both_ways(proc, ns_id);
                CHECK(count_here_fuse_mounts(proc, ns_id, true, &whole) == 0 && whole == before + 2);
                CHECK(count_here_fuse_mounts(proc, ns_id, false, &users) == 0 && users == before_users + 1);
                if (chroot("/proc") == 0 && chdir("/") == 0) {
                        _cleanup_close_ int fd = openat(proc, "thread-self/mountinfo", O_RDONLY | O_CLOEXEC);
                        char *mi = NULL;
                        CHECK(fd >= 0 && read_full_fd(fd, &mi, 64 * 1024 * 1024) == 0);
                        CHECK(count_fuse_mounts(mi, true, &in_chroot) == 0 && in_chroot + 2 <= whole);
                        free(mi);
                }
                umount2(a, MNT_DETACH);
                umount2(b, MNT_DETACH);
                rmdir(a);
                rmdir(b);
                rmdir(dir);
                _exit(test_failures ? 1 : 0);
        }
        int status = 0;
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
        int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        uint64_t ns_id = 0;
        unsigned n = 0;

        CHECK(mount_options_user_id("rw,user_id=1000,group_id=5", 26) == 1000);
        CHECK(mount_options_user_id("user_id=0", 9) == 0);
        CHECK(mount_options_user_id("group_id=5,xuser_id=7", 21) == -1);
        CHECK(mount_options_user_id("user_id=12x", 11) == -1);
        CHECK(count_fuse_mounts("36 35 0:40 / /a rw - fuse.x x rw,user_id=0,group_id=0\n"
                                "37 35 0:41 / /b rw - fuse x rw,user_id=1000,group_id=5\n"
                                "38 35 0:42 / /c rw - ext4 /dev/x rw\n", true, &n) == 0 && n == 2);
        CHECK(count_fuse_mounts("36 35 0:40 / /a rw - fuse.x x rw,user_id=0,group_id=0\n"
                                "37 35 0:41 / /b rw - fuse x rw,user_id=1000,group_id=5\n", false, &n) == 0 &&
              n == 1);

        CHECK(proc >= 0);
        if (ns_id_of("/proc/self/ns/mnt", &ns_id) < 0)
                fprintf(stderr, "no NS_GET_MNTNS_ID: only the mountinfo count is tested\n");
        both_ways(proc, ns_id);
        other_namespace(proc);
        return TEST_EXIT();
}
