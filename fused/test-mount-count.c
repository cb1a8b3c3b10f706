/* Unit test of mount-count.c: for this process, the same count as its
 * mountinfo gives, asked twice (the second time from what the first
 * learned), and (as root) for a child in a mount namespace of its own;
 * user_id= found among mount options.  Skips (77) on a kernel that cannot
 * list another way. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "fused.h"
#include "kernel-abi.h"
#include "test-helpers.h"

static int ns_id_of(pid_t pid, uint64_t *ret) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/ns/mnt", (int) pid);
        _cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
        return fd >= 0 && ioctl(fd, NS_GET_MNTNS_ID_, ret) == 0 ? 0 : -errno;
}

/* A child that unshares its mount namespace and waits: fused's callers
 * are usually in a namespace other than its own. */
static void other_namespace(int proc) {
        int ready[2];
        char c;

        if (geteuid() != 0 || pipe(ready) < 0)
                return;
        pid_t pid = fork();
        if (pid == 0) {
                if (unshare(CLONE_NEWNS) == 0)
                        (void) !write(ready[1], "x", 1);
                pause();
                _exit(0);
        }
        close(ready[1]);
        if (read(ready[0], &c, 1) == 1) {
                uint64_t own = 0, ns_id = 0;
                char p[64], *mi = NULL;
                unsigned want = 0, got = 0;
                CHECK(ns_id_of(getpid(), &own) == 0 && ns_id_of(pid, &ns_id) == 0 && ns_id != own);
                snprintf(p, sizeof p, "/proc/%d/mountinfo", (int) pid);
                CHECK(read_full_file(p, &mi, 64 * 1024 * 1024) == 0 && count_user_fuse_mounts(mi, &want) == 0);
                CHECK(count_caller_fuse_mounts(proc, pid, ns_id, &got) == 0 && got == want);
                CHECK(count_caller_fuse_mounts(proc, pid, ns_id, &got) == 0 && got == want);
                free(mi);
        }
        close(ready[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
}

int main(void) {
        int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
        uint64_t ns_id = 0;
        char *mi = NULL;
        unsigned want = 0, got = 0, again = 0;

        CHECK(mount_options_user_id("rw,user_id=1000,group_id=5", 26) == 1000);
        CHECK(mount_options_user_id("user_id=0", 9) == 0);
        CHECK(mount_options_user_id("group_id=5,xuser_id=7", 21) == -1);
        CHECK(mount_options_user_id("user_id=12x", 11) == -1);

        CHECK(proc >= 0 && ns >= 0);
        if (ioctl(ns, NS_GET_MNTNS_ID_, &ns_id) < 0) {
                fprintf(stderr, "no NS_GET_MNTNS_ID: skipped\n");
                return test_failures ? 1 : 77;
        }
        CHECK(read_full_file("/proc/self/mountinfo", &mi, 64 * 1024 * 1024) == 0);
        CHECK(count_user_fuse_mounts(mi, &want) == 0);
        int r = count_caller_fuse_mounts(proc, getpid(), ns_id, &got);
        if (r == -EOPNOTSUPP) {
                fprintf(stderr, "kernel without listmount/statmount for a namespace: skipped\n");
                return test_failures ? 1 : 77;
        }
        CHECK(r == 0 && got == want);
        CHECK(count_caller_fuse_mounts(proc, getpid(), ns_id, &again) == 0 && again == want);
        CHECK(count_caller_fuse_mounts(proc, getpid(), ns_id + 1000000, &again) < 0);
        other_namespace(proc);
        fprintf(stderr, "%u FUSE mounts of users, both ways\n", want);
        free(mi);
        return TEST_EXIT();
}
