/* Unit test of mount-count.c: for this process, the same count as its
 * mountinfo gives, asked twice (the second time from what the first
 * learned); user_id= found among mount options.  Skips (77) on a kernel
 * that cannot list another way. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fused.h"
#include "test-helpers.h"

#define NS_GET_MNTNS_ID_ _IOR(0xb7, 0x5, uint64_t)

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
        fprintf(stderr, "%u FUSE mounts of users, both ways\n", want);
        free(mi);
        return TEST_EXIT();
}
