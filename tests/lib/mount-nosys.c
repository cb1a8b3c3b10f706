// SPDX-License-Identifier: GPL-2.0-or-later
/* mount-nosys: run a command with some mount syscalls failing
 *
 *   mount-nosys [--fsopen=ERRNO] [--mount=ERRNO] -- COMMAND [ARGS...]
 *
 * Installs a seccomp filter that makes fsopen(2) and/or mount(2) fail with
 * the given errno (a number), then execs COMMAND.  The mount tests use it to
 * take the library down its mount(2) fallback on a kernel that has fsopen,
 * and to show which path a mount really took.
 */

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

int main(int argc, char *argv[])
{
        int fsopen_err = 0, mount_err = 0, i;

        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                if (strncmp(argv[i], "--fsopen=", 9) == 0)
                        fsopen_err = atoi(argv[i] + 9);
                else if (strncmp(argv[i], "--mount=", 8) == 0)
                        mount_err = atoi(argv[i] + 8);
                else
                        break;
        }
        if (i >= argc - 1 || strcmp(argv[i], "--") != 0) {
                fprintf(stderr, "usage: %s [--fsopen=ERRNO] [--mount=ERRNO] -- COMMAND...\n",
                        argv[0]);
                return 2;
        }

        struct sock_filter f[] = {
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                LOAD_NR,
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fsopen, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, fsopen_err ? SECCOMP_RET_ERRNO | (fsopen_err & 0xffff)
                                                     : SECCOMP_RET_ALLOW),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mount, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, mount_err ? SECCOMP_RET_ERRNO | (mount_err & 0xffff)
                                                    : SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
                perror("mount-nosys: seccomp");
                return 2;
        }
        execvp(argv[i + 1], argv + i + 1);
        perror("mount-nosys: exec");
        return 2;
}
