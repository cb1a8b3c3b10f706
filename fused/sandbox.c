// SPDX-License-Identifier: GPL-2.0-or-later
/* A seccomp allowlist for the worker children: the system calls the
 * checks, the mount, the unmount and taking the next job need, and nothing
 * else (EPERM).  Defence in
 * depth: a worker runs in a namespace the caller controls, partly as the
 * caller, and must not be able to do anything beyond its one job even if
 * something in it went wrong. */
#include <errno.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "fused.h"
#include "kernel-abi.h"

#ifndef __NR_fsopen
#define __NR_fsopen 430
#define __NR_fsconfig 431
#define __NR_fsmount 432
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_faccessat2
#define __NR_faccessat2 439
#endif

#if defined(__x86_64__)
#define FUSED_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FUSED_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef FUSED_AUDIT_ARCH
static const int allowed[] = {
        /* the worker's own plumbing: jobs and replies, exit, memory */
        __NR_recvmsg, __NR_fcntl, __NR_dup3, __NR_getresuid, __NR_getresgid, __NR_getgroups,
        __NR_getpriority, __NR_sched_getscheduler, __NR_sched_getaffinity, __NR_ioprio_get, __NR_sendmsg, __NR_exit_group, __NR_exit, __NR_close, __NR_close_range, __NR_rt_sigprocmask,
        __NR_rt_sigreturn, __NR_brk, __NR_mmap, __NR_munmap, __NR_mremap, __NR_madvise, __NR_getpid, __NR_getppid,
        __NR_gettid, __NR_getrandom, __NR_restart_syscall, __NR_prctl,
        /* entering the caller's namespace, root and credentials */
        __NR_setns, __NR_fchdir, __NR_chroot, __NR_chdir, __NR_setgroups, __NR_setresgid, __NR_setresuid,
        __NR_setfsuid, __NR_setfsgid,
        /* the caller's ids as its user namespace sees them (SO_PEERCRED) */
        __NR_socketpair, __NR_getsockopt,
        /* looking at the mountpoint */
        __NR_openat, __NR_read, __NR_fstat, __NR_newfstatat, __NR_statx, __NR_fstatfs, __NR_readlinkat,
        __NR_name_to_handle_at, __NR_statmount, __NR_listmount, __NR_faccessat, __NR_faccessat2, __NR_ioctl, __NR_poll, __NR_ppoll,
        __NR_lseek,
        /* mounting and unmounting */
        __NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_move_mount, __NR_umount2,
#ifdef __SANITIZE_ADDRESS__
        /* Only in an ASan build (tools/run-tests' asan stage): what the
         * runtime needs to write a report, ASan's or UBSan's, to its log
         * file and abort, and the sigaltstack() query it makes before
         * every noreturn call, _exit() included.  Without these each
         * worker's _exit() failed an ASan CHECK, and any report was lost
         * in a bare SIGSEGV.  LeakSanitizer needs nothing: its check runs
         * at exit(), and a worker always ends with _exit(). */
#ifdef __NR_open
        __NR_open, __NR_readlink,
#endif
        __NR_write, __NR_futex, __NR_tgkill, __NR_rt_sigaction, __NR_sched_yield, __NR_sigaltstack,
#endif
};
#endif

int sandbox_enter(void) {
#ifdef FUSED_AUDIT_ARCH
        struct sock_filter f[4 + ELEMENTSOF(allowed) * 2 + 1];
        size_t n = 0;

        /* Another architecture's syscall numbers mean other calls: refuse. */
        f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
        f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FUSED_AUDIT_ARCH, 1, 0);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
        f[n++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++) {
                f[n++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned) allowed[i], 0, 1);
                f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        }
        f[n++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA));

        struct sock_fprog prog = { .len = (unsigned short) n, .filter = f };
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
                return -errno;
#endif
        return 0;
}
